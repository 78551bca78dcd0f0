import { z } from 'zod';
import type { EncodePlan, PlannedOutput } from './encode-plan.js';
import type { Rational } from './rational.js';

/** Source frames [start, start + frames), 0-based from the source's first frame. */
export interface FrameRange {
  start: number;
  frames: number;
}

/** `--segments`: a count, or `auto` (from the workers available and the source's length). */
export const SegmentsSetting = z.union([z.number().int().min(1).max(64), z.literal('auto')]);
export type SegmentsSetting = z.infer<typeof SegmentsSetting>;

/** `auto` never splits a source shorter than this: start-up and the join would eat the gain. */
export const MIN_SPLIT_SECONDS = 10;
/** `auto` gives each segment at least this much picture. */
const MIN_AUTO_SEGMENT_SECONDS = 5;

/**
 * `total` frames as `count` contiguous ranges of whole frames, the longer ones first (sizes differ
 * by at most one). Never more ranges than frames.
 */
export function splitFrameRange(total: number, count: number): FrameRange[] {
  if (!Number.isInteger(total) || total < 1) return [];
  const n = Math.max(1, Math.min(Math.floor(count), total));
  const base = Math.floor(total / n);
  const extra = total % n;
  const ranges: FrameRange[] = [];
  let start = 0;
  for (let i = 0; i < n; i++) {
    const frames = base + (i < extra ? 1 : 0);
    ranges.push({ start, frames });
    start += frames;
  }
  return ranges;
}

/** How many segments a run uses: `auto` = one per worker, none under MIN_SPLIT_SECONDS, each at least 5 s. */
export function resolveSegmentCount(setting: SegmentsSetting | undefined, frames: number, rate: Rational, workers: number): number {
  if (setting === undefined) return 1;
  if (setting !== 'auto') return Math.max(1, Math.min(Math.floor(setting), frames));
  const seconds = (frames * rate.den) / rate.num;
  if (seconds < MIN_SPLIT_SECONDS) return 1;
  return Math.max(1, Math.min(workers, Math.floor(seconds / MIN_AUTO_SEGMENT_SECONDS)));
}

/** The review audio of one video output, encoded once over the whole picture. */
export interface AudioPart {
  /** Planned output the audio is for (its codec and container). */
  output: string;
  path: string;
}

/** One joined output: its video segments in order, stream-copied, with its audio muxed in. */
export interface JoinPart {
  output: PlannedOutput;
  /** Segment files in order, with the picture frames each holds (slate frames included in the first). */
  parts: { path: string; frames: number }[];
  audio?: string;
}

/** The steps besides the segment encodes themselves (those are plain `Encoder.encode` of a segment plan). */
export type SegmentStep = { kind: 'audio'; plan: EncodePlan; parts: AudioPart[] } | { kind: 'join'; plan: EncodePlan; join: JoinPart };
