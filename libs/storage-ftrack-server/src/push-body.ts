/** Bytes that may sit in upload bodies at once, shared by all parts of one upload. */
export class ByteBudget {
  private used = 0;
  private waiters: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async acquire(bytes: number): Promise<void> {
    // Always admit one chunk when nothing is held, so a chunk larger than the limit cannot deadlock.
    while (this.used > 0 && this.used + bytes > this.limit) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    this.used += bytes;
  }

  release(bytes: number): void {
    this.used -= bytes;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/**
 * A request body fed by the file reader: the reader pushes chunks (waiting on the shared budget),
 * fetch pulls them. Once detached (the request failed) pushes are dropped, so the reader — which
 * must still hash every byte in order — never blocks on a dead request.
 */
export class PushBody implements AsyncIterable<Uint8Array> {
  private queue: Uint8Array[] = [];
  private ended = false;
  private detached = false;
  private wake: (() => void) | undefined;

  constructor(private readonly budget: ByteBudget) {}

  async push(chunk: Uint8Array): Promise<void> {
    if (this.detached) return;
    await this.budget.acquire(chunk.length);
    if (this.detached) {
      this.budget.release(chunk.length);
      return;
    }
    this.queue.push(chunk);
    this.notify();
  }

  end(): void {
    this.ended = true;
    this.notify();
  }

  detach(): void {
    this.detached = true;
    for (const chunk of this.queue) this.budget.release(chunk.length);
    this.queue = [];
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for (;;) {
      const chunk = this.queue.shift();
      if (chunk) {
        this.budget.release(chunk.length);
        yield chunk;
        continue;
      }
      if (this.ended || this.detached) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}
