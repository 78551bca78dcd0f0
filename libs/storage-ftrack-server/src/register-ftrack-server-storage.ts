import type { DependencyContainer } from 'tsyringe';
import { TOKENS } from '@ftrack-encode/core';
import { FtrackServerStorage, type FtrackServerStorageOptions } from './ftrack-server-storage.js';

/** Registers FtrackServerStorage as TOKENS.StorageAccessor. */
export function registerFtrackServerStorage(container: DependencyContainer, options: FtrackServerStorageOptions): FtrackServerStorage {
  const logger = options.logger ?? (container.isRegistered(TOKENS.Logger, true) ? container.resolve(TOKENS.Logger) : undefined);
  const storage = new FtrackServerStorage({ ...options, ...(logger ? { logger } : {}) });
  container.register(TOKENS.StorageAccessor, { useValue: storage });
  return storage;
}
