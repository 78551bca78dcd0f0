import type { HashAlgorithm } from '@ftrack-encode/core';
import { ChunkPool } from './chunk-pool.js';
import { HashLane, resolveHashWorkerPath } from './hash-lane.js';
import { partCountOf, readParts } from './read-parts.js';

/** Chunks are read in 1 MiB pieces: few enough messages to the hash thread, small enough to keep memory low. */
export const CHUNK_BYTES = 1 << 20;

/** The pool for an upload that may hold `bufferBytes` of file data (at least 4 chunks, so reads, hashes and sends overlap). */
export function chunkPoolFor(bufferBytes: number): ChunkPool {
  return new ChunkPool(Math.max(4, Math.round(bufferBytes / CHUNK_BYTES)), CHUNK_BYTES);
}

const FILE = 0;
const PART = 1;

/**
 * The whole file's digest and each part's MD5, computed in a worker thread while the caller goes
 * on reading and sending: every chunk is handed over where it lies (no copy). One thread for
 * both: with SHA extensions SHA-256 costs a third of MD5, and a second thread would cost a V8
 * isolate (~10 MB) of the upload's memory budget for little on a small machine.
 */
export class ParallelHasher {
  private constructor(private readonly lane: HashLane) {}

  static async start(pool: ChunkPool, algorithm: HashAlgorithm, workerPath?: string): Promise<ParallelHasher> {
    return new ParallelHasher(await HashLane.start(resolveHashWorkerPath(workerPath), [algorithm, 'md5'], pool));
  }

  /** Starts both hashes afresh (an upload that starts over reuses the thread). */
  reset(): void {
    void this.lane.digest(FILE);
    void this.lane.digest(PART);
  }

  update(chunk: Parameters<HashLane['update']>[0]): void {
    this.lane.update(chunk);
  }

  /** MD5 of the chunks since the previous part ended. */
  endPart(): Promise<string> {
    return this.lane.digest(PART);
  }

  /** Digest of every chunk so far. */
  endFile(): Promise<string> {
    return this.lane.digest(FILE);
  }

  close(): Promise<void> {
    return this.lane.close();
  }
}

/** The chunk pool and hash thread of one upload. */
export interface UploadHashing {
  pool: ChunkPool;
  hasher: ParallelHasher;
}

/**
 * Starts an upload's hash thread; callers start it before talking to the server so it boots
 * meanwhile. Reading starts only once it is up: a thread booting under a flood of chunks costs
 * ~10 MB more peak memory.
 */
export async function startHashing(bufferBytes: number, algorithm: HashAlgorithm, workerPath?: string): Promise<UploadHashing> {
  const pool = chunkPoolFor(bufferBytes);
  return { pool, hasher: await ParallelHasher.start(pool, algorithm, workerPath) };
}

/** Stops the thread of a hashing that may have failed to start. */
export async function stopHashing(hashing: Promise<UploadHashing>): Promise<void> {
  await hashing.then(
    ({ hasher }) => hasher.close(),
    () => undefined,
  );
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
  const { pool, hasher } = await startHashing(options.bufferBytes ?? 4 * CHUNK_BYTES, options.algorithm, options.workerPath);
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
