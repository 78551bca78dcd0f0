// Disk / centralized-storage locations as a plug-in: `{"name", "type": "disk", "prefix", "structure"}`.
import { z } from 'zod';
import type { StorageDescriptor } from '@ftrack-encode/core';

export const DiskLocationSettings = z.object({
  /** Root directory every file lives under; nothing is ever written outside it. */
  prefix: z.string().min(1),
  /** Path template relative to the prefix (placeholders: project sequence shot asset version component componentId ext). */
  structure: z.string().optional(),
});
export type DiskLocationSettings = z.infer<typeof DiskLocationSettings>;

export const diskStorage: StorageDescriptor<DiskLocationSettings> = {
  kind: 'storage',
  id: 'disk',
  summary: 'a disk or centralized-storage location: prefix + structure, atomic, never replacing files',
  locationSchema: DiskLocationSettings,
  async register({ container, settings, shared, locationName, locationId }) {
    const { registerDiskStorage } = await import('./register-disk-storage.js');
    return registerDiskStorage(container, {
      locationName,
      locationId: () => locationId(locationName),
      prefix: settings.prefix,
      ...(settings.structure ? { structure: settings.structure } : {}),
      algorithm: shared.hashAlgorithm,
    });
  },
};
