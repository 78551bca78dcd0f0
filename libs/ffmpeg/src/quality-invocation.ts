import { EncodeError, type EncodePlan, type FrameQuality, type PlannedOutput } from '@ftrack-encode/core';
import { branchFilters, framesIn, graphReadFiles, sourceStage, splitByColour } from './build-encode-invocation.js';
import { escapeFilterText } from './escape-filter-text.js';
import type { FfmpegInvocation, InvocationOptions } from './invocation.js';
import { inputPathArg } from './probe.js';

export interface QualityTarget {
  planned: PlannedOutput;
  /** The encoded file. */
  path: string;
  /** Where ffmpeg writes the per-frame SSIM and PSNR lines. */
  ssimStats: string;
  psnrStats: string;
}

/** Every frame of the outputs (the QC report's per-frame plot) instead of a sample. */
export const ALL_FRAMES = 'all';

function selectFrames(frames: readonly number[] | typeof ALL_FRAMES): string {
  // Commas inside the expression are escaped for the graph; pts become the pick's index in seconds,
  // so reference and output frames meet in the metric filters by time.
  if (frames === ALL_FRAMES) return 'setpts=N/TB';
  return `select=${frames.map((n) => `eq(n\\,${n})`).join('+')},setpts=N/TB`;
}

/**
 * ONE extra ffmpeg pass for the quality gate: the source decoded once, each video output's
 * reference made by the very branch chain that fed its encoder (same timing, display transform,
 * scale, pixel format), compared with the decoded output on the sampled frames by SSIM and PSNR.
 */
export function buildQualityInvocation(
  plan: EncodePlan,
  targets: readonly QualityTarget[],
  frames: readonly number[] | typeof ALL_FRAMES,
  options: InvocationOptions = {},
): FfmpegInvocation {
  if (targets.length === 0) throw new RangeError('No outputs to measure.');
  const source = sourceStage(plan, options);
  const args = ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', ...source.inputArgs];
  for (const target of targets) args.push('-i', inputPathArg(target.path));
  const select = selectFrames(frames);
  // Pick the frames before the colour transform and the branches' scale (the costly part) unless a
  // branch draws per-frame burn-ins, whose frame numbers count every frame.
  const early = targets.every((t) => !t.planned.burnins);
  const { lines, labels } = splitByColour(
    source,
    targets.map((t) => t.planned),
    'r',
    early ? [select] : [],
  );
  const graph = [...lines];
  targets.forEach((target, i) => {
    const chain = branchFilters(plan, target.planned, undefined, framesIn(source.colourOf(target.planned)));
    const pixelFormat = target.planned.spec.kind === 'video' ? target.planned.spec.pixelFormat : 'yuv420p';
    graph.push(`${labels[i]}${(early ? chain : [...chain, select]).join(',')},split[ra${i}][rb${i}]`);
    // A slated output's picture starts after its slate.
    const offset = target.planned.slate?.frames ?? 0;
    const pick = frames === ALL_FRAMES ? `${offset ? `trim=start_frame=${offset},` : ''}setpts=N/TB` : selectFrames(frames.map((n) => n + offset));
    graph.push(`[${i + 1}:v:0]${pick},format=${pixelFormat},setsar=1,split[da${i}][db${i}]`);
    graph.push(`[da${i}][ra${i}]ssim=stats_file=${escapeFilterText(target.ssimStats)}[qs${i}]`);
    graph.push(`[db${i}][rb${i}]psnr=stats_file=${escapeFilterText(target.psnrStats)}[qp${i}]`);
  });
  args.push('-filter_complex', graph.join(';'));
  targets.forEach((_, i) => args.push('-map', `[qs${i}]`, '-f', 'null', '-', '-map', `[qp${i}]`, '-f', 'null', '-'));
  return {
    args,
    files: source.files,
    links: source.links,
    readFiles: graphReadFiles(plan, source.colourReadFiles),
    outputs: targets.flatMap((t) => [
      { name: `${t.planned.name}.ssim`, path: t.ssimStats },
      { name: `${t.planned.name}.psnr`, path: t.psnrStats },
    ]),
    expectedFrames: frames === ALL_FRAMES ? Math.min(...targets.map((t) => t.planned.frameCount)) : frames.length,
    expectedDurationSeconds: frames === ALL_FRAMES ? Math.min(...targets.map((t) => t.planned.frameCount)) : frames.length,
  };
}

/** `n:1 Y:0.99 U:0.98 V:0.98 All:0.987 (19.1)` lines -> All per sample (1-based n in the file). */
export function parseSsimStats(text: string): number[] {
  return [...text.matchAll(/^n:\s*\d+\s.*?All:\s*([0-9.]+|inf)/gm)].map((m) => (m[1] === 'inf' ? 1 : Number(m[1])));
}

/** `n:1 mse_avg:0.51 ... psnr_avg:51.05 ...` lines -> psnr_avg per sample (inf when identical). */
export function parsePsnrStats(text: string): number[] {
  return [...text.matchAll(/^n:\s*\d+\s.*?psnr_avg:\s*([0-9.]+|inf)/gm)].map((m) => (m[1] === 'inf' ? Number.POSITIVE_INFINITY : Number(m[1])));
}

/**
 * The sampled frames' scores of one output from its two stats files. Fewer lines than samples
 * means the output is missing frames (the metric filters stop at its end).
 */
export function frameScores(output: string, frames: readonly number[], ssimText: string, psnrText: string): FrameQuality[] {
  const ssim = parseSsimStats(ssimText);
  const psnr = parsePsnrStats(psnrText);
  if (ssim.length !== frames.length || psnr.length !== frames.length) {
    throw new EncodeError(
      'E_OUTPUT_INVALID',
      `The quality gate compared ${ssim.length} of ${frames.length} sampled frames of ${output}: the output is missing frames.`,
      {
        details: { output, compared: ssim.length, sampled: frames.length },
      },
    );
  }
  return frames.map((frame, k) => ({ frame, ssim: ssim[k]!, psnr: psnr[k]! }));
}
