/** Every frame (the QC report's per-frame plot) instead of a sample. */
export const ALL_FRAMES = 'all';

/**
 * Keep only `frames` (0-based) of a stream, renumbered: pts become the pick's index in seconds,
 * so frames picked from two streams meet in the metric filters by time. Commas inside the
 * expression are escaped for the graph.
 */
export function selectFrames(frames: readonly number[] | typeof ALL_FRAMES): string {
  if (frames === ALL_FRAMES) return 'setpts=N/TB';
  return `select=${frames.map((n) => `eq(n\\,${n})`).join('+')},setpts=N/TB`;
}
