import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { WriteReply, WriteRequest } from './write-worker-protocol.js';

/**
 * write-worker.mjs is a plain .mjs beside this module (as storage-ftrack-server's hash-worker.mjs):
 * a bundle that inlines this module ships it next to itself (tools/build.mjs copies it to dist/).
 */
export function resolveWriteWorkerPath(override?: string): string {
  const path = override ?? fileURLToPath(new URL('./write-worker.mjs', import.meta.url));
  if (!existsSync(path)) {
    throw new Error(`The storage write worker script is missing: ${path} (copy libs/ftrack-local/src/storage/write-worker.mjs next to the bundle).`);
  }
  return path;
}

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}

interface StreamState {
  /** Batches posted and not yet acknowledged, oldest first (the thread answers in order). */
  writes: Waiter<void>[];
  digest?: Waiter<string>;
  /** Why the stream failed: later writes and the digest fail with it. */
  failed?: Error;
}

/** One body being written: its batches go into one MD5, in the order they are written. */
export interface ThreadStream {
  /** Hashes `chunks` and writes them at `position` of `fd`; their buffers are transferred (detached here). */
  write(fd: number, position: number, chunks: Uint8Array[]): Promise<void>;
  /** MD5 (hex) of everything written; the stream is done. */
  finish(): Promise<string>;
  /** Forgets the stream (after a failure; call once its writes have settled). */
  drop(): void;
}

/**
 * The storage's write thread (write-worker.mjs), shared by every body being written: the main
 * thread hands over batches and waits for their acknowledgements. Started on first use and
 * again after a crash (which fails every write in flight); unreferenced while idle, so an idle
 * thread never keeps the process alive.
 */
export class WriteThread {
  private worker: Worker | undefined;
  private readonly streams = new Map<number, StreamState>();
  private nextStream = 1;

  constructor(private readonly workerPath: string) {}

  stream(): ThreadStream {
    const id = this.nextStream++;
    const state: StreamState = { writes: [] };
    this.streams.set(id, state);
    const worker = this.running();
    worker.ref();
    const forget = () => {
      this.streams.delete(id);
      if (this.streams.size === 0) this.worker?.unref();
    };
    const stopped = () => state.failed ?? (this.worker === worker ? undefined : new Error('the storage write thread stopped'));
    return {
      write: (fd, position, chunks) =>
        new Promise<void>((resolve, reject) => {
          const failure = stopped();
          if (failure) return reject(failure);
          state.writes.push({ resolve, reject });
          const request: WriteRequest = { type: 'write', stream: id, fd, position, chunks };
          worker.postMessage(request, [...new Set(chunks.map((c) => c.buffer as ArrayBuffer))]);
        }),
      finish: () =>
        new Promise<string>((resolve, reject) => {
          const failure = stopped();
          if (failure) {
            forget();
            return reject(failure);
          }
          state.digest = {
            resolve: (hex) => (forget(), resolve(hex)),
            reject: (error) => (forget(), reject(error)),
          };
          this.post(worker, { type: 'finish', stream: id });
        }),
      drop: () => {
        if (this.worker === worker) this.post(worker, { type: 'drop', stream: id });
        forget();
      },
    };
  }

  /** Stops the thread (a server closing); writes in flight fail. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
    this.failAll(new Error('the storage write thread was closed'));
  }

  private running(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.workerPath);
    worker.on('message', (reply: WriteReply) => this.onReply(reply));
    const stopped = (error: Error) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.failAll(error);
    };
    worker.on('error', (error) => stopped(new Error(`the storage write thread failed: ${error.message}`)));
    worker.on('exit', (code) => stopped(new Error(`the storage write thread stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private post(worker: Worker, request: WriteRequest): void {
    worker.postMessage(request);
  }

  private onReply(reply: WriteReply): void {
    const state = this.streams.get(reply.stream);
    if (!state || state.failed) return;
    if (reply.type === 'written') state.writes.shift()?.resolve();
    else if (reply.type === 'digest') state.digest?.resolve(reply.md5Hex);
    else this.failStream(state, new Error(reply.message));
  }

  private failStream(state: StreamState, error: Error): void {
    state.failed ??= error;
    for (const write of state.writes.splice(0)) write.reject(error);
    const digest = state.digest;
    state.digest = undefined;
    digest?.reject(error);
  }

  private failAll(error: Error): void {
    for (const state of [...this.streams.values()]) this.failStream(state, error);
  }
}
