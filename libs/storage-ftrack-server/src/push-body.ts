import type { Chunk } from './chunk-pool.js';
import type { BodyChunk } from './put-bytes.js';

/**
 * A request body fed by the file reader: the reader pushes chunks (each held until the socket
 * has written it), the request pulls them. Memory is bounded by the chunk pool, not here. Once
 * detached (the request failed) pushes are dropped, so the reader — which must still hash every
 * byte in order — never waits on a dead request.
 */
export class PushBody implements AsyncIterable<BodyChunk> {
  private queue: BodyChunk[] = [];
  private ended = false;
  private detached = false;
  private wake: (() => void) | undefined;

  push(chunk: Chunk): void {
    if (this.detached) return;
    this.queue.push({ bytes: chunk.bytes, release: chunk.hold() });
    this.notify();
  }

  end(): void {
    this.ended = true;
    this.notify();
  }

  detach(): void {
    this.detached = true;
    for (const chunk of this.queue) chunk.release();
    this.queue = [];
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<BodyChunk> {
    for (;;) {
      const chunk = this.queue.shift();
      if (chunk) {
        yield chunk;
        continue;
      }
      if (this.ended || this.detached) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}
