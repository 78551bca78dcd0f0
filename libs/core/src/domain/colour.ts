import type { MediaInfo } from './media-info.js';
import type { MediaSource } from './media-source.js';

/**
 * Colour is a pipeline step: probe -> interpret (what the source's numbers mean) -> display
 * transform (what a review screen shows) -> encode (BT.709 video, JFIF thumbnails).
 *
 * Built-in input colourspaces (used when no OCIO config is given, and as the built-in rules):
 * - bt709 / bt601 / bt2020: display-referred video; YUV is decoded with that matrix, no transform.
 * - srgb: display-referred RGB (PNG, TIFF, JPEG, 709-encoded DPX), no transform.
 * - scene-linear: linear light, Rec.709/sRGB primaries (EXR, linear DPX): needs a display transform.
 * - cineon-log: Cineon printing density (log DPX/Cineon scans): needs a display transform.
 */
export const BUILTIN_INPUT_SPACES = ['bt709', 'bt601', 'bt2020', 'srgb', 'scene-linear', 'cineon-log'] as const;
export type BuiltinInputSpace = (typeof BUILTIN_INPUT_SPACES)[number];

/** Built-in displays: sRGB (IEC 61966-2-1 piecewise curve) and Rec.709 (BT.1886, gamma 2.4). */
export const BUILTIN_DISPLAYS = ['srgb', 'bt1886'] as const;
export type BuiltinDisplay = (typeof BUILTIN_DISPLAYS)[number];

/** Per-channel curves the built-in transforms apply (exactly the same math on every backend). */
export type BuiltinCurve = 'linear-to-srgb' | 'linear-to-bt1886' | 'cineon-to-srgb' | 'cineon-to-bt1886';

/** How the source's numbers are read, and why. */
export interface InputInterpretation {
  /** A built-in space, or (with an OCIO config) an OCIO colourspace or role name. */
  space: string;
  from: 'flag' | 'config' | 'tags' | 'rule';
  /** Human text: which tag or rule decided. */
  reason: string;
  /** YUV sources: the matrix and range to decode with, always stated explicitly. */
  matrix?: 'bt709' | 'bt601' | 'bt2020';
  range?: 'tv' | 'pc';
}

/** A LUT file a backend applies with ffmpeg's lut3d (cinespace .csp: 1D shaper + 3D cube). */
export interface ColourLut {
  /** Where the file is on the machine that plans (native reads it; wasm copies it into its FS). */
  path: string;
  /** Content hash (cache key) of what was baked. */
  hash: string;
}

export interface DisplayTransform {
  method: 'none' | 'builtin' | 'ocio';
  display: string;
  view?: string;
  builtin?: BuiltinCurve;
  ocio?: { configPath: string; configHash: string; inputSpace: string; shaperSpace?: string };
  /** ocio: the baked LUT. builtin: none (the argv builder writes the curve itself). */
  lut?: ColourLut;
}

/** The colour pipeline of one plan: recorded in component metadata and shown by probe. */
export interface ColourPipeline {
  input: InputInterpretation;
  transform: DisplayTransform;
  warnings: string[];
}

/** A site rule for sources whose path matches `pattern` (glob: `*`, `**`, `?`). */
export interface SourceRule {
  pattern: string;
  /** Input colourspace name (built-in, or OCIO with an OCIO config). */
  colourspace?: string;
  /** Image sequence rate: "25", "24000/1001", "23.976". */
  frameRate?: string;
}

/** What a run asks for (config < profile < flags, already merged). */
export interface ColourSettings {
  /** --input-colourspace: overrides everything for one run. */
  inputColourspace?: string;
  /** OCIO config file (--ocio-config, config field, $OCIO). */
  ocioConfig?: string;
  display?: string;
  view?: string;
  /** OCIO colourspace used as the shaper when the input is scene-linear (default: a log space found in the config). */
  shaperSpace?: string;
  /** Edge size of the baked cube. */
  cubeSize?: number;
  rules?: SourceRule[];
}

/** Glob -> RegExp over a whole path: `**` any depth, `*` within one segment, `?` one character. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export function sourcePath(source: MediaSource): string {
  return source.kind === 'file' ? source.path : source.pattern;
}

/** The first rule whose pattern matches the source path (or its user-written pattern). */
export function matchSourceRule(source: MediaSource, rules: readonly SourceRule[] | undefined, has: keyof SourceRule): SourceRule | undefined {
  const paths = source.kind === 'file' ? [source.path] : [source.pattern, source.originalPattern];
  return rules?.find((rule) => rule[has] !== undefined && paths.some((p) => globToRegExp(rule.pattern).test(p)));
}

function matrixOf(space: string | undefined): InputInterpretation['matrix'] {
  if (!space) return undefined;
  if (space === 'bt709') return 'bt709';
  if (space === 'smpte170m' || space === 'bt470bg') return 'bt601';
  if (space.startsWith('bt2020')) return 'bt2020';
  return undefined;
}

/** True when the decoded picture is RGB (no matrix to apply), from ffmpeg's pixel format name. */
export function isRgbPixelFormat(pixelFormat: string): boolean {
  return /^(gbr|rgb|bgr|argb|abgr|rgba|bgra|0rgb|rgb0|0bgr|bgr0|x2rgb|x2bgr|pal8|gray|ya)/.test(pixelFormat);
}

function isBuiltinInput(space: string): space is BuiltinInputSpace {
  return (BUILTIN_INPUT_SPACES as readonly string[]).includes(space);
}

/** Untagged video: HD and larger is BT.709, SD (576 lines or fewer) BT.601. */
function sizeRule(info: Pick<MediaInfo, 'width' | 'height'>): 'bt709' | 'bt601' {
  return info.height > 576 || info.width > 1024 ? 'bt709' : 'bt601';
}

