import { open } from 'node:fs/promises';
import { EncodeError } from '@ftrack-encode/core';
import { Chunk, type ChunkPool } from './chunk-pool.js';

export interface PartReader {
  startPart(part: number): Promise<void>;
  /** A chunk of the current part; hold it (chunk.hold()) to keep it past this call. */
  chunk(chunk: Chunk, part: number): Promise<void> | void;
  endPart(part: number): Promise<void> | void;
}

/** Parts of `partSize` bytes (the last one shorter); a file of 0 bytes is one empty part. */
export function partCountOf(size: number, partSize: number): number {
  return Math.max(1, Math.ceil(size / partSize));
}

/**
 * Reads [0, size) of a file once, in order, into pool chunks that never span two parts. Taking
 * a slot waits while every slot is held, which is what keeps memory flat. A file that is
 * shorter or longer than `size` by the end is an error (it changed while being uploaded).
 */
export async function readParts(path: string, size: number, partSize: number, pool: ChunkPool, reader: PartReader, signal?: AbortSignal): Promise<void> {
  const handle = await open(path, 'r');
  const changed = () =>
    new EncodeError('E_STORAGE_FAILED', `${path} changed while uploading (expected ${size} bytes).`, {
      hint: 'Publish files that are complete; re-run once the file is final.',
    });
  try {
    const parts = partCountOf(size, partSize);
    for (let part = 1; part <= parts; part += 1) {
      await reader.startPart(part);
      const end = Math.min(size, part * partSize);
      for (let position = (part - 1) * partSize; position < end;) {
        signal?.throwIfAborted();
        const slot = await pool.take();
        const length = Math.min(pool.chunkBytes, end - position);
        const bytes = pool.view(slot, length);
        let filled = 0;
        try {
          while (filled < length) {
            const { bytesRead } = await handle.read(bytes, filled, length - filled, position + filled);
            if (bytesRead === 0) throw changed();
            filled += bytesRead;
          }
        } catch (error) {
          pool.giveBack(slot);
          throw error;
        }
        const chunk = new Chunk(pool, slot, bytes);
        try {
          await reader.chunk(chunk, part);
        } finally {
          chunk.release();
        }
        position += length;
      }
      await reader.endPart(part);
    }
    if ((await handle.stat()).size !== size) throw changed();
  } finally {
    await handle.close();
  }
}
