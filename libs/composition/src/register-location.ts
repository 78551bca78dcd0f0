import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DependencyContainer } from 'tsyringe';
import { EncodeError, type Config, type Logger, type ReviewRegistry, type StorageAccessor } from '@ftrack-encode/core';
import type { FtrackEndpoint } from './ftrack-endpoint.js';

export const SERVER_LOCATION = 'ftrack.server';

/** Where interrupted multi-part uploads are journalled, so a re-run resumes them. */
export function uploadJournalDir(config: Config): string {
  return config.upload.journalDir ?? join(tmpdir(), 'ftrack-encode-upload-journals');
}

/** Every location name this configuration can store in, for help text and errors. */
export function locationNames(config: Config): string[] {
  return [SERVER_LOCATION, ...config.locations.map((l) => l.name)];
}

/**
 * TOKENS.StorageAccessor for a location by name: ftrack.server (streamed upload with resume
 * journal) or a disk location from `locations`. The same wiring for every command and job:
 * the configured hash algorithm, the journal, and E_CONFIG_INVALID for an unknown name.
 */
export async function registerLocation(
  container: DependencyContainer,
  config: Config,
  name: string,
  ftrack: FtrackEndpoint,
  registry: Pick<ReviewRegistry, 'locationId'>,
  logger: Logger,
): Promise<StorageAccessor> {
  if (name === SERVER_LOCATION) {
    const { registerFtrackServerStorage } = await import('@ftrack-encode/storage-ftrack-server');
    const { partSize, parallelParts } = config.upload;
    return registerFtrackServerStorage(container, {
      serverUrl: ftrack.serverUrl,
      apiUser: ftrack.apiUser,
      apiKey: ftrack.apiKey,
      journalDir: uploadJournalDir(config),
      algorithm: config.hashAlgorithm,
      parallelParts,
      logger,
      // A configured part size also sets the single-part limit: anything larger goes multi-part.
      ...(partSize ? { partSize, singlePartLimit: partSize } : {}),
    });
  }
  const disk = config.locations.find((l) => l.name === name);
  if (!disk) {
    throw new EncodeError('E_CONFIG_INVALID', `Unknown location "${name}" (known: ${locationNames(config).join(', ')}).`, {
      hint: `Use ftrack.server or add {"name": "${name}", "type": "disk", "prefix": "/mnt/projects"} to "locations" in the config.`,
      details: { location: name },
    });
  }
  const { registerDiskStorage } = await import('@ftrack-encode/storage-disk');
  return registerDiskStorage(container, {
    locationName: disk.name,
    locationId: () => registry.locationId(disk.name),
    prefix: disk.prefix,
    ...(disk.structure ? { structure: disk.structure } : {}),
    algorithm: config.hashAlgorithm,
  });
}
