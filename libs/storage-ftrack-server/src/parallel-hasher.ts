import type { HashAlgorithm } from '@ftrack-encode/core';
import { ChunkPool } from './chunk-pool.js';
import { HashLane, resolveHashWorkerPath } from './hash-lane.js';
import { partCountOf, readParts } from './read-parts.js';

/** Chunks are read in 1 MiB pieces: few enough messages to the hash threads, small enough to keep memory low. */
export const CHUNK_BYTES = 1 << 20;

/** The pool for an upload that may hold `bufferBytes` of file data (at least 4 chunks, so reads, hashes and sends overlap). */
export function chunkPoolFor(bufferBytes: number): ChunkPool {
  return new ChunkPool(Math.max(4, Math.round(bufferBytes / CHUNK_BYTES)), CHUNK_BYTES);
}

/**
 * The whole file's digest and each part's MD5, each in its own worker thread and side by side:
 * every chunk is handed to both (no copy), and the caller goes on reading and sending.
 */
export class ParallelHasher {
  private constructor(
    private readonly file: HashLane,
    private readonly parts: HashLane,
  ) {}

  static start(pool: ChunkPool, algorithm: HashAlgorithm, workerPath?: string): ParallelHasher {
    const path = resolveHashWorkerPath(workerPath);
    return new ParallelHasher(HashLane.start(path, algorithm, pool), HashLane.start(path, 'md5', pool));
  }

  update(chunk: Parameters<HashLane['update']>[0]): void {
    this.file.update(chunk);
    this.parts.update(chunk);
  }

  /** MD5 of the chunks since the previous part ended. */
  endPart(): Promise<string> {
    return this.parts.digest();
  }

  /** Digest of every chunk so far. */
  endFile(): Promise<string> {
    return this.file.digest();
  }

  async close(): Promise<void> {
    await Promise.all([this.file.close(), this.parts.close()]);
  }
}

export interface FileDigests {
  fileHex: string;
  partMd5s: string[];
}

/** Hashes a file the way an upload does (one read, worker threads): its digest and each part's MD5. */
export async function hashFileInParts(
  path: string,
  size: number,
  options: { partSize: number; algorithm: HashAlgorithm; bufferBytes?: number; workerPath?: string },
): Promise<FileDigests> {
  const pool = chunkPoolFor(options.bufferBytes ?? 4 * CHUNK_BYTES);
  const hasher = ParallelHasher.start(pool, options.algorithm, options.workerPath);
  const partMd5s: Promise<string>[] = [];
  try {
    await readParts(path, size, options.partSize, pool, {
      startPart: () => Promise.resolve(),
      chunk: (chunk) => hasher.update(chunk),
      endPart: () => void partMd5s.push(hasher.endPart()),
    });
    const [fileHex, ...md5s] = await Promise.all([hasher.endFile(), ...partMd5s]);
    if (md5s.length !== partCountOf(size, options.partSize)) throw new Error('a part was not hashed');
    return { fileHex: fileHex!, partMd5s: md5s };
  } finally {
    await hasher.close();
  }
}
