/** Random access to a file's bytes, so the readers stay pure (Node file, browser File, memory). */
export interface ByteSource {
  readonly size: number;
  /** Up to `length` bytes from `offset` (fewer at the end of the file). */
  read(offset: number, length: number): Promise<Uint8Array>;
}

const latin1 = new TextDecoder('latin1');

/** Bytes as one char each (box types, markers, tag text), whatever their number. */
export function byteText(bytes: Uint8Array): string {
  return latin1.decode(bytes);
}

/** A ByteSource over bytes already in memory. */
export function bytesSource(bytes: Uint8Array): ByteSource {
  return { size: bytes.length, read: async (offset, length) => bytes.subarray(offset, Math.min(bytes.length, offset + length)) };
}

/** The file is the container a reader knows but its structure is broken (truncated, corrupt). */
export class ContainerReadError extends Error {
  override readonly name = 'ContainerReadError';
}

/**
 * Reads through a ByteSource in windows: the readers walk many small headers in file order, one
 * read per window instead of one per header.
 */
export class WindowedReader {
  private window: Uint8Array = new Uint8Array(0);
  private windowStart = 0;

  constructor(
    readonly source: ByteSource,
    private readonly windowSize = 256 * 1024,
  ) {}

  /** Exactly `length` bytes at `offset`, or fewer when the file ends first. */
  async bytes(offset: number, length: number): Promise<Uint8Array> {
    const end = Math.min(offset + length, this.source.size);
    if (offset >= this.windowStart && end <= this.windowStart + this.window.length) {
      return this.window.subarray(offset - this.windowStart, end - this.windowStart);
    }
    if (length > this.windowSize) return this.source.read(offset, length);
    this.window = await this.source.read(offset, this.windowSize);
    this.windowStart = offset;
    return this.window.subarray(0, Math.max(0, end - offset));
  }
}
