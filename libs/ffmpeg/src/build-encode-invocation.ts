import {
  formatRational,
  outputColour,
  sequenceFrameCount,
  stableHash,
  type BuiltinCurve,
  type ColourPipeline,
  type EncodePlan,
  type MediaInfo,
  type PlannedOutput,
  type VideoOutputSpec,
} from '@ftrack-encode/core';
import { branchScale, colourStage, type ColourStage } from './colour-filters.js';
import { audioGraph } from './audio-graph.js';
import { burninFilters, burninFont } from './burnin-filters.js';
import { slateChains, slateFont, slateInputs, type SlateInputs } from './slate-filters.js';
import type { FfmpegInvocation, InvocationOptions } from './invocation.js';
import { audioCodecArgs, hardwareSetup, imageCodecArgs, MUXERS, videoCodecArgs, type HardwareSetup } from './output-args.js';
import { inputPathArg } from './probe.js';
import { sequenceInput } from './sequence-input.js';
import { selectFrames } from './select-frames.js';

/** Name of the produced file holding an output's quality reference frames (never a component). */
const QUALITY_REFERENCE_SUFFIX = '#quality-reference';

/** Output file argument: a relative path that could read as a protocol or an option gets `file:`. */
export function outputPathArg(path: string): string {
  return path.startsWith('-') ? `file:${path}` : inputPathArg(path);
}

function expectedFrames(plan: EncodePlan): number {
  if (plan.range) return plan.range.frames;
  return plan.source.kind === 'sequence' ? sequenceFrameCount(plan.source) : plan.info.frameCount;
}

export function branchFilters(plan: EncodePlan, planned: PlannedOutput, hardware: HardwareSetup | undefined, frames: FramesIn): string[] {
  const spec = planned.spec;
  const filters: string[] = [];
  if (spec.kind === 'image') {
    const k = planned.frameIndex ?? 0;
    filters.push(`trim=start_frame=${k}:end_frame=${k + 1}`);
  }
  // Planned sizes are already even, in square pixels (anamorphic stretched) and rotated as displayed
  // (ffmpeg applies the display matrix before the graph), so scale + setsar=1. Matrices stated
  // explicitly: BT.709 limited for video, BT.601 full range for JPEG (JFIF).
  filters.push(
    ...branchScale(planned, plan.info, outputColour(plan, planned), frames.rgb, frames.yuv),
    ...burninFilters(planned, plan.range?.start ?? 0),
    'setsar=1',
  );
  if (spec.kind === 'video') filters.push(hardware ? hardware.uploadFilter : `format=${spec.pixelFormat}`);
  else filters.push(spec.codec === 'mjpeg' ? 'format=yuvj420p' : 'format=rgb24');
  return filters;
}

function outputArgs(plan: EncodePlan, planned: PlannedOutput, label: string, hardware: HardwareSetup | undefined, audioLabel: string | undefined): string[] {
  const spec = planned.spec;
  const threads = plan.threads > 0 ? ['-threads', String(plan.threads)] : [];
  if (spec.kind === 'image') {
    return [
      '-map',
      `[${label}]`,
      '-frames:v',
      '1',
      ...imageCodecArgs(spec),
      ...threads,
      '-an',
      '-f',
      MUXERS[spec.container],
      '-update',
      '1',
      outputPathArg(planned.tempPath),
    ];
  }
  const rate = formatRational(planned.frameRate);
  const args = ['-map', `[${label}]`];
  if (planned.withAudio && audioLabel) args.push('-map', `[${audioLabel}]`);
  // -r sets the encoder time base to exactly 1/rate; passthrough never drops or duplicates a frame.
  args.push(...videoCodecArgs(spec, hardware), '-r', rate, '-fps_mode', 'passthrough');
  if (!hardware) args.push('-pix_fmt', spec.pixelFormat);
  if (spec.bt709) args.push('-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709', '-color_range', 'tv');
  args.push(...threads);
  // The audio graph already made it stereo 48 kHz, aligned to the first frame and exactly as long as
  // the picture: no -t (a whole-output cut would drop video when the streams start apart).
  if (planned.withAudio && audioLabel) args.push(...audioCodecArgs(spec, 2), '-ar', '48000');
  else args.push('-an');
  args.push(...timecodeArgs(plan, spec), '-sn', '-dn', ...spec.extraArgs, ...muxArgs(spec, planned.tempPath));
  return args;
}

