import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { sequenceFramePath, type EncodePlan, type MediaSource } from '@ftrack-encode/core';
import { DEFAULT_BURNIN_FONT, type FfmpegInvocation } from '@ftrack-encode/ffmpeg';
import { INPUT_ROOT, PathRenames, inputPathInCore, outputPathInCore, relativePosix, WORK_ROOT } from '../shared/memfs-paths.js';
import type { DiskMount } from './worker-protocol.js';
import type { ExecInput } from './wasm-core-worker.js';

export interface InputFile {
  path: string;
  size: number;
}

/** Every file ffmpeg reads for a source: the movie, or each existing frame of a sequence. */
export async function inputFiles(source: MediaSource): Promise<InputFile[]> {
  const paths: string[] = [];
  if (source.kind === 'file') paths.push(source.path);
  else {
    const missing = new Set(source.missing);
    for (let f = source.first; f <= source.last; f++) if (!missing.has(f)) paths.push(sequenceFramePath(source, f));
  }
  return Promise.all(paths.map(async (path) => ({ path, size: (await stat(path)).size })));
}

function dirOf(path: string): string {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return slash <= 0 ? '/' : path.slice(0, slash);
}

/**
 * The real path -> core path renames, in every spelling the argv builder may write:
 * as-is, with `%` doubled (image2 patterns) and with `'` escaped (ffconcat lists).
 */
function addSpellings(renames: PathRenames, real: string, core: string): void {
  renames.add(real, core);
  if (real.includes('%')) renames.add(real.replace(/%/g, '%%'), core.replace(/%/g, '%%'));
  if (real.includes("'")) renames.add(real.replace(/'/g, `'\\''`), core.replace(/'/g, `'\\''`));
}

/** DejaVu Sans shipped beside this module (and copied beside the bundle by tools/build.mjs). */
export function bundledBurninFont(): string {
  return fileURLToPath(new URL('./DejaVuSans.ttf', import.meta.url));
}

/**
 * The invocation built for the disk (identical to the native backend's), moved into the core:
 * inputs read-only from disk under /in, outputs in MEMFS under /out, helper files under /work.
 */
export function layoutInCore(
  plan: EncodePlan,
  invocation: FfmpegInvocation,
  inputs: readonly InputFile[],
  exists: (path: string) => boolean = existsSync,
): Omit<ExecInput, 'progress' | 'captureLog'> {
  const renames = new PathRenames();
  const mount: DiskMount = { mountPoint: INPUT_ROOT, files: inputs.map((f) => ({ name: relativePosix(f.path), diskPath: f.path })) };
  if (plan.source.kind === 'file') addSpellings(renames, plan.source.path, inputPathInCore(plan.source.path));
  else {
    // Frames are named by the pattern, the concat list and any link: renaming their directory covers all.
    const dir = dirOf(plan.source.pattern);
    addSpellings(renames, `${dir}/`, `${inputPathInCore(dir)}/`);
  }
  // Baked LUTs (lut3d=file=...) are read from disk like the source.
  for (const path of invocation.readFiles ?? []) {
    // A machine without ffmpeg often lacks fonts-dejavu-core too: burn-ins use the font shipped here.
    const diskPath = path === DEFAULT_BURNIN_FONT && !exists(path) ? bundledBurninFont() : path;
    mount.files.push({ name: relativePosix(path), diskPath });
    addSpellings(renames, path, inputPathInCore(path));
  }
  return withOutputsAndWork(invocation, renames, mount);
}

/**
 * An invocation that reads whole files only (the join of segments: the segment files and the audio),
 * each mounted read-only from disk at its own path under /in.
 */
export function layoutFilesInCore(invocation: FfmpegInvocation, inputs: readonly string[]): Omit<ExecInput, 'progress' | 'captureLog'> {
  const renames = new PathRenames();
  const mount: DiskMount = { mountPoint: INPUT_ROOT, files: inputs.map((path) => ({ name: relativePosix(path), diskPath: path })) };
  for (const path of inputs) addSpellings(renames, path, inputPathInCore(path));
  return withOutputsAndWork(invocation, renames, mount);
}

/** Outputs in MEMFS under /out, helper files under /work, every path in the argv renamed. */
function withOutputsAndWork(invocation: FfmpegInvocation, renames: PathRenames, mount: DiskMount): Omit<ExecInput, 'progress' | 'captureLog'> {
  const outputs = invocation.outputs.map((o, i) => ({ memfsPath: outputPathInCore(i, o.path), diskPath: o.path }));
  for (const o of outputs) addSpellings(renames, o.diskPath, o.memfsPath);
  const workPath = (real: string): string => `${WORK_ROOT}/${relativePosix(real)}`;
  for (const file of invocation.files) addSpellings(renames, file.path, workPath(file.path));
  for (const link of invocation.links) addSpellings(renames, link.path, workPath(link.path));
  return {
    program: 'ffmpeg',
    args: invocation.args.map((arg) => renames.apply(arg)),
    mounts: [mount],
    files: invocation.files.map((f) => ({ path: workPath(f.path), contents: renames.apply(f.contents) })),
    links: invocation.links.map((l) => ({ path: workPath(l.path), target: inputPathInCore(l.target) })),
    outputs,
    collect: [],
  };
}
