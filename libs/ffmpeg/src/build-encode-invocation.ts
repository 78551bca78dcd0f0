import { formatRational, sequenceFrameCount, type EncodePlan, type PlannedOutput } from '@ftrack-encode/core';
import type { FfmpegInvocation, InvocationOptions } from './invocation.js';
import { audioCodecArgs, hardwareSetup, imageCodecArgs, MUXERS, videoCodecArgs, type HardwareSetup } from './output-args.js';
import { inputPathArg } from './probe.js';
import { sequenceInput } from './sequence-input.js';

/** Output file argument: a relative path that could read as a protocol or an option gets `file:`. */
export function outputPathArg(path: string): string {
  return path.startsWith('-') ? `file:${path}` : inputPathArg(path);
}

function expectedFrames(plan: EncodePlan): number {
  return plan.source.kind === 'sequence' ? sequenceFrameCount(plan.source) : plan.info.frameCount;
}

/** Seconds, rounded up at the microsecond so `-t` never cuts the last frame. */
function durationArg(frames: number, plan: EncodePlan): string {
  const { num, den } = plan.info.frameRate;
  return (Math.ceil(((frames * den) / num) * 1e6) / 1e6).toFixed(6);
}

function branchFilters(planned: PlannedOutput, hardware: HardwareSetup | undefined): string[] {
  const spec = planned.spec;
  const filters: string[] = [];
  if (spec.kind === 'image') {
    const k = planned.frameIndex ?? 0;
    filters.push(`trim=start_frame=${k}:end_frame=${k + 1}`);
  }
  // Planned sizes are already even and in square pixels (anamorphic stretched), so scale + setsar=1.
  let scale = `scale=${planned.width}:${planned.height}:flags=bicubic`;
  if (spec.kind === 'video' && spec.bt709) scale += ':out_color_matrix=bt709:out_range=tv';
  // JPEG (JFIF) is BT.601 full range by definition.
  if (spec.kind === 'image' && spec.codec === 'mjpeg') scale += ':out_color_matrix=bt601:out_range=pc';
  filters.push(scale, 'setsar=1');
  if (spec.kind === 'video') filters.push(hardware ? hardware.uploadFilter : `format=${spec.pixelFormat}`);
  else filters.push(spec.codec === 'mjpeg' ? 'format=yuvj420p' : 'format=rgb24');
  return filters;
}

function outputArgs(plan: EncodePlan, planned: PlannedOutput, label: string, hardware: HardwareSetup | undefined): string[] {
  const spec = planned.spec;
  const threads = plan.threads > 0 ? ['-threads', String(plan.threads)] : [];
  if (spec.kind === 'image') {
    return ['-map', `[${label}]`, '-frames:v', '1', ...imageCodecArgs(spec), ...threads, '-an', '-f', MUXERS[spec.container], '-update', '1', outputPathArg(planned.tempPath)];
  }
  const rate = formatRational(planned.frameRate);
  const args = ['-map', `[${label}]`];
  if (planned.withAudio) args.push('-map', '0:a:0');
  // -r sets the encoder time base to exactly 1/rate; passthrough never drops or duplicates a frame.
  args.push(...videoCodecArgs(spec, hardware), '-r', rate, '-fps_mode', 'passthrough');
  if (!hardware) args.push('-pix_fmt', spec.pixelFormat);
  if (spec.bt709) args.push('-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709', '-color_range', 'tv');
  args.push(...threads);
  if (planned.withAudio) {
    // Audio longer than the picture would lengthen the file; cut it at the last frame.
    args.push(...audioCodecArgs(spec, plan.info.audio[0]?.channels ?? 2), '-t', durationArg(planned.frameCount, plan));
  } else args.push('-an');
  args.push('-sn', '-dn', ...spec.extraArgs);
  if (spec.container === 'mp4' || spec.container === 'mov') args.push('-movflags', '+faststart');
  args.push('-f', MUXERS[spec.container], outputPathArg(planned.tempPath));
  return args;
}

/**
 * Decode once, split per distinct branch chain: outputs with the same size and pixel format
 * (the 720p mp4 and webm) share one scale, then split again. Output i reads label [v<i>].
 */
function filterGraph(plan: EncodePlan, preFilters: string[], hardwareFor: (p: PlannedOutput) => HardwareSetup | undefined): string {
  const branches = new Map<string, number[]>();
  plan.outputs.forEach((planned, i) => {
    const chain = branchFilters(planned, hardwareFor(planned)).join(',');
    branches.set(chain, [...(branches.get(chain) ?? []), i]);
  });
  const chains = [...branches.entries()];
  const head = [...preFilters, `split=${chains.length}`].join(',');
  const graph = [`[0:v:0]${head}${chains.map((_, b) => `[s${b}]`).join('')}`];
  chains.forEach(([chain, outputs], b) => {
    const labels = outputs.map((i) => `[v${i}]`).join('');
    graph.push(outputs.length === 1 ? `[s${b}]${chain}${labels}` : `[s${b}]${chain},split=${outputs.length}${labels}`);
  });
  return graph.join(';');
}

/**
 * The whole plan as ONE ffmpeg process: the source is decoded once and a split filter graph feeds
 * every output its own scale/format chain; images take their single frame with trim.
 */
export function buildEncodeInvocation(plan: EncodePlan, options: InvocationOptions = {}): FfmpegInvocation {
  if (plan.outputs.length === 0) throw new RangeError(`Plan ${plan.id} has no outputs.`);
  const frames = expectedFrames(plan);
  const args = ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error'];
  if (options.progress) args.push('-progress', 'pipe:1', '-nostats');
  const hardwareFor = (planned: PlannedOutput): HardwareSetup | undefined =>
    planned.spec.kind === 'video' ? hardwareSetup(options.hardware, planned.spec.codec) : undefined;
  const hardwareArgs = plan.outputs.map(hardwareFor).find((h) => h)?.globalArgs ?? [];
  args.push(...hardwareArgs);
  if (plan.threads > 0) args.push('-filter_complex_threads', String(plan.threads), '-threads', String(plan.threads));

  let preFilters: string[] = [];
  let files: FfmpegInvocation['files'] = [];
  let links: FfmpegInvocation['links'] = [];
  if (plan.source.kind === 'sequence') {
    const input = sequenceInput(plan.source, plan.info.frameRate, plan.gapPolicy, options.concatListPath);
    args.push(...input.inputArgs);
    ({ preFilters, files, links } = input);
  } else {
    args.push('-i', inputPathArg(plan.source.path));
  }

  args.push('-filter_complex', filterGraph(plan, preFilters, hardwareFor));
  plan.outputs.forEach((planned, i) => args.push(...outputArgs(plan, planned, `v${i}`, hardwareFor(planned))));

  return {
    args,
    files,
    links,
    outputs: plan.outputs.map((o) => ({ name: o.name, path: o.tempPath })),
    expectedFrames: frames,
    expectedDurationSeconds: (frames * plan.info.frameRate.den) / plan.info.frameRate.num,
  };
}

/** One process per output, each decoding the source again: the benchmark's baseline only. */
export function buildNaiveInvocations(plan: EncodePlan, options: InvocationOptions = {}): FfmpegInvocation[] {
  return plan.outputs.map((output, i) =>
    buildEncodeInvocation(
      { ...plan, outputs: [output] },
      options.concatListPath ? { ...options, concatListPath: options.concatListPath.replace(/(\.[^./]*)?$/, `-${i}$1`) } : options,
    ),
  );
}
