import { EncodeError, type EncodePlan, type FrameQuality, type MeasuredOutput, type PlannedOutput } from '@ftrack-encode/core';
import { branchFilters, framesIn, graphReadFiles, seeksExactly, sourceStage, splitByColour } from './build-encode-invocation.js';
import { escapeFilterText } from './escape-filter-text.js';
import type { FfmpegInvocation, InvocationOptions } from './invocation.js';
import { inputPathArg } from './probe.js';
import { ALL_FRAMES, selectFrames } from './select-frames.js';
import { concatQuote } from './sequence-input.js';

export { ALL_FRAMES } from './select-frames.js';

export interface QualityTarget {
  planned: PlannedOutput;
  /** The encoded file. */
  path: string;
  /**
   * The sampled reference frames the encode captured (planned.qualityReference, when it was
   * written): compared as they are, so the source is not decoded again for this output.
   */
  reference?: string;
  /**
   * How the sampled frames are read from the encoded file by seeking instead of decoding it whole:
   * the ffconcat list to write (one entry per sampled frame) and the file's first video timestamp.
   * Set for a constant-rate output in an indexed container (what every profile writes).
   */
  seek?: { list: string; firstFrameSeconds: number };
  /** Where ffmpeg writes the per-frame SSIM and PSNR lines. */
  ssimStats: string;
  psnrStats: string;
}

/**
 * The gate's targets: stats files in `dir`, each output's reference frames when the encode
 * captured them (a backend that runs its own graph, or a hardware upload, leaves none: the gate
 * then builds that reference from the source), and how to seek in the output when its probed
 * `info` says it can. `size` reads a file's size, rejecting when missing.
 */
export async function qualityTargets(outputs: readonly MeasuredOutput[], dir: string, size: (path: string) => Promise<number>): Promise<QualityTarget[]> {
  return Promise.all(
    outputs.map(async ({ planned, path, info }, i) => {
      const reference = planned.qualityReference;
      const captured = reference !== undefined && (await size(reference).catch(() => 0)) > 0;
      // The ffconcat format is line based: a path with a line break is read whole instead.
      const seekable = info !== undefined && seeksExactly(info) && !/[\r\n]/.test(path);
      return {
        planned,
        path,
        ...(captured ? { reference } : {}),
        ...(seekable ? { seek: { list: `${dir}/${i}.frames.ffconcat`, firstFrameSeconds: (info.formatStart ?? 0) + (info.videoStart ?? 0) } } : {}),
        ssimStats: `${dir}/${i}.ssim.log`,
        psnrStats: `${dir}/${i}.psnr.log`,
      };
    }),
  );
}

/**
 * The sampled frames of an encoded file without decoding it whole: the concat demuxer reads the
 * file once per sampled frame, from the keyframe before it (`inpoint` half a frame early) to half
 * a frame after it (`outpoint`), one decoder for all. Each entry is laid `slot` seconds after the
 * previous one (`duration`, longer than the way from the file's start to the last sampled frame, so
 * the frames decoded from a keyframe on never reach the previous slot's pick), which puts every
 * sampled frame half a frame into its own slot:
 * `select` keeps exactly those (timestamps as the file has them: -copyts).
 */
export function sampleSeek(target: QualityTarget, frames: readonly number[]): { list: string; pick: string } {
  const seek = target.seek!;
  const rate = target.planned.frameRate;
  const frame = rate.den / rate.num;
  const slot = Math.ceil((Math.max(...frames) + 1) * frame) + 1;
  const at = (n: number) => (seek.firstFrameSeconds + n * frame).toFixed(6);
  const lines = ['ffconcat version 1.0'];
  for (const n of frames) lines.push(`file ${concatQuote(target.path)}`, `inpoint ${at(n - 0.5)}`, `outpoint ${at(n + 0.5)}`, `duration ${slot}`);
  const pick = `select=lt(abs(mod(t\\,${slot})-${(frame / 2).toFixed(6)})\\,${(frame / 4).toFixed(6)}),setpts=N/TB`;
  return { list: `${lines.join('\n')}\n`, pick };
}

