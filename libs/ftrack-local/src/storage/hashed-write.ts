// A request body into a file at a position, MD5-hashed on the way, by the storage's write thread
// (write-thread.ts): the main thread only gathers the socket's ~64 KiB chunks into ~1 MiB
// batches and hands each batch over (transferred when the chunks are the body's own buffers),
// so receiving, hashing and writing run side by side. A bounded number of batches per body is
// in flight: when the thread falls behind, the body stops being read (TCP back-pressure).
import type { FileHandle } from 'node:fs/promises';
import { addAbortSignal, type Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WriteThread } from './write-thread.js';

export interface StoredFile {
  md5Hex: string;
  size: number;
}

export interface HashedWriteOptions {
  /** Pace the write to this rate (the slow-storage fault). */
  bytesPerSecond?: number;
  signal?: AbortSignal;
  /**
   * The body's chunks are fresh buffers nobody else reads (an HTTP request body): each one that
   * is a whole ArrayBuffer is handed to the write thread without a copy (and detached here).
   * Otherwise every chunk is copied once (a view is never detached: the rest is not ours).
   */
  ownsChunks?: boolean;
}

/** Bytes gathered before one hand-over (one positioned writev on the thread). */
export const WRITE_BATCH_BYTES = 1 << 20;
/** Below IOV_MAX (1024) whatever the chunk sizes. */
const MAX_BATCH_BUFFERS = 256;
/** Batches of one body handed over and not yet written: memory stays at a few MiB per request. */
const MAX_BATCHES_IN_FLIGHT = 2;

/** Streams `source` into `handle` from `position` on; resolves with the MD5 and byte count written. */
export async function writeHashed(
  source: Readable,
  handle: FileHandle,
  position: number,
  thread: WriteThread,
  options: HashedWriteOptions = {},
): Promise<StoredFile> {
  if (options.signal) addAbortSignal(options.signal, source);
  const stream = thread.stream();
  const started = Date.now();
  const inFlight: Promise<void>[] = [];
  let size = 0;
  let batch: Uint8Array[] = [];
  let batchBytes = 0;
  const flush = async () => {
    if (inFlight.length >= MAX_BATCHES_IN_FLIGHT) await inFlight.shift();
    const written = stream.write(handle.fd, position + size - batchBytes, batch);
    written.catch(() => undefined); // awaited by a later flush or at the end
    inFlight.push(written);
    batch = [];
    batchBytes = 0;
  };
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      size += chunk.length;
      batch.push(options.ownsChunks && isWholeBuffer(chunk) ? chunk : new Uint8Array(chunk));
      batchBytes += chunk.length;
      if (batchBytes >= WRITE_BATCH_BYTES || batch.length >= MAX_BATCH_BUFFERS) await flush();
      if (options.bytesPerSecond) await sleep(Math.max(0, started + (size / options.bytesPerSecond) * 1000 - Date.now()));
    }
    if (batchBytes > 0) await flush();
    await Promise.all(inFlight);
    return { md5Hex: await stream.finish(), size };
  } catch (error) {
    await Promise.allSettled(inFlight); // never leave a write running on a handle the caller closes
    stream.drop();
    throw error;
  }
}

/** A chunk that is its whole ArrayBuffer (transferring it detaches nothing else). */
function isWholeBuffer(chunk: Uint8Array): boolean {
  return chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength && chunk.buffer instanceof ArrayBuffer;
}
