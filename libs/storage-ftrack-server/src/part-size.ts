const MiB = 1024 * 1024;
const MAX_PARTS = 10_000;

/** The JS client's getChunkSize ladder: bigger files get bigger parts (protocol §8.1). */
export function ladderPartSize(size: number): number {
  if (size > 64 * 1024 * MiB) return 128 * MiB;
  if (size > 8 * 1024 * MiB) return 64 * MiB;
  if (size > 1024 * MiB) return 32 * MiB;
  if (size > 128 * MiB) return 16 * MiB;
  return 8 * MiB;
}

/** Part size for a file: the configured size, else the ladder; never more than 10 000 parts. */
export function partSizeFor(size: number, configured?: number): number {
  return Math.max(configured ?? ladderPartSize(size), Math.ceil(size / MAX_PARTS), 1);
}
