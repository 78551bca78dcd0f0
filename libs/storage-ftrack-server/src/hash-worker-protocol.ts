/** Messages between HashLane (main thread) and hash-worker.mjs. Keep both in step. */

export interface HashWorkerData {
  /** A node:crypto hash name (sha256, md5, ...). */
  algorithm: string;
  /** The chunk pool's buffers, shared: a chunk is named by its slot, never copied. */
  buffers: SharedArrayBuffer[];
}

/** Hash `length` bytes of slot `slot`, or finish the running hash and start a new one. */
export type HashRequest = { type: 'update'; slot: number; length: number } | { type: 'digest' };

/** The slot is hashed (its buffer may be reused), or the digest asked for. */
export type HashReply = { type: 'hashed'; slot: number } | { type: 'digest'; hex: string };
