import { Worker } from 'node:worker_threads';
import { EncodeError } from '@ftrack-encode/core';
import type { CoreLocation } from './core-location.js';
import type { ExecRequest, ExecResult, WorkerData, WorkerMessage } from './worker-protocol.js';

export type ExecInput = Omit<ExecRequest, 'type' | 'id'>;

/** A run that writes no files (probes, listings, level scans): only what it reads and what it returns. */
export function readOnlyRun(
  program: ExecInput['program'],
  args: string[],
  { mounts = [], collect = [], captureLog = false }: Partial<Pick<ExecInput, 'mounts' | 'collect' | 'captureLog'>> = {},
): ExecInput {
  return { program, args, mounts, files: [], links: [], outputs: [], collect, progress: false, captureLog };
}

export interface ExecOptions {
  signal?: AbortSignal;
  /** Each `key=value` line of `-progress pipe:1`, as ffmpeg writes it. */
  onProgressLine?: (line: string) => void;
}

interface Pending {
  resolve: (result: ExecResult) => void;
  reject: (error: Error) => void;
  onProgressLine?: ((line: string) => void) | undefined;
}

/**
 * One @ffmpeg/core instance in a worker_thread. Runs one command at a time (the core is
 * single-threaded and synchronous). After a crash, a cancel or an exit it is dead for good:
 * callers start a new one, so a corrupted wasm heap is never reused.
 */
export class WasmCoreWorker {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private deadReason: string | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly worker: Worker,
    readonly version: string,
  ) {
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (message: WorkerMessage) => this.onMessage(message));
    worker.on('error', (error) => this.die(`the ffmpeg.wasm worker failed: ${error.message}`));
    worker.on('exit', (code) => this.die(`the ffmpeg.wasm worker exited (code ${code})`));
    // Idle workers must not keep a CLI alive; exec() refs it while a command runs.
    worker.unref();
  }

  static async start(workerPath: string, core: CoreLocation): Promise<WasmCoreWorker> {
    const workerData: WorkerData = { coreUrl: core.coreUrl, wasmPath: core.wasmPath };
    const worker = new Worker(workerPath, { workerData });
    const version = await new Promise<string>((resolve, reject) => {
      const onMessage = (message: WorkerMessage): void => {
        detach();
        if (message.type === 'ready') resolve(message.version);
        else fail(message.type === 'crash' ? message.message : `unexpected ${message.type} message`);
      };
      const onError = (error: Error): void => fail(error.message);
      const onExit = (code: number): void => fail(`worker exited with code ${code}`);
      // Detach only our own listeners: Worker keeps internal ones (removeAllListeners breaks messaging).
      const detach = (): void => {
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      };
      const fail = (message: string): void => {
        detach();
        void worker.terminate();
        reject(new EncodeError('E_ENCODER_MISSING', `ffmpeg.wasm did not load: ${message}`, { hint: 'Check that @ffmpeg/core 0.12.10 is installed intact.' }));
      };
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    });
    return new WasmCoreWorker(worker, version);
  }

  get alive(): boolean {
    return this.deadReason === undefined;
  }

  exec(input: ExecInput, options: ExecOptions = {}): Promise<ExecResult> {
    if (this.deadReason !== undefined) return Promise.reject(new EncodeError('E_ENCODER_FAILED', this.deadReason));
    if (options.signal?.aborted) return Promise.reject(new EncodeError('E_CANCELLED', 'Cancelled.'));
    const id = this.nextId++;
    const request: ExecRequest = { ...input, type: 'exec', id };
    return new Promise<ExecResult>((resolve, reject) => {
      const onAbort = (): void => {
        // exec() inside the worker is synchronous: terminating the thread is the only way to stop it.
        this.pending.get(id)?.reject(new EncodeError('E_CANCELLED', 'Cancelled.'));
        this.die('cancelled');
      };
      const settle =
        <T>(fn: (value: T) => void) =>
        (value: T): void => {
          options.signal?.removeEventListener('abort', onAbort);
          this.pending.delete(id);
          if (this.pending.size === 0) this.worker.unref();
          fn(value);
        };
      this.pending.set(id, { resolve: settle(resolve), reject: settle(reject), onProgressLine: options.onProgressLine });
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.worker.ref();
      this.worker.postMessage(request);
    });
  }

  /** Stop the thread; resolves once it is gone (so no write of it can still land on disk). */
  async terminate(): Promise<void> {
    this.die('terminated');
    await this.exited;
  }

  private onMessage(message: WorkerMessage): void {
    if (message.type === 'ready') return;
    const pending = this.pending.get(message.id);
    if (!pending) return;
    if (message.type === 'progress') pending.onProgressLine?.(message.line);
    else if (message.type === 'result') pending.resolve(message);
    else this.die(`ffmpeg.wasm crashed: ${message.message}`);
  }

  private die(reason: string): void {
    if (this.deadReason !== undefined) return;
    this.deadReason = reason;
    void this.worker.terminate();
    const error = new EncodeError('E_ENCODER_FAILED', reason, {
      hint: 'ffmpeg.wasm aborts on codecs or sizes it cannot handle (VP9, very large frames); try --backend native.',
    });
    for (const pending of [...this.pending.values()]) pending.reject(error);
    this.pending.clear();
  }
}
