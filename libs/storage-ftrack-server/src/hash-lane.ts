import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { EncodeError } from '@ftrack-encode/core';
import type { Chunk, ChunkPool } from './chunk-pool.js';
import type { HashReply, HashRequest, HashWorkerData } from './hash-worker-protocol.js';

/**
 * hash-worker.mjs is a plain .mjs beside this module (as encoder-wasm's wasm-worker.mjs): a
 * bundle that inlines this module ships it next to itself (tools/build.mjs copies it to dist/).
 */
export function resolveHashWorkerPath(override?: string): string {
  const path = override ?? fileURLToPath(new URL('./hash-worker.mjs', import.meta.url));
  if (!existsSync(path)) {
    throw new EncodeError('E_STORAGE_FAILED', `The upload hash worker script is missing: ${path}.`, {
      hint: 'Copy libs/storage-ftrack-server/src/hash-worker.mjs next to the bundled entry point, or set hashWorkerPath.',
      details: { hashWorkerPath: path },
    });
  }
  return path;
}

/** Running hashes in a worker thread, over chunks of a pool (each chunk held until hashed). */
export class HashLane {
  private readonly held = new Map<number, () => void>();
  /** Digests asked for, per hash, answered in order. */
  private readonly digests = new Map<number, { resolve(hex: string): void; reject(error: Error): void }[]>();
  private failure: Error | undefined;
  private closing = false;
  private onReady: () => void = () => undefined;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (reply: HashReply) => this.onReply(reply));
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => this.fail(new Error(`the hash worker exited (code ${code})`)));
  }

  /** Resolves once the thread is set up (or rejects: the script failed to load). */
  static async start(workerPath: string, algorithms: string[], pool: ChunkPool): Promise<HashLane> {
    const workerData: HashWorkerData = { algorithms, buffers: pool.buffers };
    const worker = new Worker(workerPath, { workerData });
    const lane = new HashLane(worker);
    await new Promise<void>((resolve, reject) => {
      lane.onReady = resolve;
      worker.once('exit', () => reject(lane.failure ?? new Error('the hash worker did not start')));
    });
    return lane;
  }

  update(chunk: Chunk): void {
    if (this.failure) return;
    this.held.set(chunk.slot, chunk.hold());
    this.post({ type: 'update', slot: chunk.slot, length: chunk.bytes.length });
  }

  /** Digest of hash `hash` (index into the algorithms) over everything since its previous digest. */
  digest(hash: number): Promise<string> {
    const digest = this.failure
      ? Promise.reject(this.failure)
      : new Promise<string>((resolve, reject) => {
          const waiting = this.digests.get(hash) ?? [];
          waiting.push({ resolve, reject });
          this.digests.set(hash, waiting);
          this.post({ type: 'digest', hash });
        });
    // A digest nobody waits for any more (the upload failed first) must not become an unhandled rejection.
    digest.catch(() => undefined);
    return digest;
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.worker.terminate();
    this.letGo();
  }

  private post(request: HashRequest): void {
    this.worker.postMessage(request);
  }

  private onReply(reply: HashReply): void {
    if (reply.type === 'ready') {
      this.onReady();
    } else if (reply.type === 'hashed') {
      this.held.get(reply.slot)?.();
      this.held.delete(reply.slot);
    } else {
      this.digests.get(reply.hash)?.shift()?.resolve(reply.hex);
    }
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = this.closing ? new Error('the hash worker was closed') : new EncodeError('E_STORAGE_FAILED', `Hashing the upload failed: ${error.message}`);
    for (const waiting of this.digests.values()) for (const pending of waiting.splice(0)) pending.reject(this.failure);
    this.letGo();
  }

  private letGo(): void {
    for (const release of this.held.values()) release();
    this.held.clear();
  }
}
