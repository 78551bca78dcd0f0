/** What the pool needs of an ffmpeg.wasm instance: a way to stop it (it starts again on next use). */
export interface PooledCore {
  dispose(): Promise<void>;
}

/**
 * Up to `size` ffmpeg.wasm cores, each in its own worker (Node worker thread, browser web worker),
 * for work that runs side by side (the segments of one encode). A job takes an idle core, starting
 * one while fewer than `size` exist, else waits for the first to come free. Cores stay for the next
 * encode; a crashed or stopped one starts afresh on next use. No Node or DOM API: both backends use it.
 */
export class CorePool<C extends PooledCore> {
  private readonly cores: C[] = [];
  private readonly busy = new Set<C>();
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly size: number,
    private readonly create: () => C,
  ) {}

  async use<T>(job: (core: C) => Promise<T>): Promise<T> {
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

  private async acquire(): Promise<C> {
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
