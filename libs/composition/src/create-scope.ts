import 'reflect-metadata';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import {
  EncodeError,
  TOKENS,
  sourceSettingsFrom,
  type Config,
  type EncoderDescriptor,
  type FtrackEndpoint,
  type Logger,
  type PublishLock,
  type SharedSettings,
  type StorageAccessor,
} from '@ftrack-encode/core';
import { FilePublishLock, registerNodePlatform, registerSourceSettings } from '@ftrack-encode/node-platform';
import type { RegisteredFtrack } from '@ftrack-encode/ftrack';
import { chooseBackend } from './choose-backend.js';
import { registerLocation } from './register-location.js';
import { encoderById, settingsOf, sharedSettings } from './adapter-config.js';

export interface ScopeOptions {
  logger: Logger;
  /** auto or an encoder plug-in id (native, wasm, farm, ftrack, ...); config.backend when unset. */
  backend?: string;
  /** ftrack server for registry, events and storage. Without it the scope can only encode. */
  ftrack?: FtrackEndpoint;
  /** Storage location of a publish (config.location when unset); needs `ftrack`. */
  location?: string;
  /** Serialises identical publishes; a file lock on this machine unless given (the daemon's is in Redis). */
  lock?: PublishLock;
  /** Native hardware encoder of a farm queue (h264_nvenc ...). */
  hardware?: string;
  /** Threads per encode; config.threads when unset. */
  threads?: number;
}

/** Everything one command or job needs, in its own child container; close() when done. */
export interface Scope {
  container: DependencyContainer;
  backend: string;
  /** The local encoder that probes (and encodes, unless `backend` is remote). */
  local: string;
  /** Why this backend, for the user. */
  reason: string;
  ftrack?: RegisteredFtrack;
  /** The publish's StorageAccessor (when the scope has ftrack). */
  storage?: StorageAccessor;
  /** A reader for another location by name (a source component stored there). */
  location(name: string): Promise<StorageAccessor>;
  close(): Promise<void>;
}

/**
 * The one composition of the project: configuration -> adapters, through the plug-ins in
 * adapters.ts. The CLI's commands, `run-job` and the daemon's jobs all build their scopes here,
 * so storage, journal, hash algorithm, lock and errors are the same wherever a publish runs.
 * Descriptors load their adapter on demand, so a command loads only what it uses.
 */
export async function createScope(config: Config, options: ScopeOptions): Promise<Scope> {
  const chosen = await chooseBackend(options.backend ?? config.backend, config);
  const container = rootContainer.createChildContainer();
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const fn of closers.reverse()) await fn().catch(() => undefined);
  };
  try {
    registerNodePlatform(container, { logger: options.logger });
    // How sources are read (colour, sequence rates, audio tracks) and OCIO baking on this host.
    registerSourceSettings(container, sourceSettingsFrom(config), config.colour.lutCacheDir ? { cacheDir: config.colour.lutCacheDir } : {});
    const shared = sharedSettings(config, {
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
      ...(options.hardware ? { hardware: options.hardware } : {}),
    });
    const scope: Scope = { container, backend: chosen.backend, local: chosen.local, reason: chosen.reason, location: () => Promise.reject(noFtrack()), close };
    if (options.ftrack) await addFtrack(scope, config, options, options.ftrack, shared, closers);
    // The local encoder registers the probe; a remote one then replaces TOKENS.Encoder.
    for (const id of chosen.backend === chosen.local ? [chosen.local] : [chosen.local, chosen.backend]) {
      const descriptor = encoderById(id) as EncoderDescriptor<never>;
      if (descriptor.capabilities.needsFtrack && !options.ftrack) throw noFtrack(`--backend ${id}`);
      const closer = await descriptor.register({
        container,
        logger: options.logger,
        shared,
        settings: settingsOf(descriptor.config, config) as never,
        ...(options.ftrack ? { ftrack: options.ftrack } : {}),
        location: scope.location,
      });
      if (closer) closers.push(closer);
    }
    return scope;
  } catch (error) {
    await close();
    throw error;
  }
}

function noFtrack(what = 'Publishing'): EncodeError {
  return new EncodeError('E_CONFIG_INVALID', `${what} needs an ftrack connection.`, { hint: 'Set FTRACK_SERVER, FTRACK_API_USER and FTRACK_API_KEY.' });
}

/** Registry, events, raw API, the publish's storage location and the lock, over one short-lived session. */
async function addFtrack(
  scope: Scope,
  config: Config,
  options: ScopeOptions,
  endpoint: FtrackEndpoint,
  shared: SharedSettings,
  closers: (() => Promise<void>)[],
): Promise<void> {
  const { registerFtrack } = await import('@ftrack-encode/ftrack');
  const { serverUrl, apiUser, apiKey } = endpoint;
  const ftrack = registerFtrack(scope.container, {
    serverUrl,
    apiUser,
    apiKey,
    schemaCacheDir: config.ftrack.schemaCacheDir ?? join(tmpdir(), 'ftrack-encode-schema-cache'),
  });
  closers.push(() => ftrack.close());
  scope.ftrack = ftrack;
  const wiring = {
    logger: options.logger,
    shared,
    ftrack: { serverUrl, apiUser, apiKey },
    registry: ftrack.registry,
    location: (name: string) => scope.location(name),
  };
  scope.location = (name) => registerLocation(scope.container.createChildContainer(), config, name, wiring);
  scope.storage = await registerLocation(scope.container, config, options.location ?? config.location, wiring);
  scope.container.register(TOKENS.PublishLock, { useValue: options.lock ?? new FilePublishLock() });
}
