// ftrack.server as a plug-in: a built-in location, with the `upload` block for every upload.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { EncodeError, type StorageDescriptor } from '@ftrack-encode/core';
import { SERVER_LOCATION_NAME } from '@ftrack-encode/ftrack-protocol';

/** The `upload` block: part size (files larger than one part go multi-part), parts in flight, resume journals. */
export const UploadSettings = z.object({
  partSize: z.coerce
    .number()
    .int()
    .min(5 * 1024)
    .optional(),
  parallelParts: z.number().int().min(1).max(32).default(6),
  /** Resume journals of interrupted multi-part uploads (default: <tmp>/ftrack-encode-upload-journals). */
  journalDir: z.string().optional(),
});
export type UploadSettings = z.infer<typeof UploadSettings>;

export function uploadJournalDir(settings: UploadSettings): string {
  return settings.journalDir ?? join(tmpdir(), 'ftrack-encode-upload-journals');
}

export const ftrackServerStorage: StorageDescriptor<Record<string, never>, UploadSettings> = {
  kind: 'storage',
  id: 'ftrack-server',
  summary: "ftrack's own storage (streamed single/multi-part upload, resumable)",
  locationSchema: z.object({}),
  config: { key: 'upload', schema: UploadSettings, env: { FTRACK_ENCODE_PART_SIZE: 'partSize' } },
  builtinLocation: SERVER_LOCATION_NAME,
  async register({ container, ftrack, shared, block, logger }) {
    if (!ftrack)
      throw new EncodeError('E_CONFIG_INVALID', 'ftrack.server needs an ftrack connection.', {
        hint: 'Set FTRACK_SERVER, FTRACK_API_USER and FTRACK_API_KEY.',
      });
    const { registerFtrackServerStorage } = await import('./register-ftrack-server-storage.js');
    const { partSize, parallelParts } = block;
    return registerFtrackServerStorage(container, {
      ...ftrack,
      journalDir: uploadJournalDir(block),
      algorithm: shared.hashAlgorithm,
      parallelParts,
      logger,
      // A configured part size also sets the single-part limit: anything larger goes multi-part.
      ...(partSize ? { partSize, singlePartLimit: partSize } : {}),
    });
  },
};
