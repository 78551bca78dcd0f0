import type { EncodePlan, PlannedOutput } from '../domain/encode-plan.js';
import {
  resolveSegmentCount,
  splitFrameRange,
  type AudioPart,
  type FrameRange,
  type JoinPart,
  type SegmentStep,
  type SegmentsSetting,
} from '../domain/segments.js';

/** A plan cut into frame-exact segments: what each worker encodes, the one audio pass, the joins. */
export interface SegmentedPlan {
  plan: EncodePlan;
  ranges: FrameRange[];
  /** One plan per range: video only, each output written to its segment file; stills go to the segment holding their frame. */
  segments: EncodePlan[];
  /** The review audio of every output that has it, encoded once over the whole picture. */
  audio?: Extract<SegmentStep, { kind: 'audio' }>;
  joins: JoinPart[];
  /** Every intermediate file (segments, audio): removed once joined, and on failure or cancel. */
  scratch: string[];
}

/** The picture frames of a plan: its video outputs' frames without a slate, else the source's. */
export function pictureFrames(plan: EncodePlan): number {
  const video = plan.outputs.find((o) => o.spec.kind === 'video');
  return video ? video.frameCount - (video.slate?.frames ?? 0) : plan.info.frameCount;
}

/** Beside the output's temp file: `.name.<id>.partial.mp4` -> `.name.<id>.<tag>.mp4`. */
function scratchPath(planned: PlannedOutput, tag: string): string {
  return /\.partial\.([^./\\]+)$/.test(planned.tempPath) ? planned.tempPath.replace(/\.partial\.([^./\\]+)$/, `.${tag}.$1`) : `${planned.tempPath}.${tag}`;
}

function segmentOutputs(plan: EncodePlan, range: FrameRange, index: number): PlannedOutput[] {
  const outputs: PlannedOutput[] = [];
  for (const planned of plan.outputs) {
    if (planned.spec.kind === 'image') {
      // A still is taken by the segment that holds its frame, at its place within that segment.
      const frame = planned.frameIndex ?? 0;
      if (frame >= range.start && frame < range.start + range.frames) outputs.push({ ...planned, frameIndex: frame - range.start });
      continue;
    }
    // Only the first segment carries the slate; no segment carries audio (it is encoded once), nor
    // captures the quality gate's reference frames (they are numbered over the whole picture): the
    // gate builds the joined output's reference from the source.
    const { slate, qualityReference, ...rest } = planned;
    const withSlate = index === 0 && slate ? { slate } : {};
    outputs.push({
      ...rest,
      ...withSlate,
      tempPath: scratchPath(planned, `seg${index}`),
      frameCount: range.frames + (index === 0 ? (slate?.frames ?? 0) : 0),
      withAudio: false,
    });
  }
  return outputs;
}

/**
 * Threads each segment may use: the asked count if any, else an equal share of the cores the
 * segments share (0 = the encoder decides, when they do not share one machine).
 */
export function segmentThreads(plan: EncodePlan, count: number, sharedCores: number | undefined): number {
  if (plan.threads > 0 || !sharedCores) return plan.threads;
  return Math.max(1, Math.floor(sharedCores / count));
}

/**
 * Cut a plan into `count` contiguous segments of whole frames (fewer when the source is shorter).
 * Each segment plan has its own id (its own scratch names) and `range`; burn-ins keep counting the
 * source's frames because the argv builder offsets them by `range.start`. With `sharedCores`, the
 * segments run at once on one machine and split its cores between them.
 */
export function planSegments(plan: EncodePlan, count: number, sharedCores?: number): SegmentedPlan {
  const ranges = splitFrameRange(pictureFrames(plan), count);
  const threads = segmentThreads(plan, ranges.length, sharedCores);
  const segments = ranges.map((range, index): EncodePlan => ({
    ...plan,
    id: `${plan.id}-seg${index}`,
    threads,
    range,
    outputs: segmentOutputs(plan, range, index),
    warnings: [],
  }));
  const videos = plan.outputs.filter((o) => o.spec.kind === 'video');
  const audioParts: AudioPart[] = videos.filter((o) => o.withAudio).map((o) => ({ output: o.name, path: scratchPath(o, 'audio') }));
  const joins: JoinPart[] = videos.map((output) => {
    const audio = audioParts.find((a) => a.output === output.name)?.path;
    return {
      output,
      parts: segments.map((segment) => {
        const part = segment.outputs.find((o) => o.name === output.name)!;
        return { path: part.tempPath, frames: part.frameCount };
      }),
      ...(audio ? { audio } : {}),
    };
  });
  return {
    plan,
    ranges,
    segments,
    ...(audioParts.length > 0 ? { audio: { kind: 'audio' as const, plan, parts: audioParts } } : {}),
    joins,
    scratch: [...joins.flatMap((j) => j.parts.map((p) => p.path)), ...audioParts.map((a) => a.path)],
  };
}

/**
 * The plan cut into segments when asked and possible; undefined for one pass. `workers` is how many
 * segments the backend runs at once (undefined: it cannot join segments), `cores` the cores they share
 * on one machine, if they do. A backend that cannot, or a still, runs one pass, with a warning on
 * the plan when a count was asked for.
 */
export function segmentationFor(
  plan: EncodePlan,
  setting: SegmentsSetting | undefined,
  backend: { id: string; workers: number | undefined; cores?: number | undefined },
): SegmentedPlan | undefined {
  if (setting === undefined || setting === 1 || plan.info.isStill || !plan.outputs.some((o) => o.spec.kind === 'video')) return undefined;
  if (backend.workers === undefined) {
    if (setting !== 'auto') (plan.warnings ??= []).push(`The ${backend.id} backend cannot encode in segments: one pass instead of ${setting}.`);
    return undefined;
  }
  const count = resolveSegmentCount(setting, pictureFrames(plan), plan.info.frameRate, backend.workers);
  return count < 2 ? undefined : planSegments(plan, count, backend.cores);
}

/**
 * The picture frames either side of every join (the last of one segment, the first of the next):
 * where a dropped or doubled frame would show.
 */
export function boundaryFrames(ranges: readonly FrameRange[]): number[] {
  return [...new Set(ranges.slice(1).flatMap((r) => [r.start - 1, r.start]))];
}