/**
 * ONE extra ffmpeg pass for the quality gate. Each video output's reference is the very branch
 * chain that fed its encoder (same timing, display transform, scale, pixel format) on the sampled
 * frames: captured by the encode itself (`reference`), else made here from the source, decoded
 * once for every output that needs it. Compared with the output's sampled frames by SSIM and PSNR:
 * reached by seeking (`seek`) when no reference is made from the source here (-copyts, which the
 * seeks need, would change how the source's own seeks and timing filters count), else decoded whole.
 */
export function buildQualityInvocation(
  plan: EncodePlan,
  targets: readonly QualityTarget[],
  frames: readonly number[] | typeof ALL_FRAMES,
  options: InvocationOptions = {},
): FfmpegInvocation {
  if (targets.length === 0) throw new RangeError('No outputs to measure.');
  const select = selectFrames(frames);
  const fromSource = targets.filter((t) => frames === ALL_FRAMES || !t.reference);
  const source = fromSource.length > 0 ? sourceStage(plan, options) : undefined;
  const seeking = frames === ALL_FRAMES || source ? [] : targets.filter((t) => t.seek);
  const args = ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', ...(seeking.length > 0 ? ['-copyts'] : []), ...(source?.inputArgs ?? [])];
  const files = [...(source?.files ?? [])];
  const graph: string[] = [];
  const refLabels = new Map<QualityTarget, string>();
  if (source) {
    // Pick the frames before the colour transform and the branches' scale (the costly part) unless a
    // branch draws per-frame burn-ins, whose frame numbers count every frame.
    const early = fromSource.every((t) => !t.planned.burnins);
    const { lines, labels } = splitByColour(
      source,
      fromSource.map((t) => t.planned),
      'r',
      early ? [select] : [],
    );
    graph.push(...lines);
    fromSource.forEach((target, k) => {
      const chain = branchFilters(plan, target.planned, undefined, framesIn(source.colourOf(target.planned)));
      graph.push(`${labels[k]}${(early ? chain : [...chain, select]).join(',')}[ref${k}]`);
      refLabels.set(target, `[ref${k}]`);
    });
  }
  let input = source ? 1 : 0;
  targets.forEach((target, i) => {
    if (!refLabels.has(target)) {
      // Captured by the encode: already the sampled frames, renumbered.
      args.push('-i', inputPathArg(target.reference!));
      graph.push(`[${input++}:v:0]setpts=N/TB[cref${i}]`);
      refLabels.set(target, `[cref${i}]`);
    }
    const pixelFormat = target.planned.spec.kind === 'video' ? target.planned.spec.pixelFormat : 'yuv420p';
    graph.push(`${refLabels.get(target)}split[ra${i}][rb${i}]`);
    // A slated output's picture starts after its slate.
    const offset = target.planned.slate?.frames ?? 0;
    let pick: string;
    if (frames === ALL_FRAMES) {
      pick = `${offset ? `trim=start_frame=${offset},` : ''}setpts=N/TB`;
      args.push('-i', inputPathArg(target.path));
    } else if (seeking.includes(target)) {
      const seek = sampleSeek(
        target,
        frames.map((n) => n + offset),
      );
      files.push({ path: target.seek!.list, contents: seek.list });
      pick = seek.pick;
      args.push('-f', 'concat', '-safe', '0', '-i', inputPathArg(target.seek!.list));
    } else {
      pick = selectFrames(frames.map((n) => n + offset));
      args.push('-i', inputPathArg(target.path));
    }
    graph.push(`[${input++}:v:0]${pick},format=${pixelFormat},setsar=1,split[da${i}][db${i}]`);
    graph.push(`[da${i}][ra${i}]ssim=stats_file=${escapeFilterText(target.ssimStats)}[qs${i}]`);
    graph.push(`[db${i}][rb${i}]psnr=stats_file=${escapeFilterText(target.psnrStats)}[qp${i}]`);
  });
  args.push('-filter_complex', graph.join(';'));
  targets.forEach((_, i) => args.push('-map', `[qs${i}]`, '-f', 'null', '-', '-map', `[qp${i}]`, '-f', 'null', '-'));
  return {
    args,
    files,
    links: source?.links ?? [],
    readFiles: source ? graphReadFiles(plan, source.colourReadFiles) : [],
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
