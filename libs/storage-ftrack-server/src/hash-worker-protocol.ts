/** Messages between HashLane (main thread) and hash-worker.mjs. Keep both in step. */

export interface HashWorkerData {
  /** node:crypto hash names (sha256, md5, ...): every chunk goes into each of them. */
  algorithms: string[];
  /** The chunk pool's buffers, shared: a chunk is named by its slot, never copied. */
  buffers: SharedArrayBuffer[];
}

/** Hash `length` bytes of slot `slot` into every hash, or finish hash `hash` and start it anew. */
export type HashRequest = { type: 'update'; slot: number; length: number } | { type: 'digest'; hash: number };

/** The thread is set up; a slot is hashed (its buffer may be reused); or the digest asked for. */
export type HashReply = { type: 'ready' } | { type: 'hashed'; slot: number } | { type: 'digest'; hash: number; hex: string };
