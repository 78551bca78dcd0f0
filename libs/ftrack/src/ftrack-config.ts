import { EncodeError } from '@ftrack-encode/core';

export interface FtrackSessionConfig {
  /** Defaults to $FTRACK_SERVER. */
  serverUrl?: string;
  /** Defaults to $FTRACK_API_USER. */
  apiUser?: string;
  /** Defaults to $FTRACK_API_KEY. */
  apiKey?: string;
  /** Where query_schemas results are cached, keyed by the server's schema_hash. No cache when unset. */
  schemaCacheDir?: string;
}

export interface FtrackCredentials {
  serverUrl: string;
  apiUser: string;
  apiKey: string;
}

/** Fills the gaps from ftrack's own environment variable names; E_CONFIG_INVALID names what is missing. */
export function resolveCredentials(config: FtrackSessionConfig, env: NodeJS.ProcessEnv = process.env): FtrackCredentials {
  const serverUrl = (config.serverUrl ?? env['FTRACK_SERVER'] ?? '').trim().replace(/\/+$/, '');
  const apiUser = (config.apiUser ?? env['FTRACK_API_USER'] ?? '').trim();
  const apiKey = config.apiKey ?? env['FTRACK_API_KEY'] ?? '';
  const missing = [
    ...(serverUrl ? [] : ['FTRACK_SERVER (ftrack.serverUrl)']),
    ...(apiUser ? [] : ['FTRACK_API_USER (ftrack.apiUser)']),
    ...(apiKey ? [] : ['FTRACK_API_KEY (ftrack.apiKey)']),
  ];
  if (missing.length > 0) {
    throw new EncodeError('E_CONFIG_INVALID', `ftrack connection is not configured: missing ${missing.join(', ')}.`, {
      hint: 'Set the environment variables or the ftrack section of ftrack-encode.config.json.',
    });
  }
  if (!/^https?:\/\/[^\s/]+/i.test(serverUrl)) {
    throw new EncodeError('E_CONFIG_INVALID', `FTRACK_SERVER "${serverUrl}" is not an http(s) URL.`, {
      hint: 'e.g. https://studio.ftrackapp.com',
    });
  }
  return { serverUrl, apiUser, apiKey };
}
