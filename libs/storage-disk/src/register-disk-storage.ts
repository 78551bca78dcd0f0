import type { DependencyContainer } from 'tsyringe';
import { TOKENS } from '@ftrack-encode/core';
import { DiskStorageAccessor, type DiskStorageOptions } from './disk-storage-accessor.js';

/** Registers a DiskStorageAccessor as TOKENS.StorageAccessor (one instance per container). */
export function registerDiskStorage(container: DependencyContainer, options: DiskStorageOptions): DiskStorageAccessor {
  const storage = new DiskStorageAccessor(options);
  container.register(TOKENS.StorageAccessor, { useValue: storage });
  return storage;
}
