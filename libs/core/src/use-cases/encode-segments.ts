import type { EncodePlan, EncodedOutput, ProducedFile } from '../domain/encode-plan.js';
import type { Encoder } from '../ports/encoder.js';
import type { FileSystem } from '../ports/file-system.js';
import type { Logger } from '../ports/logger.js';
import type { ProgressListener, RunOptions } from '../ports/progress.js';
import type { QualityMeter } from '../ports/quality-meter.js';
import type { SegmentStep } from '../domain/segments.js';
import { EncodeError, isEncodeError, throwIfCancelled, toEncodeError } from '../errors.js';
import { boundaryFrames, type SegmentedPlan } from '../plan/segment-plan.js';
import { minSsimFor } from '../plan/quality-gate.js';

export interface SegmentRunDeps {
  encoder: Encoder;
  /** Removes segment and audio files (a browser backend removes its in-memory ones). */
  fs: Pick<FileSystem, 'remove'>;
  logger: Logger;
}

export interface SegmentRunOptions {
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /** Extra attempts of one failed segment, alone (a killed process, a crashed wasm core). Default 1. */
  retries?: number;
}

/** Share of the encode stage the segments take; the joins take the rest. */
export const SEGMENTS_SHARE = 97;

function runStep(encoder: Encoder, step: SegmentStep, options: RunOptions): Promise<void> {
  if (!encoder.runStep) throw new EncodeError('E_INTERNAL', `The ${encoder.id} backend cannot join segments.`);
  return encoder.runStep(step, options);
}

/** A signal that aborts with the caller's and when this run gives up (one segment failed for good). */
function linkedController(outer: AbortSignal | undefined): AbortController {
  const controller = new AbortController();
  if (outer?.aborted) controller.abort();
  else outer?.addEventListener('abort', () => controller.abort(), { once: true });
  return controller;
}

/**
 * Segment-parallel encode: every segment at once (the encoder decides how many really run in
 * parallel: native processes, wasm workers), the audio once over the whole picture beside them,
 * then each video output joined by stream copy with its audio. A failed segment is retried alone;
 * cancel stops everything. Every segment and audio file is removed whatever happens; on failure the
 * caller discards the plan's outputs.
 */
export async function encodeInSegments(deps: SegmentRunDeps, segmented: SegmentedPlan, options: SegmentRunOptions = {}): Promise<ProducedFile[]> {
  const { encoder, fs, logger } = deps;
  const { plan, segments, ranges } = segmented;
  const controller = linkedController(options.signal);
  const signal = controller.signal;
  const total = ranges.reduce((sum, r) => sum + r.frames, 0);
  const done = ranges.map(() => 0);
  let shown = 0;
  const report = (percent: number, message: string) => {
    if (percent < shown) return;
    shown = percent;
    options.onProgress?.({ stage: 'encode', percent, message });
  };
  const label = `${segments.length} segments`;
  report(0, label);

  const encodeSegment = async (segment: EncodePlan, index: number): Promise<void> => {
    const attempts = 1 + (options.retries ?? 1);
    for (let attempt = 1; ; attempt++) {
      try {
        await encoder.encode(segment, {
          signal,
          onProgress: (p) => {
            if (p.stage !== 'encode' || p.percent === undefined) return;
            done[index] = Math.max(done[index]!, (Math.min(p.percent, 100) / 100) * ranges[index]!.frames);
            report((done.reduce((a, b) => a + b, 0) / total) * SEGMENTS_SHARE, label);
          },
        });
        done[index] = ranges[index]!.frames;
        return;
      } catch (error) {
        if (signal.aborted || isEncodeError(error, 'E_CANCELLED') || attempt >= attempts) throw error;
        logger.warn(`segment ${index + 1}/${segments.length} failed; retrying it alone`, { error: toEncodeError(error).message, attempt });
      }
    }
  };

  try {
    const work = [...segments.map(encodeSegment), ...(segmented.audio ? [runStep(encoder, segmented.audio, { signal })] : [])];
    // The first failure stops the rest at once instead of letting them finish for nothing.
    await Promise.all(work.map((p) => p.catch((error: unknown) => (controller.abort(), Promise.reject(error))))).catch(async (error: unknown) => {
      await Promise.allSettled(work);
      throw options.signal?.aborted ? new EncodeError('E_CANCELLED', 'Cancelled; every segment was stopped.') : error;
    });
    throwIfCancelled(options.signal);
    report(SEGMENTS_SHARE, `joining ${label}`);
    await Promise.all(segmented.joins.map((join) => runStep(encoder, { kind: 'join', plan, join }, { signal })));
    throwIfCancelled(options.signal);
    report(100, `joined ${label}`);
    return plan.outputs.map((o) => ({ name: o.name, path: o.tempPath }));
  } finally {
    await Promise.all(segmented.scratch.map((path) => fs.remove(path).catch(() => undefined)));
  }
}

/** Command lines of a segmented run: each segment, the audio pass, each join (for --dry-run). */
export async function describeSegments(encoder: Encoder, segmented: SegmentedPlan): Promise<string[][]> {
  const steps: SegmentStep[] = [
    ...(segmented.audio ? [segmented.audio] : []),
    ...segmented.joins.map((join) => ({ kind: 'join' as const, plan: segmented.plan, join })),
  ];
  const segments = await Promise.all(segmented.segments.map((s) => encoder.describe(s)));
  const rest = await Promise.all(steps.map((s) => encoder.describeStep?.(s) ?? Promise.resolve([])));
  return [...segments.flat(), ...rest.flat()];
}

/** Boundary frames must look like the source at least this much (unless the output's own gate is looser). */
export const BOUNDARY_MIN_SSIM = 0.98;

/**
 * The joins of a segmented output against the source: the frames either side of each boundary
 * compared by SSIM, so a dropped or doubled frame at a join fails the run (E_OUTPUT_INVALID).
 */
export async function checkSegmentBoundaries(
  meter: QualityMeter,
  segmented: SegmentedPlan,
  outputs: readonly Pick<EncodedOutput, 'name' | 'path'>[],
  options: RunOptions = {},
): Promise<void> {
  const frames = boundaryFrames(segmented.ranges);
  const videos = segmented.plan.outputs.filter((o) => o.spec.kind === 'video');
  if (frames.length === 0 || videos.length === 0) return;
  options.onProgress?.({ stage: 'validate', message: `segment joins: SSIM on ${frames.length} frames` });
  const targets = videos.map((planned) => ({ planned, path: outputs.find((o) => o.name === planned.name)!.path }));
  const scores = await meter.measure(segmented.plan, targets, frames, options);
  for (const planned of videos) {
    const min = Math.min(BOUNDARY_MIN_SSIM, minSsimFor(planned));
    const measured = scores.get(planned.name) ?? [];
    const bad = measured.filter((s) => s.ssim < min);
    if (measured.length < frames.length || bad.length > 0) {
      throw new EncodeError(
        'E_OUTPUT_INVALID',
        `Output "${planned.name}" does not match the source at a segment join (SSIM < ${min} on frames ${bad.map((b) => `${b.frame}: ${b.ssim.toFixed(3)}`).join(', ') || `${measured.length} of ${frames.length} measured`}): a frame was dropped or doubled.`,
        { hint: 'Encode with --segments 1 and report the source.', details: { output: planned.name, check: 'segment-boundary', frames, measured } },
      );
    }
  }
}
