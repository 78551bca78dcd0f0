import { mkdir } from 'node:fs/promises';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import {
  EncodeError,
  ProfileCatalog,
  PublishReview,
  sourceSettingsFrom,
  TOKENS,
  type Config,
  type EncodeProfileInput,
  type Logger,
  type PublishLock,
  type ReviewRegistry,
  type StorageAccessor,
} from '@ftrack-encode/core';
import { registerNodePlatform, registerSourceSettings } from '@ftrack-encode/node-platform';
import { registerNativeEncoder } from '@ftrack-encode/encoder-native';
import { FtrackReviewRegistry, FtrackConnection, registerFtrack, resolveCredentials, type FtrackCredentials } from '@ftrack-encode/ftrack';
import { registerFtrackServerStorage } from '@ftrack-encode/storage-ftrack-server';
import { registerDiskStorage } from '@ftrack-encode/storage-disk';
import type { FarmJobDeps } from '@ftrack-encode/encoder-farm';

export interface JobDepsOptions {
  config: Config;
  logger: Logger;
  scratchDir: string;
  threads: number;
  /** Hardware encoder for this queue's worker (h264_nvenc ...). */
  hardware?: string;
  lock: PublishLock;
}

/** ftrack credentials from config + FTRACK_* env, or undefined when none are configured (encode-only worker). */
export function ftrackCredentials(config: Config): FtrackCredentials | undefined {
  try {
    return resolveCredentials({ ...config.ftrack });
  } catch {
    return undefined;
  }
}

/** A StorageAccessor for a location by name: ftrack.server or a disk location from config. */
function registerStorage(container: DependencyContainer, name: string, config: Config, credentials: FtrackCredentials, registry: ReviewRegistry, logger: Logger): StorageAccessor | undefined {
  if (name === 'ftrack.server') {
    const { partSize, parallelParts } = config.upload;
    return registerFtrackServerStorage(container, { ...credentials, logger, parallelParts, ...(partSize ? { partSize, singlePartLimit: partSize } : {}) });
  }
  const disk = config.locations.find((l) => l.name === name);
  if (!disk) return undefined;
  return registerDiskStorage(container, {
    locationName: disk.name,
    prefix: disk.prefix,
    ...(disk.structure ? { structure: disk.structure } : {}),
    locationId: () => registry.locationId(disk.name),
  });
}

/**
 * The worker side of the daemon's composition root: the native encoder does the work;
 * publish jobs get a fresh child container (own ftrack session, the job's storage
 * location, the farm-wide publish lock) so nothing leaks between jobs.
 */
export async function composeJobDeps(options: JobDepsOptions): Promise<{ deps: FarmJobDeps; container: DependencyContainer; close(): Promise<void> }> {
  const { config, logger } = options;
  await mkdir(options.scratchDir, { recursive: true });
  const container = rootContainer.createChildContainer();
  registerNodePlatform(container, { logger });
  // The farm's config decides how sources are read (colour, sequence rates) for publish jobs run here.
  registerSourceSettings(container, sourceSettingsFrom(config), config.colour.lutCacheDir ? { cacheDir: config.colour.lutCacheDir } : {});
  registerNativeEncoder(container, {
    ...(config.ffmpegPath ? { ffmpegPath: config.ffmpegPath } : {}),
    ...(config.ffprobePath ? { ffprobePath: config.ffprobePath } : {}),
    threads: options.threads,
    ...(options.hardware ? { hardware: options.hardware } : {}),
  });
  const catalog = new ProfileCatalog(config.profiles as EncodeProfileInput[]);
  const deps: FarmJobDeps = {
    encoder: container.resolve(TOKENS.Encoder),
    probe: container.resolve(TOKENS.MediaProbe),
    hasher: container.resolve(TOKENS.Hasher),
    fs: container.resolve(TOKENS.FileSystem),
    logger,
    scratchDir: options.scratchDir,
    threads: options.threads,
    profile: (name) => catalog.get(name),
  };
  const credentials = ftrackCredentials(config);
  if (!credentials) {
    logger.warn('no ftrack connection configured (FTRACK_SERVER, FTRACK_API_USER, FTRACK_API_KEY): only encode jobs can run');
    return { deps, container, close: async () => undefined };
  }
  const sessionConfig = { ...credentials, ...(config.ftrack.schemaCacheDir ? { schemaCacheDir: config.ftrack.schemaCacheDir } : {}) };
  // A long-lived session for look-ups (where is this component?); publishes open their own.
  const lookups = new FtrackConnection(sessionConfig);
  const registry = new FtrackReviewRegistry(lookups);
  deps.registry = registry;
  deps.storage = (name) => registerStorage(container.createChildContainer(), name, config, credentials, registry, logger);
  deps.runPublish = async (location, request) => {
    const job = container.createChildContainer();
    const ftrack = registerFtrack(job, sessionConfig);
    try {
      const name = location ?? config.location;
      if (!registerStorage(job, name, config, credentials, ftrack.registry, logger)) {
        throw new EncodeError('E_CONFIG_INVALID', `Location "${name}" is not configured on this daemon.`, {
          hint: 'Use ftrack.server or add the disk location to the daemon config (locations).',
        });
      }
      job.register(TOKENS.PublishLock, { useValue: options.lock });
      return await job.resolve(PublishReview).run(request);
    } finally {
      await ftrack.close();
    }
  };
  return { deps, container, close: () => lookups.close() };
}