/** The source's start timecode as a tmcd track (mp4/mov). */
export function timecodeArgs(plan: EncodePlan, spec: VideoOutputSpec): string[] {
  return plan.info.timecode && (spec.container === 'mp4' || spec.container === 'mov') ? ['-timecode', plan.info.timecode] : [];
}

/** How every video file is written: faststart mp4/mov, bitexact, the container's muxer by name. */
export function muxArgs(spec: VideoOutputSpec, path: string): string[] {
  const faststart = spec.container === 'mp4' || spec.container === 'mov' ? ['-movflags', '+faststart'] : [];
  // Byte-identical files for the same source and settings (no random Matroska UIDs, no muxer version
  // string): a re-run resumes its interrupted upload, and two machines with one build upload the same bytes.
  return [...faststart, '-fflags', '+bitexact', '-f', MUXERS[spec.container], outputPathArg(path)];
}

/** What the frames entering the branches are: RGB, or YUV with a known matrix/range. */
export interface FramesIn {
  rgb: boolean;
  yuv?: { matrix: string; range: string };
}

/** The frames a colour stage hands to the branches. */
export function framesIn(colour: ColourStage): FramesIn {
  return { rgb: colour.rgb, ...(colour.yuv ? { yuv: colour.yuv } : {}) };
}

/**
 * The decoded source ([0:v:0], timing filters, then `between`) split once per item, each item's
 * stream through the colour stage of its output. Items whose outputs share a colour pipeline share
 * its filters: with one pipeline they run before the only split (as a plan without per-output colour
 * always did); with several the source is split per pipeline first, then per item.
 * Returns the graph lines and each item's label (`[<prefix><i>]`).
 */
