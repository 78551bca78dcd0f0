import { EncodeError } from '@ftrack-encode/core';
import { locateCore, resolveWorkerPath, type CoreLocation } from './core-location.js';
import { WasmCoreWorker, type ExecInput, type ExecOptions } from './wasm-core-worker.js';
import type { ExecResult } from './worker-protocol.js';

export interface WasmCoreOptions {
  /** wasm-worker.mjs, when this module runs bundled away from it. */
  workerPath?: string;
}

/**
 * The process's ffmpeg.wasm: one worker started on first use, commands run one after the
 * other. A worker that crashed or was cancelled is thrown away; the next command gets a fresh one.
 */
export class WasmCore {
  private worker: Promise<WasmCoreWorker> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private location: CoreLocation | undefined;

  constructor(private readonly options: WasmCoreOptions = {}) {}

  /** Whether a worker has been started (and not disposed). */
  get started(): boolean {
    return this.worker !== undefined;
  }

  /** @ffmpeg/core package version and the ffmpeg version line it reports. */
  async versions(): Promise<{ packageVersion: string; ffmpeg: string }> {
    const worker = await this.current();
    return { packageVersion: this.core().packageVersion, ffmpeg: worker.version };
  }

  run(input: ExecInput, options: ExecOptions = {}): Promise<ExecResult> {
    const next = this.queue.then(async () => {
      if (options.signal?.aborted) throw new EncodeError('E_CANCELLED', 'Cancelled.');
      const worker = await this.current();
      try {
        return await worker.exec(input, options);
      } catch (error) {
        await worker.terminate();
        throw error;
      }
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Stop the worker (tests, shutdown). A later run starts a new one. */
  async dispose(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await (await worker.catch(() => undefined))?.terminate();
  }

  private core(): CoreLocation {
    this.location ??= locateCore();
    return this.location;
  }

  private async current(): Promise<WasmCoreWorker> {
    const existing = this.worker && (await this.worker.catch(() => undefined));
    if (existing?.alive) return existing;
    const core = this.core();
    const workerPath = resolveWorkerPath(this.options.workerPath);
    this.worker = WasmCoreWorker.start(workerPath, core);
    this.worker.catch(() => {
      this.worker = undefined;
    });
    return this.worker;
  }
}