/**
 * How to read the source's numbers. Precedence, highest first: `--input-colourspace`, a site
 * rule matching the source path, the file's own tags, the built-in rules by kind of file.
 */
export function interpretInput(info: MediaInfo, source: MediaSource, settings: ColourSettings = {}): InputInterpretation {
  const rgb = isRgbPixelFormat(info.pixelFormat);
  const tagMatrix = matrixOf(info.color.space);
  const range: InputInterpretation['range'] = rgb ? undefined : info.color.range === 'pc' || /^yuvj/.test(info.pixelFormat) ? 'pc' : 'tv';
  const yuv = (space: string, matrix: InputInterpretation['matrix']): Pick<InputInterpretation, 'matrix' | 'range'> =>
    rgb
      ? {}
      : {
          matrix: (isBuiltinInput(space) ? matrixOf(space === 'bt601' ? 'smpte170m' : space) : undefined) ?? matrix ?? tagMatrix ?? sizeRule(info),
          ...(range ? { range } : {}),
        };
  if (settings.inputColourspace) {
    const space = settings.inputColourspace;
    return { space, from: 'flag', reason: `--input-colourspace ${space}`, ...yuv(space, undefined) };
  }
  const rule = matchSourceRule(source, settings.rules, 'colourspace');
  if (rule?.colourspace) {
    const space = rule.colourspace;
    return { space, from: 'config', reason: `config rule "${rule.pattern}"`, ...yuv(space, undefined) };
  }
  const transfer = info.color.transfer;
  if (transfer === 'linear') return { space: 'scene-linear', from: 'tags', reason: 'transfer tag "linear"', ...yuv('scene-linear', undefined) };
  if (transfer === 'log' || transfer === 'log100' || transfer === 'log316')
    return { space: 'cineon-log', from: 'tags', reason: `transfer tag "${transfer}"`, ...yuv('cineon-log', undefined) };
  if (!rgb && tagMatrix) {
    const space = tagMatrix;
    return { space, from: 'tags', reason: `matrix tag "${info.color.space}"`, matrix: tagMatrix, ...(range ? { range } : {}) };
  }
  if (info.codec === 'exr') return { space: 'scene-linear', from: 'rule', reason: 'OpenEXR is scene-linear' };
  if (info.codec === 'cineon') return { space: 'cineon-log', from: 'rule', reason: 'Cineon files are log' };
  if (info.codec === 'dpx') {
    const t = info.imageHeader?.transfer;
    if (t === 'printing-density' || t === 'logarithmic') return { space: 'cineon-log', from: 'tags', reason: `DPX transfer "${t}"` };
    if (t === 'linear') return { space: 'scene-linear', from: 'tags', reason: 'DPX transfer "linear"' };
    return { space: 'srgb', from: 'rule', reason: `DPX transfer "${t ?? 'unspecified'}" is read as display-referred` };
  }
  if (rgb) return { space: 'srgb', from: 'rule', reason: 'RGB images are display-referred sRGB' };
  const space = sizeRule(info);
  return {
    space,
    from: 'rule',
    reason: `untagged ${space === 'bt709' ? 'HD' : 'SD'} video (${info.width}x${info.height}) is ${space === 'bt709' ? 'BT.709' : 'BT.601'}`,
    matrix: space,
    ...(range ? { range } : {}),
  };
}

/** Whether a built-in input space needs a display transform (scene-referred) or not (display-referred). */
export function isSceneReferred(space: string): boolean {
  return space === 'scene-linear' || space === 'cineon-log';
}

/** The built-in curve for a scene-referred input on a built-in display. */
export function builtinCurve(space: 'scene-linear' | 'cineon-log', display: BuiltinDisplay): BuiltinCurve {
  if (space === 'scene-linear') return display === 'srgb' ? 'linear-to-srgb' : 'linear-to-bt1886';
  return display === 'srgb' ? 'cineon-to-srgb' : 'cineon-to-bt1886';
}

/** sRGB encoding (IEC 61966-2-1) of a linear value, clipped to 0..1. */
export function srgbEncode(linear: number): number {
  const v = Math.min(1, Math.max(0, linear));
  return v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055;
}

/** BT.1886 inverse EOTF (gamma 2.4, black 0) of a linear value, clipped to 0..1. */
export function bt1886Encode(linear: number): number {
  return Math.min(1, Math.max(0, linear)) ** (1 / 2.4);
}

/** Cineon printing density (0..1 of 10-bit code values) -> scene-linear, black 95 and white 685. */
export function cineonToLinear(code: number): number {
  const black = 10 ** (((95 - 685) * 0.002) / 0.6);
  return (10 ** (((code * 1023 - 685) * 0.002) / 0.6) - black) / (1 - black);
}

export function applyBuiltinCurve(curve: BuiltinCurve, value: number): number {
  const linear = curve.startsWith('cineon') ? cineonToLinear(value) : value;
  return curve.endsWith('srgb') ? srgbEncode(linear) : bt1886Encode(linear);
}

/** One-line summary for logs, `probe` and component metadata. */
export function describeColourPipeline(pipeline: ColourPipeline): string {
  const t = pipeline.transform;
  const input = `${pipeline.input.space} (${pipeline.input.reason})`;
  if (t.method === 'none')
    return `${input} -> ${t.display}: no transform${pipeline.input.matrix ? `, ${pipeline.input.matrix} ${pipeline.input.range ?? 'tv'} matrix` : ''}`;
  if (t.method === 'builtin') return `${input} -> ${t.display}: built-in ${t.builtin}`;
  return `${input} -> OCIO ${t.ocio?.inputSpace} -> ${t.display} / ${t.view} (config ${t.ocio?.configHash.slice(0, 12)})`;
}
