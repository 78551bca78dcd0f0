import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Config, Logger } from '@ftrack-encode/core';
import type { FtrackLocalServer } from '@ftrack-encode/ftrack-local';
import { encodeMediaHook } from './encode-media-hook.js';
import { webAppRoot } from './web-root.js';

export interface FtrackTarget {
  serverUrl: string;
  apiUser: string;
  apiKey: string;
  /** Set when no FTRACK_SERVER was configured and ftrack-local runs in this process. */
  embedded?: FtrackLocalServer;
  /** Review page of a version (ftrack-local's page, or ftrack's web UI). */
  reviewUrl(versionId: string): string;
}

export function defaultLocalDataDir(config: Config): string {
  const base = process.env['XDG_DATA_HOME'] ?? join(homedir(), '.local', 'share');
  return config.localDataDir ?? join(base, 'ftrack-encode', 'local');
}

/**
 * The configured ftrack server, or — the embedded default — ftrack-local started in this
 * process on a local data directory with a seeded demo version.
 */
export async function openFtrackTarget(config: Config, logger: Logger, options: { port?: number } = {}): Promise<FtrackTarget> {
  const { serverUrl, apiUser, apiKey } = config.ftrack;
  if (serverUrl) {
    return {
      serverUrl,
      apiUser: apiUser ?? '',
      apiKey: apiKey ?? '',
      reviewUrl: (versionId) => `${serverUrl.replace(/\/+$/, '')}/#entityId=${versionId}&entityType=assetversion&itemId=projects`,
    };
  }
  const { startFtrackLocal } = await import('@ftrack-encode/ftrack-local');
  const embedded = await startFtrackLocal({
    dataDir: defaultLocalDataDir(config),
    seed: 'demo',
    port: options.port ?? 0,
    encodeMedia: encodeMediaHook(config, logger),
    ...(webAppRoot() ? { webRoot: webAppRoot() } : {}),
  });
  return {
    serverUrl: embedded.url,
    apiUser: embedded.user,
    apiKey: embedded.apiKey,
    embedded,
    reviewUrl: (versionId) => `${embedded.url}/review/version/${versionId}`,
  };
}
