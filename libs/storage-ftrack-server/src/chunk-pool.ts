/**
 * A fixed set of buffers that file chunks are read into and that the hash thread and the
 * sockets read from: an upload holds at most `count × chunkBytes` of file data, whatever the
 * file size. Buffers are SharedArrayBuffers so a hash thread reads a chunk where it lies.
 */
export class ChunkPool {
  readonly buffers: SharedArrayBuffer[];
  private readonly free: number[];
  private readonly waiting: ((slot: number) => void)[] = [];

  constructor(
    count: number,
    readonly chunkBytes: number,
  ) {
    this.buffers = Array.from({ length: count }, () => new SharedArrayBuffer(chunkBytes));
    this.free = this.buffers.map((_, slot) => slot);
  }

  /** A free slot; waits until one is given back (the reader's back-pressure). */
  take(): Promise<number> {
    const slot = this.free.pop();
    return slot === undefined ? new Promise((resolve) => this.waiting.push(resolve)) : Promise.resolve(slot);
  }

  giveBack(slot: number): void {
    const next = this.waiting.shift();
    if (next) next(slot);
    else this.free.push(slot);
  }

  view(slot: number, length: number): Buffer {
    return Buffer.from(this.buffers[slot]!, 0, length);
  }
}

/**
 * One chunk read into a pool slot. Everyone who reads it (the hash thread, a request body)
 * holds it; the slot goes back to the pool when the reader and every holder have let go.
 */
export class Chunk {
  private holders = 1; // the reader's own hold, dropped by release()

  constructor(
    private readonly pool: ChunkPool,
    readonly slot: number,
    readonly bytes: Buffer,
  ) {}

  /** Another holder; the function returned lets go (calling it twice is harmless). */
  hold(): () => void {
    this.holders += 1;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.release();
    };
  }

  /** The reader is done with it. */
  release(): void {
    this.holders -= 1;
    if (this.holders === 0) this.pool.giveBack(this.slot);
  }
}
