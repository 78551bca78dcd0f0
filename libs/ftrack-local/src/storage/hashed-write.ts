// A request body into a file at a position, MD5-hashed on the way. The socket hands over ~64 KiB
// chunks; writing each one on its own costs a thread-pool round trip per chunk (the main thread
// then spends more time handing writes over than hashing), so chunks are gathered into ~1 MiB
// batches and each batch is one positioned writev, written while the next batch arrives.
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { addAbortSignal, type Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

export interface StoredFile {
  md5Hex: string;
  size: number;
}

export interface HashedWriteOptions {
  /** Pace the write to this rate (the slow-storage fault). */
  bytesPerSecond?: number;
  signal?: AbortSignal;
}

/** Bytes gathered before one writev; one batch is written while the next one fills. */
export const WRITE_BATCH_BYTES = 1 << 20;
/** Below IOV_MAX (1024) whatever the chunk sizes. */
const MAX_BATCH_BUFFERS = 256;

/** Streams `source` into `handle` from `position` on; resolves with the MD5 and byte count written. */
export async function writeHashed(source: Readable, handle: FileHandle, position: number, options: HashedWriteOptions = {}): Promise<StoredFile> {
  if (options.signal) addAbortSignal(options.signal, source);
  const hash = createHash('md5');
  const started = Date.now();
  let size = 0;
  let batch: Buffer[] = [];
  let batchBytes = 0;
  let writing: Promise<void> = Promise.resolve();
  const flush = async () => {
    const buffers = batch;
    const at = position + size - batchBytes;
    batch = [];
    batchBytes = 0;
    await writing; // one batch in flight: memory stays at two batches per request
    writing = writeAll(handle, buffers, at);
    writing.catch(() => undefined); // awaited by the next flush or at the end
  };
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      hash.update(chunk);
      size += chunk.length;
      batch.push(chunk);
      batchBytes += chunk.length;
      if (batchBytes >= WRITE_BATCH_BYTES || batch.length >= MAX_BATCH_BUFFERS) await flush();
      if (options.bytesPerSecond) await sleep(Math.max(0, started + (size / options.bytesPerSecond) * 1000 - Date.now()));
    }
    if (batchBytes > 0) await flush();
    await writing;
  } catch (error) {
    await writing.catch(() => undefined); // never leave a write running on a handle the caller closes
    throw error;
  }
  return { md5Hex: hash.digest('hex'), size };
}

/** One positioned writev, continued after a short write (which a regular file gives only near ENOSPC). */
async function writeAll(handle: FileHandle, buffers: Buffer[], position: number): Promise<void> {
  let rest = buffers;
  let at = position;
  while (rest.length > 0) {
    let { bytesWritten } = await handle.writev(rest, at);
    if (bytesWritten === 0) throw new Error('the disk took no more bytes');
    at += bytesWritten;
    while (rest.length > 0 && bytesWritten >= rest[0]!.length) bytesWritten -= rest.shift()!.length;
    if (bytesWritten > 0) rest = [rest[0]!.subarray(bytesWritten), ...rest.slice(1)];
  }
}
