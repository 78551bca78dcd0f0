import 'reflect-metadata';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { EncodeError, TOKENS, type Config, type Logger, type PublishLock, type StorageAccessor } from '@ftrack-encode/core';
import { FilePublishLock, registerNodePlatform } from '@ftrack-encode/node-platform';
import type { RegisteredFtrack } from '@ftrack-encode/ftrack';
import { chooseBackend, toolPaths, type Backend, type BackendChoice, type LocalBackend } from './choose-backend.js';
import { registerLocation, SERVER_LOCATION } from './register-location.js';
import type { FtrackEndpoint } from './ftrack-endpoint.js';

export interface ScopeOptions {
  logger: Logger;
  /** auto | native | wasm | farm | ftrack; config.backend when unset. */
  backend?: BackendChoice;
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
  backend: Backend;
  local: LocalBackend;
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
 * The one composition of the project: configuration -> adapters. The CLI's commands, `run-job`
 * and the daemon's jobs all build their scopes here, so storage, journal, hash algorithm, lock
 * and errors are the same wherever a publish runs. Adapters are imported on demand so a command
 * loads only what it uses.
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
    const threads = options.threads ?? config.threads;
    if (chosen.local === 'native') {
      const { registerNativeEncoder } = await import('@ftrack-encode/encoder-native');
      registerNativeEncoder(container, { ...toolPaths(config), threads, ...(options.hardware ? { hardware: options.hardware } : {}) });
    } else {
      // The wasm backend probes with the wasm core too, so it works where no ffmpeg is installed.
      const { registerWasmEncoder } = await import('@ftrack-encode/encoder-wasm');
      const encoder = registerWasmEncoder(container, { threads: threads || 1, probe: true });
      closers.push(() => encoder.dispose());
    }
    const scope: Scope = { container, backend: chosen.backend, local: chosen.local, reason: chosen.reason, location: () => Promise.reject(noFtrack()), close };
    if (options.ftrack) await addFtrack(scope, config, options, options.ftrack, closers);
    if (chosen.backend === 'farm') await addFarmEncoder(container, config, options.logger, closers);
    if (chosen.backend === 'ftrack') {
      if (!scope.ftrack) throw noFtrack('--backend ftrack');
      const { FtrackServerEncoder } = await import('@ftrack-encode/ftrack');
      const serverStorage = scope.storage?.locationName === SERVER_LOCATION ? scope.storage : await scope.location(SERVER_LOCATION);
      container.register(TOKENS.Encoder, { useValue: new FtrackServerEncoder(scope.ftrack.connection, serverStorage) });
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

/** Registry, events, the publish's storage location and the lock, over one short-lived session. */
async function addFtrack(scope: Scope, config: Config, options: ScopeOptions, endpoint: FtrackEndpoint, closers: (() => Promise<void>)[]): Promise<void> {
  const { registerFtrack } = await import('@ftrack-encode/ftrack');
  const { serverUrl, apiUser, apiKey } = endpoint;
  const ftrack = registerFtrack(scope.container, { serverUrl, apiUser, apiKey, schemaCacheDir: config.ftrack.schemaCacheDir ?? join(tmpdir(), 'ftrack-encode-schema-cache') });
  closers.push(() => ftrack.close());
  scope.ftrack = ftrack;
  scope.location = (name) => registerLocation(scope.container.createChildContainer(), config, name, endpoint, ftrack.registry, options.logger);
  scope.storage = await registerLocation(scope.container, config, options.location ?? config.location, endpoint, ftrack.registry, options.logger);
  scope.container.register(TOKENS.PublishLock, { useValue: options.lock ?? new FilePublishLock() });
}

/** Encoder = the farm (shared storage at the same paths); probing and validation stay local. */
async function addFarmEncoder(container: DependencyContainer, config: Config, logger: Logger, closers: (() => Promise<void>)[]): Promise<void> {
  const { registerFarmEncoder, FARM_CLIENT } = await import('@ftrack-encode/encoder-farm');
  registerFarmEncoder(container, { redisUrl: config.farm.redisUrl, prefix: config.farm.queuePrefix, logger });
  closers.push(async () => {
    if (container.isRegistered(FARM_CLIENT)) await container.resolve<{ close(): Promise<void> }>(FARM_CLIENT).close();
  });
}
