import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { DependencyContainer } from 'tsyringe';
import { EncodeError, TOKENS, type Config, type Logger, type StorageAccessor } from '@ftrack-encode/core';
import { FilePublishLock } from '@ftrack-encode/node-platform';
import type { RegisteredFtrack } from '@ftrack-encode/ftrack';
import { createContainer, type EncodeBackend } from '../composition-root.js';
import type { FtrackTarget } from './ftrack-target.js';

export interface PublishWiring {
  container: DependencyContainer;
  ftrack: RegisteredFtrack;
  storage: StorageAccessor;
}

/** Register the storage accessor for a location name: ftrack.server or a configured disk location. */
export async function registerLocation(container: DependencyContainer, config: Config, target: FtrackTarget, locationName: string, registry: RegisteredFtrack): Promise<StorageAccessor> {
  if (locationName === 'ftrack.server') {
    const { registerFtrackServerStorage } = await import('@ftrack-encode/storage-ftrack-server');
    return registerFtrackServerStorage(container, {
      serverUrl: target.serverUrl,
      apiUser: target.apiUser,
      apiKey: target.apiKey,
      journalDir: join(tmpdir(), 'ftrack-encode-upload-journals'),
      algorithm: config.hashAlgorithm,
      parallelParts: config.upload.parallelParts,
      // A configured part size also sets the single-part limit: anything larger goes multi-part.
      ...(config.upload.partSize ? { partSize: config.upload.partSize, singlePartLimit: config.upload.partSize } : {}),
    });
  }
  const disk = config.locations.find((l) => l.name === locationName);
  if (!disk) {
    throw new EncodeError('E_CONFIG_INVALID', `Unknown location "${locationName}".`, {
      hint: `Use ftrack.server or add {"name": "${locationName}", "type": "disk", "prefix": "/mnt/projects"} to "locations" in the config.`,
    });
  }
  const { registerDiskStorage } = await import('@ftrack-encode/storage-disk');
  return registerDiskStorage(container, {
    locationName: disk.name,
    locationId: () => registry.registry.locationId(disk.name),
    prefix: disk.prefix,
    ...(disk.structure ? { structure: disk.structure } : {}),
    algorithm: config.hashAlgorithm,
  });
}

/**
 * One child container per publish: encoder, ftrack session (short-lived), storage, lock.
 * `serverSide`: encode with ftrack's own encode_media (--backend ftrack); the local backend
 * then only probes the source and validates what ftrack made.
 */
export async function createPublishContainer(
  config: Config,
  backend: EncodeBackend,
  target: FtrackTarget,
  locationName: string,
  logger: Logger,
  options: { serverSide?: boolean } = {},
): Promise<PublishWiring> {
  const container = await createContainer(config, backend, logger);
  const { FtrackServerEncoder, registerFtrack } = await import('@ftrack-encode/ftrack');
  const ftrack = registerFtrack(container, {
    serverUrl: target.serverUrl,
    apiUser: target.apiUser,
    apiKey: target.apiKey,
    ...(config.ftrack.schemaCacheDir ? { schemaCacheDir: config.ftrack.schemaCacheDir } : { schemaCacheDir: join(tmpdir(), 'ftrack-encode-schema-cache') }),
  });
  const storage = await registerLocation(container, config, target, locationName, ftrack);
  container.register(TOKENS.PublishLock, { useValue: new FilePublishLock() });
  if (options.serverSide) {
    const serverStorage = locationName === 'ftrack.server' ? storage : await registerLocation(container.createChildContainer(), config, target, 'ftrack.server', ftrack);
    container.register(TOKENS.Encoder, { useValue: new FtrackServerEncoder(ftrack.connection, serverStorage) });
  }
  return { container, ftrack, storage };
}
