import type { DependencyContainer } from 'tsyringe';
import {
  EncodeError,
  type Config,
  type FtrackEndpoint,
  type Logger,
  type ReviewRegistry,
  type SharedSettings,
  type StorageAccessor,
} from '@ftrack-encode/core';
import { STORAGES } from './adapters.js';
import { locationNames, settingsOf } from './adapter-config.js';

export interface LocationWiring {
  logger: Logger;
  shared: SharedSettings;
  ftrack?: FtrackEndpoint;
  registry: Pick<ReviewRegistry, 'locationId'>;
  /** For storages that need another location (none of the built-in ones do). */
  location(name: string): Promise<StorageAccessor>;
}

/**
 * TOKENS.StorageAccessor for a location by name, through the storage plug-in that serves it:
 * a built-in location (ftrack.server) or a `locations` entry of a registered type. The same
 * wiring for every command and job: the configured hash algorithm, the type's settings block
 * (upload journal, part size), and E_CONFIG_INVALID for an unknown name.
 */
export async function registerLocation(container: DependencyContainer, config: Config, name: string, wiring: LocationWiring): Promise<StorageAccessor> {
  const entry = config.locations.find((l) => l.name === name);
  const storage = STORAGES.find((s) => s.builtinLocation === name) ?? (entry ? STORAGES.find((s) => s.id === entry.type) : undefined);
  if (!storage) {
    throw new EncodeError('E_CONFIG_INVALID', `Unknown location "${name}" (known: ${locationNames(config).join(', ')}).`, {
      hint: `Use ftrack.server or add {"name": "${name}", "type": "disk", "prefix": "/mnt/projects"} to "locations" in the config.`,
      details: { location: name },
    });
  }
  const { name: _name, type: _type, ...rest } = entry ?? { name, type: storage.id };
  return storage.register({
    container,
    logger: wiring.logger,
    shared: wiring.shared,
    settings: storage.locationSchema.parse(rest) as never,
    block: settingsOf(storage.config, config) as never,
    ...(wiring.ftrack ? { ftrack: wiring.ftrack } : {}),
    location: wiring.location,
    locationName: name,
    locationId: (locationName) => wiring.registry.locationId(locationName),
  });
}
