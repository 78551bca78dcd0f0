import type { WasmCore } from './wasm-core.js';

/**
 * Up to `size` ffmpeg.wasm cores, each in its own worker thread, for work that runs side by side
 * (the segments of one encode). A job takes an idle core, starting one while fewer than `size`
 * exist, else waits for the first to come free. Cores stay for the next encode (their workers are
 * unref'd when idle); a crashed one replaces its own worker on next use.
 */
export class WasmCorePool {
  private readonly cores: WasmCore[] = [];
  private readonly busy = new Set<WasmCore>();
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly size: number,
    private readonly create: () => WasmCore,
  ) {}

  async use<T>(job: (core: WasmCore) => Promise<T>): Promise<T> {
    const core = await this.acquire();
    try {
      return await job(core);
    } finally {
      this.busy.delete(core);
      this.waiting.shift()?.();
    }
  }

  async dispose(): Promise<void> {
    await Promise.all(this.cores.map((core) => core.dispose()));
  }

  private async acquire(): Promise<WasmCore> {
    for (;;) {
      const idle = this.cores.find((core) => !this.busy.has(core));
      const core = idle ?? (this.cores.length < this.size ? this.cores[this.cores.push(this.create()) - 1] : undefined);
      if (core) {
        this.busy.add(core);
        return core;
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }
}
