import type { EncodePlan, PlannedOutput } from '@ftrack-encode/core';
import { branchFilters, framesIn, outputPathArg, sourceStage, splitByColour } from './build-encode-invocation.js';
import type { FfmpegInvocation, InvocationOptions } from './invocation.js';
import { inputPathArg } from './probe.js';

/** Frames of a contact sheet: `count` spread evenly, else one per second (always the first frame). */
export function contactSheetFrames(frameCount: number, framesPerSecond: number, count?: number): number[] {
  if (frameCount <= 0) return [];
  if (count !== undefined) {
    const n = Math.max(1, Math.min(count, frameCount));
    if (n === 1) return [0];
    return [...new Set(Array.from({ length: n }, (_, k) => Math.round((k * (frameCount - 1)) / (n - 1))))];
  }
  const step = Math.max(1, Math.round(framesPerSecond));
  return Array.from({ length: Math.ceil(frameCount / step) }, (_, k) => k * step);
}

export interface ContactSheetLayout {
  columns: number;
  rows: number;
  tileWidth: number;
  tileHeight: number;
}

/** Up to 6 columns; tiles `tileWidth` wide (even), their height keeping the picture's aspect. */
export function contactSheetLayout(tiles: number, width: number, height: number, tileWidth = 240): ContactSheetLayout {
  const columns = Math.max(1, Math.min(6, tiles));
  const tileHeight = 2 * Math.round((tileWidth * height) / width / 2);
  return { columns, rows: Math.max(1, Math.ceil(tiles / columns)), tileWidth, tileHeight };
}

function pick(frames: readonly number[]): string {
  const step = frames.length > 2 ? frames[1]! - frames[0]! : 0;
  // One frame per second of a long output: one cheap test per frame instead of hundreds.
  if (step > 1 && frames[0] === 0 && frames.every((n, k) => n === k * step)) return `select=not(mod(n\\,${step}))*lte(n\\,${frames.at(-1)!})`;
  return `select=${frames.map((n) => `eq(n\\,${n})`).join('+')}`;
}

/** One PNG of the picked frames of `input` (a review movie), tiled; a short last row is padded black. */
export function buildContactSheetArgs(input: string, frames: readonly number[], layout: ContactSheetLayout, out: string): string[] {
  if (frames.length === 0) throw new RangeError('A contact sheet needs at least one frame.');
  const { columns, rows, tileWidth, tileHeight } = layout;
  const graph = `${pick(frames)},scale=${tileWidth}:${tileHeight},setsar=1,tile=${columns}x${rows}`;
  return [
    '-hide_banner',
    '-nostdin',
    '-y',
    '-loglevel',
    'error',
    '-i',
    inputPathArg(input),
    '-vf',
    graph,
    '-frames:v',
    '1',
    '-fps_mode',
    'passthrough',
    '-update',
    '1',
    '-f',
    'image2',
    outputPathArg(out),
  ];
}

/** The three pictures of one frame: the frame itself, its waveform and its vectorscope. */
export interface StillPaths {
  frame: string;
  waveform: string;
  vectorscope: string;
}

export interface StillsTarget {
  planned: PlannedOutput;
  /** The encoded file. */
  path: string;
  /** The source as it should look (the output's own reference chain). */
  source: StillPaths;
  review: StillPaths;
}

/** Scopes on 4:4:4 YUV: vectorscope needs YUV, the waveform is of luma (and chroma stacked). */
export const WAVEFORM_FILTER = 'format=yuv444p,waveform=mode=column:display=stack:components=7:graticule=green:flags=numbers+dots';
export const VECTORSCOPE_FILTER = 'format=yuv444p,vectorscope=mode=color3:graticule=green:flags=name';

function stillsChain(label: string, paths: StillPaths, prefix: string): { graph: string[]; maps: string[] } {
  const graph = [
    `${label}split=3[${prefix}f][${prefix}w0][${prefix}v0]`,
    `[${prefix}w0]${WAVEFORM_FILTER}[${prefix}w]`,
    `[${prefix}v0]${VECTORSCOPE_FILTER}[${prefix}v]`,
  ];
  const maps = (
    [
      [`${prefix}f`, paths.frame],
      [`${prefix}w`, paths.waveform],
      [`${prefix}v`, paths.vectorscope],
    ] as const
  ).flatMap(([l, p]) => ['-map', `[${l}]`, '-frames:v', '1', '-update', '1', '-f', 'image2', outputPathArg(p)]);
  return { graph, maps };
}

/**
 * ONE pass for the report's stills of frame `frame`: per video output, the source through that
 * output's own branch chain (as the quality gate builds it) and the decoded output, each as a PNG,
 * a waveform and a vectorscope.
 */
export function buildStillsInvocation(plan: EncodePlan, targets: readonly StillsTarget[], frame: number, options: InvocationOptions = {}): FfmpegInvocation {
  if (targets.length === 0) throw new RangeError('No outputs to picture.');
  const source = sourceStage(plan, options);
  const args = ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', ...source.inputArgs];
  for (const target of targets) args.push('-i', inputPathArg(target.path));
  const select = pick([frame]);
  const { lines, labels } = splitByColour(
    source,
    targets.map((t) => t.planned),
    'r',
  );
  const graph = [...lines];
  const maps: string[] = [];
  targets.forEach((target, i) => {
    const chain = branchFilters(plan, target.planned, undefined, framesIn(source.colourOf(target.planned)));
    graph.push(`${labels[i]}${[...chain, select].join(',')}[rs${i}]`);
    graph.push(`[${i + 1}:v:0]${select},setsar=1[ds${i}]`);
    for (const [label, paths, prefix] of [
      [`[rs${i}]`, target.source, `s${i}`],
      [`[ds${i}]`, target.review, `o${i}`],
    ] as const) {
      const chainOut = stillsChain(label, paths, prefix);
      graph.push(...chainOut.graph);
      maps.push(...chainOut.maps);
    }
  });
  args.push('-filter_complex', graph.join(';'), ...maps);
  return {
    args,
    files: source.files,
    links: source.links,
    readFiles: source.colourReadFiles,
    outputs: targets.flatMap((t) =>
      (['source', 'review'] as const).flatMap((side) => [
        { name: `${t.planned.name}.${side}.frame`, path: t[side].frame },
        { name: `${t.planned.name}.${side}.waveform`, path: t[side].waveform },
        { name: `${t.planned.name}.${side}.vectorscope`, path: t[side].vectorscope },
      ]),
    ),
    expectedFrames: 1,
    expectedDurationSeconds: 1,
  };
}