export function splitByColour(
  stage: SourceStage,
  items: readonly PlannedOutput[],
  prefix: string,
  between: readonly string[] = [],
): { lines: string[]; labels: string[] } {
  const labels = items.map((_, i) => `[${prefix}${i}]`);
  const groups = new Map<string, number[]>();
  items.forEach((planned, i) => {
    const key = stage.colourKeyOf(planned);
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  const head = [...stage.preFilters, ...between];
  const split = (members: number[]) => `split=${members.length}${members.map((i) => labels[i]).join('')}`;
  if (groups.size === 1) {
    return { lines: [`[0:v:0]${[...head, ...stage.colourOf(items[0]!).preFilters, split(items.map((_, i) => i))].join(',')}`], labels };
  }
  const members = [...groups.values()];
  const lines = [`[0:v:0]${[...head, `split=${members.length}`].join(',')}${members.map((_, g) => `[${prefix}c${g}]`).join('')}`];
  members.forEach((group, g) => lines.push(`[${prefix}c${g}]${[...stage.colourOf(items[group[0]!]!).preFilters, split(group)].join(',')}`));
  return { lines, labels };
}

/**
 * Decode once, split per distinct branch chain: outputs with the same colour pipeline, size and
 * pixel format (the 720p mp4 and webm) share one scale, then split again; outputs with different
 * colour pipelines get their own branches after the split. Output i reads label [v<i>].
 * A slated output gets its own branch: its slate (extra inputs: the middle frame, the logo) is
 * concatenated before the picture, and a hardware upload moves after the join.
 */
function filterGraph(
  plan: EncodePlan,
  stage: SourceStage,
  hardwareFor: (p: PlannedOutput) => HardwareSetup | undefined,
  slateInputsFor: (i: number) => SlateInputs,
): string {
  const branches = new Map<string, { chain: string; outputs: number[] }>();
  plan.outputs.forEach((planned, i) => {
    const chain = branchFilters(plan, planned, planned.slate ? undefined : hardwareFor(planned), framesIn(stage.colourOf(planned))).join(',');
    const key = `${stage.colourKeyOf(planned)}\n${chain}${planned.slate ? `#slate${i}` : ''}`;
    const branch = branches.get(key) ?? { chain, outputs: [] };
    branch.outputs.push(i);
    branches.set(key, branch);
  });
  const chains = [...branches.values()];
  const { lines, labels } = splitByColour(
    stage,
    chains.map((c) => plan.outputs[c.outputs[0]!]!),
    's',
  );
  const graph = [...lines];
  chains.forEach(({ chain, outputs }, b) => {
    const first = outputs[0]!;
    const planned = plan.outputs[first]!;
    // The quality gate's reference is this very chain's output (before any hardware upload).
    const refs = referenceLabels(plan, outputs, hardwareFor);
    if (planned.slate) {
      const hardware = hardwareFor(planned);
      graph.push(`${labels[b]}${chain}${fanOut([`[body${first}]`, ...refs])}`);
      graph.push(...slateChains(plan, planned, slateInputsFor(first), stage.colourOf(planned).preFilters, `slate${first}`));
      graph.push(`[slate${first}][body${first}]concat=n=2:v=1:a=0${hardware ? `,${hardware.uploadFilter}` : ''}[v${first}]`);
    } else {
      graph.push(`${labels[b]}${chain}${fanOut([...outputs.map((i) => `[v${i}]`), ...refs])}`);
    }
    for (const ref of refs) graph.push(`${ref}${selectFrames(plan.qualityFrames ?? [])}[${ref.slice(1, -1)}s]`);
  });
  return graph.join(';');
}

/** A chain ending in these labels: straight into one, through a split into several. */
function fanOut(labels: readonly string[]): string {
  return labels.length === 1 ? labels[0]! : `,split=${labels.length}${labels.join('')}`;
}

/**
 * Where this output's encode captures the quality gate's reference frames, if it does. A
 * hardware-encoded output's chain ends in an upload, so the gate builds its reference from the
 * source instead.
 */
function capturedReference(planned: PlannedOutput, hardwareFor: (p: PlannedOutput) => HardwareSetup | undefined): string | undefined {
  return hardwareFor(planned) ? undefined : planned.qualityReference;
}

/** Labels [q<i>] of the outputs of one branch that capture reference frames. */
function referenceLabels(plan: EncodePlan, outputs: readonly number[], hardwareFor: (p: PlannedOutput) => HardwareSetup | undefined): string[] {
  return outputs.filter((i) => capturedReference(plan.outputs[i]!, hardwareFor)).map((i) => `[q${i}]`);
}

/** Output args writing the sampled reference frames [q<i>s] losslessly (raw video in NUT). */
function referenceArgs(plan: EncodePlan, hardwareFor: (p: PlannedOutput) => HardwareSetup | undefined): string[] {
  return plan.outputs.flatMap((planned, i) => {
    const path = capturedReference(planned, hardwareFor);
    return path ? ['-map', `[q${i}s]`, '-c:v', 'rawvideo', '-fps_mode', 'passthrough', '-an', '-sn', '-dn', '-f', 'nut', outputPathArg(path)] : [];
  });
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

  const source = sourceStage(plan, options);
  args.push(...source.inputArgs);
  const { files, links } = source;
  // The slates' own inputs come right after the source (input 0).
  const slates = new Map<number, SlateInputs>();
  let nextInput = 1;
  plan.outputs.forEach((planned, i) => {
    if (!planned.slate) return;
    const inputs = slateInputs(plan, planned, nextInput);
    nextInput += (inputs.thumbnail === undefined ? 0 : 1) + (inputs.logo === undefined ? 0 : 1);
    args.push(...inputs.args);
    slates.set(i, inputs);
  });

  const audioOutputs = plan.outputs.filter((o) => o.withAudio).length;
  const audio = audioOutputs > 0 ? audioGraph(plan, audioOutputs) : undefined;
  const graph = [filterGraph(plan, source, hardwareFor, (i) => slates.get(i) ?? { args: [] })];
  if (audio) graph.push(audio.graph);
  let nextAudio = 0;
  const outputArgv: string[] = [];
  plan.outputs.forEach((planned, i) => {
    let audioLabel = planned.withAudio ? audio?.labels[nextAudio++] : undefined;
    if (audioLabel && planned.slate) {
      graph.push(slateSilence(planned, audioLabel));
      audioLabel = `${audioLabel}s`;
    }
    outputArgv.push(...outputArgs(plan, planned, `v${i}`, hardwareFor(planned), audioLabel));
  });
  args.push('-filter_complex', graph.join(';'), ...outputArgv, ...referenceArgs(plan, hardwareFor));

  return {
    args,
    files,
    links,
    // Burn-in fonts are read by the graph too: a backend with its own file system copies them in.
    readFiles: graphReadFiles(plan, source.colourReadFiles),
    outputs: [
      ...plan.outputs.map((o) => ({ name: o.name, path: o.tempPath })),
      ...plan.outputs.flatMap((o) => {
        const path = capturedReference(o, hardwareFor);
        return path ? [{ name: `${o.name}${QUALITY_REFERENCE_SUFFIX}`, path }] : [];
      }),
    ],
    expectedFrames: frames,
    expectedDurationSeconds: (frames * plan.info.frameRate.den) / plan.info.frameRate.num,
  };
}

/** Silence under a slate, so the sound still starts with the first picture frame: [label] -> [label + "s"]. */
export function slateSilence(planned: PlannedOutput, label: string): string {
  const frames = planned.slate?.frames ?? 0;
  const ms = Math.round((frames * planned.frameRate.den * 1000) / planned.frameRate.num);
  return `[${label}]adelay=delays=${ms}:all=1[${label}s]`;
}

/** The decoded source as every output sees it before its own branch: input args, timing, colour. */
export interface SourceStage {
  inputArgs: string[];
  /** Timing filters every output shares, before any colour. */
  preFilters: string[];
  files: FfmpegInvocation['files'];
  links: FfmpegInvocation['links'];
  /** The colour stage of an output's pictures (its own pipeline, else the plan's). */
  colourOf(planned: PlannedOutput): ColourStage;
  /** Equal for outputs whose pictures go through the same colour stage. */
  colourKeyOf(planned: PlannedOutput): string;
  /** LUT files the outputs' colour stages read from disk (baked OCIO views). */
  colourReadFiles: string[];
}

/** What makes two pipelines' pictures differ (not their warnings). */
function pipelineKey(pipeline: ColourPipeline | undefined): string {
  return pipeline ? stableHash({ input: pipeline.input, transform: pipeline.transform }) : 'none';
}

/** One place for how a plan's source is read, shared by the encode and the quality gate's reference. */
export function sourceStage(plan: EncodePlan, options: InvocationOptions = {}): SourceStage {
  const layer = plan.layer && plan.info.codec === 'exr' ? ['-layer', plan.layer] : [];
  let inputArgs: string[];
  let preFilters: string[];
  let files: FfmpegInvocation['files'] = [];
  let links: FfmpegInvocation['links'] = [];
  if (plan.source.kind === 'sequence') {
    const input = sequenceInput(plan.source, plan.info.frameRate, plan.gapPolicy, options.concatListPath, plan.range);
    inputArgs = [...layer, ...input.inputArgs];
    ({ preFilters, files, links } = input);
  } else {
    const movie = movieInput(plan, plan.source.path);
    inputArgs = [...layer, ...movie.inputArgs];
    preFilters = movie.preFilters;
  }
  const lutDir = options.workDir ?? (options.concatListPath ? dirOf(options.concatListPath) : plan.outputDir);
  const lutPath = (curve: BuiltinCurve) => `${lutDir.replace(/[\\/]+$/, '')}/.${plan.id}-${curve}.csp`;
  // One colour stage per distinct pipeline the outputs use (each built-in curve's LUT written once).
  const stages = new Map<string, ColourStage>();
  const colourKeyOf = (planned: PlannedOutput) => pipelineKey(outputColour(plan, planned));
  const colourOf = (planned: PlannedOutput): ColourStage => {
    const key = colourKeyOf(planned);
    let stage = stages.get(key);
    if (!stage) {
      stage = colourStage(plan.info, outputColour(plan, planned), lutPath);
      stages.set(key, stage);
    }
    return stage;
  };
  const used = plan.outputs.map(colourOf);
  const lutFiles = new Map(used.flatMap((c) => c.files).map((f) => [f.path, f]));
  return {
    inputArgs,
    preFilters,
    files: [...files, ...lutFiles.values()],
    links,
    colourOf,
    colourKeyOf,
    colourReadFiles: [...new Set(used.flatMap((c) => c.readFiles))],
  };
}

/** Files the graph reads besides its inputs (LUTs, burn-in and slate fonts): a backend with its own file system copies them in. */
export function graphReadFiles(plan: EncodePlan, colourFiles: readonly string[] = []): string[] {
  const fonts = plan.outputs.flatMap((o) => [...(o.burnins ? [burninFont(o.burnins)] : []), ...(o.slate ? [slateFont(o) ?? ''] : [])]).filter(Boolean);
  return [...new Set([...colourFiles, ...fonts])];
}

function dirOf(path: string): string {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return slash <= 0 ? '/' : path.slice(0, slash);
}

/** Containers whose demuxer seeks to a keyframe by its index, so an accurate seek decodes the exact frames. */
const INDEXED_CONTAINERS = /(^|,)(mov|mp4|matroska|webm)(,|$)/;

/** A movie whose frames an accurate seek reaches exactly: constant rate, in an indexed container. */
export function seeksExactly(info: MediaInfo): boolean {
  return !info.variableFrameRate && INDEXED_CONTAINERS.test(info.format);
}

/**
 * A movie, or one segment of it (plan.range). A segment of a constant-rate movie in an indexed
 * container is reached by an accurate input seek to half a frame before its first frame (ffmpeg
 * decodes from the keyframe before and drops every frame earlier than the seek point, so rounding
 * of timestamps can neither keep the previous frame nor lose the first), then `trim` keeps exactly
 * its frames. Anything else (variable rate, MPEG-TS and other unindexed streams whose seeks land
 * between keyframes) decodes from the start and cuts by frame index after the timing filters:
 * slower, always exact.
 */
export function movieInput(plan: EncodePlan, path: string): { inputArgs: string[]; preFilters: string[] } {
  const input = ['-i', inputPathArg(path)];
  const timing = timingFilters(plan);
  const range = plan.range;
  if (!range) return { inputArgs: input, preFilters: timing };
  const end = range.start + range.frames;
  if (range.start === 0) return { inputArgs: input, preFilters: [...timing, `trim=end_frame=${end}`] };
  if (seeksExactly(plan.info)) {
    const rate = plan.info.frameRate;
    const seek = (plan.info.videoStart ?? 0) + ((range.start - 0.5) * rate.den) / rate.num;
    return { inputArgs: ['-ss', seek.toFixed(6), ...input], preFilters: [...timing, `trim=end_frame=${range.frames}`] };
  }
  return { inputArgs: input, preFilters: [...timing, `trim=start_frame=${range.start}:end_frame=${end}`, 'setpts=PTS-STARTPTS'] };
}

/**
 * Movie timing before the split: the first frame at 0 (a stream that starts late keeps every frame),
 * interlaced fields made into frames (bwdif, one frame per frame so the rate stays), and a
 * variable-rate stream conformed to its nominal rate (fps duplicates or drops frames).
 */
export function timingFilters(plan: EncodePlan): string[] {
  const info = plan.info;
  const filters = ['setpts=PTS-STARTPTS'];
  const order = info.fieldOrder;
  if (order === 'tt' || order === 'tb') filters.push('bwdif=mode=send_frame:parity=tff:deint=all');
  if (order === 'bb' || order === 'bt') filters.push('bwdif=mode=send_frame:parity=bff:deint=all');
  if (info.variableFrameRate) filters.push(`fps=${formatRational(info.frameRate)}`, `trim=end_frame=${info.frameCount}`);
  return filters;
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
