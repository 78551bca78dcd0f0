import { existsSync } from 'node:fs';
import { copyFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { applyBuiltinCurve, stableHash } from '@ftrack-encode/core';
import { defaultFixtureDir } from './media-fixtures.js';
import type { Region } from './media-measure.js';

/**
 * Sources for the media-correctness suite, made here with ffmpeg's lavfi and Debian's oiiotool
 * (never downloaded), each with the reference its review must match: 8-bit RGB patch values for
 * display-referred video, the sRGB/Cineon formula for the built-in transforms, oiiotool with the
 * same OCIO config for the OCIO view.
 */

/** Display-referred patches (8-bit RGB): a grey ramp and four colours. */
export const VIDEO_PATCHES: [number, number, number][] = [
  [16, 16, 16],
  [64, 64, 64],
  [128, 128, 128],
  [192, 192, 192],
  [235, 235, 235],
  [200, 60, 40],
  [60, 180, 90],
  [40, 70, 200],
  [180, 180, 40],
];

/** Scene-linear patches: 0.05 / 0.18 / 0.5 / 0.9 grey and three colours. */
export const LINEAR_PATCHES: [number, number, number][] = [
  [0.05, 0.05, 0.05],
  [0.18, 0.18, 0.18],
  [0.5, 0.5, 0.5],
  [0.9, 0.9, 0.9],
  [0.6, 0.1, 0.05],
  [0.05, 0.4, 0.1],
  [0.02, 0.05, 0.5],
];

/** Cineon printing-density patches (fraction of 1023). */
export const LOG_PATCHES: [number, number, number][] = [
  [0.3, 0.3, 0.3],
  [0.445, 0.445, 0.445],
  [0.6, 0.6, 0.6],
  [0.67, 0.67, 0.67],
  [0.55, 0.42, 0.35],
];

/** Centre region of patch i of n across a width×height picture (a margin away from edges and chroma bleed). */
export function patchRegion(i: number, n: number, width: number, height: number): Region {
  const w = Math.floor(width / n);
  const margin = Math.max(2, Math.floor(w / 4));
  return { x: i * w + margin, y: Math.floor(height / 4), w: w - 2 * margin, h: Math.floor(height / 2) };
}

/** Reference 8-bit display value of a built-in curve, per channel. */
export function builtinReference(curve: 'linear-to-srgb' | 'cineon-to-srgb' | 'linear-to-bt1886', rgb: readonly number[]): [number, number, number] {
  return rgb.map((v) => applyBuiltinCurve(curve, v) * 255) as [number, number, number];
}

function ffmpegBin(): string {
  return process.env['FFMPEG_PATH'] ?? 'ffmpeg';
}

async function ffmpeg(args: string[]): Promise<void> {
  await execa(ffmpegBin(), ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', ...args]);
}

async function oiiotool(args: string[]): Promise<void> {
  await execa('oiiotool', args);
}

/** lavfi graph of RGB patches side by side (each colour source forced to RGB: lavfi's own YUV drawing is BT.601). */
export function patchGraph(patches: readonly (readonly number[])[], width: number, height: number, rate: string): string {
  const w = Math.floor(width / patches.length);
  const last = width - w * (patches.length - 1);
  const hex = (rgb: readonly number[]) => `0x${rgb.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;
  const sources = patches.map((p, i) => `color=c=${hex(p)}:s=${i === patches.length - 1 ? last : w}x${height}:r=${rate},format=rgb24[p${i}]`);
  return `${sources.join(';')};${patches.map((_, i) => `[p${i}]`).join('')}hstack=inputs=${patches.length},format=rgb24`;
}

/** oiiotool arguments that fill patches of float values across a width×height picture. */
function oiioPatches(patches: readonly (readonly number[])[], width: number, height: number): string[] {
  const w = Math.floor(width / patches.length);
  const args = ['--create', `${width}x${height}`, '3'];
  patches.forEach((p, i) => {
    const x1 = i === patches.length - 1 ? width : (i + 1) * w;
    args.push(`--fill:color=${p.join(',')}`, `${i * w},0,${x1},${height}`);
  });
  return args;
}

export interface CorrectnessFixtures {
  dir: string;
  /** Make (once, cached) and return the path. */
  file(name: string, make: (path: string) => Promise<void>, ext: string): Promise<string>;
  /** Make a sequence by copying one frame `frames` times from `first`; returns the %04d pattern. */
  sequence(name: string, makeFrame: (path: string) => Promise<void>, ext: string, frames: number, first?: number): Promise<string>;
}

/** Bump when the way sources are made changes. */
const SOURCES_VERSION = 4;

export function correctnessFixtures(dir = join(defaultFixtureDir(), 'correctness')): CorrectnessFixtures {
  // The recipe's text is part of the key: changing how a source is made makes a new one.
  const key = (name: string, make: (path: string) => Promise<void>) =>
    `${name}-${stableHash({ name, recipe: make.toString(), v: SOURCES_VERSION }).slice(0, 8)}`;
  return {
    dir,
    async file(name, make, ext) {
      const path = join(dir, `${key(name, make)}.${ext}`);
      if (existsSync(path)) return path;
      await mkdir(dir, { recursive: true });
      const temp = join(dir, `.tmp-${randomBytes(6).toString('hex')}.${ext}`);
      await make(temp);
      await rename(temp, path);
      return path;
    },
    async sequence(name, makeFrame, ext, frames, first = 1001) {
      const seqDir = join(dir, key(name, makeFrame));
      const pattern = join(seqDir, `${name}.%04d.${ext}`);
      const lastFrame = join(seqDir, `${name}.${first + frames - 1}.${ext}`);
      if (existsSync(lastFrame)) return pattern;
      const temp = `${seqDir}.tmp-${randomBytes(6).toString('hex')}`;
      await mkdir(temp, { recursive: true });
      const one = join(temp, `${name}.${first}.${ext}`);
      await makeFrame(one);
      for (let f = first + 1; f < first + frames; f++) await copyFile(one, join(temp, `${name}.${f}.${ext}`));
      await rm(seqDir, { recursive: true, force: true });
      await rename(temp, seqDir);
      return pattern;
    },
  };
}

export interface YuvPatchSpec {
  width: number;
  height: number;
  matrix: 'bt709' | 'bt601';
  range: 'tv' | 'pc';
  /** Write colour tags (else untagged). */
  tagged: boolean;
  tenBit?: boolean;
  frames?: number;
}

/** Video of VIDEO_PATCHES encoded (near-)losslessly with the stated matrix and range. */
export async function makeYuvPatches(path: string, spec: YuvPatchSpec): Promise<void> {
  const pix = spec.tenBit ? 'yuv422p10le' : 'yuv420p';
  const name = spec.matrix === 'bt709' ? 'bt709' : 'smpte170m';
  // setparams tags the frames themselves: prores_ks ignores the output-side -colorspace options.
  const tagFrames = spec.tagged ? ['-vf', `setparams=colorspace=${name}:color_primaries=${name}:color_trc=${name}:range=${spec.range}`] : [];
  const graph = `${patchGraph(VIDEO_PATCHES, spec.width, spec.height, '24')},scale=out_color_matrix=${spec.matrix}:out_range=${spec.range},format=${pix}`;
  // (prores_ks drops frame tags when output-side colour options are also given.)
  const tags =
    spec.tagged && !spec.tenBit
      ? [
          '-colorspace',
          spec.matrix === 'bt709' ? 'bt709' : 'smpte170m',
          '-color_primaries',
          spec.matrix === 'bt709' ? 'bt709' : 'smpte170m',
          '-color_trc',
          spec.matrix === 'bt709' ? 'bt709' : 'smpte170m',
          '-color_range',
          spec.range,
        ]
      : [];
  const codec = spec.tenBit ? ['-c:v', 'prores_ks', '-profile:v', '3'] : ['-c:v', 'libx264', '-qp', '0', '-preset', 'ultrafast'];
  await ffmpeg(['-f', 'lavfi', '-i', graph, ...tagFrames, '-frames:v', String(spec.frames ?? 12), ...codec, ...tags, '-f', spec.tenBit ? 'mov' : 'mp4', path]);
}

/** One EXR frame of LINEAR_PATCHES (or `patches`), half or float. */
export async function makeLinearExr(
  path: string,
  opts: { width: number; height: number; depth: 'half' | 'float'; patches?: readonly (readonly number[])[]; extra?: string[] },
): Promise<void> {
  await oiiotool([...oiioPatches(opts.patches ?? LINEAR_PATCHES, opts.width, opts.height), '-d', opts.depth, ...(opts.extra ?? []), '-o', path]);
}

/** A 10-bit DPX of LOG_PATCHES marked "Printing density" (a Cineon log scan). */
export async function makeLogDpx(path: string, opts: { width: number; height: number; frameRate?: number }): Promise<void> {
  const attribs = ['--attrib', 'dpx:Transfer', 'Printing density', ...(opts.frameRate ? ['--attrib:type=float', 'dpx:FrameRate', String(opts.frameRate)] : [])];
  await oiiotool([...oiioPatches(LOG_PATCHES, opts.width, opts.height), '-d', 'uint10', ...attribs, '-o', path]);
}

/** A small OCIO v2 config with an ACES-style view, made of OCIO's builtin transforms (OCIO 2.1 has no built-in configs). */
export const ACES_STYLE_OCIO_CONFIG = `ocio_profile_version: 2.1

roles:
  default: ACES2065-1
  reference: ACES2065-1
  scene_linear: ACEScg
  compositing_log: ACEScct

displays:
  sRGB:
    - !<View> {name: ACES 1.0 - SDR Video, view_transform: ACES 1.0 - SDR Video, display_colorspace: sRGB - Display}
    - !<View> {name: Raw, colorspace: Raw}
  Rec.1886:
    - !<View> {name: ACES 1.0 - SDR Video, view_transform: ACES 1.0 - SDR Video, display_colorspace: Rec.1886 - Display}

view_transforms:
  - !<ViewTransform>
    name: ACES 1.0 - SDR Video
    from_scene_reference: !<BuiltinTransform> {style: ACES-OUTPUT - ACES2065-1_to_CIE-XYZ-D65 - SDR-VIDEO_1.0}

display_colorspaces:
  - !<ColorSpace>
    name: sRGB - Display
    from_display_reference: !<BuiltinTransform> {style: DISPLAY - CIE-XYZ-D65_to_sRGB}
  - !<ColorSpace>
    name: Rec.1886 - Display
    from_display_reference: !<BuiltinTransform> {style: DISPLAY - CIE-XYZ-D65_to_REC.1886-REC.709}

colorspaces:
  - !<ColorSpace>
    name: ACES2065-1
  - !<ColorSpace>
    name: ACEScg
    to_scene_reference: !<BuiltinTransform> {style: ACEScg_to_ACES2065-1}
  - !<ColorSpace>
    name: ACEScct
    to_scene_reference: !<BuiltinTransform> {style: ACEScct_to_ACES2065-1}
  - !<ColorSpace>
    name: Raw
    isdata: true
`;

export async function writeOcioConfig(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'config.ocio');
  await writeFile(path, ACES_STYLE_OCIO_CONFIG, 'utf8');
  return path;
}

/** The reference for an OCIO view: oiiotool applies the same config's display/view to the same EXR. */
export async function oiioDisplayReference(exr: string, config: string, inputSpace: string, display: string, view: string, out: string): Promise<void> {
  await oiiotool(['--colorconfig', config, exr, '--ociodisplay:from=' + inputSpace, display, view, '-d', 'uint8', '-o', out]);
}

export { ffmpeg as runFfmpegForFixture };

/** `-f lavfi -i <graph>` for each graph: the generated inputs of a fixture's ffmpeg argv. */
export function lavfi(...graphs: string[]): string[] {
  return graphs.flatMap((graph) => ['-f', 'lavfi', '-i', graph]);
}
