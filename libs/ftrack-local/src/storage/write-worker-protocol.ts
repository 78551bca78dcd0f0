/** Messages between WriteThread (main thread) and write-worker.mjs. Keep both in step. */

/**
 * Append `chunks` (transferred, not copied) to stream `stream`'s MD5 and write them at `position`
 * of the open file descriptor `fd`; finish a stream (its MD5, then it is forgotten); or forget it.
 */
export type WriteRequest =
  { type: 'write'; stream: number; fd: number; position: number; chunks: Uint8Array[] } | { type: 'finish'; stream: number } | { type: 'drop'; stream: number };

/** A batch is on disk (in the page cache) and its buffers freed; a batch failed (the stream is forgotten); the MD5 of a finished stream. */
export type WriteReply =
  { type: 'written'; stream: number } | { type: 'failed'; stream: number; message: string } | { type: 'digest'; stream: number; md5Hex: string };
