import { applyBuiltinCurve, isRgbPixelFormat, type BuiltinCurve, type ColourPipeline, type MediaInfo, type PlannedOutput } from '@ftrack-encode/core';
import { escapeFilterText } from './escape-filter-text.js';

/** Points of the 1D shaper of a built-in LUT: dense enough that linear interpolation is < 0.1/255 off. */
const BUILTIN_SHAPER_POINTS = 4096;

/**
 * A built-in display transform as a cinespace LUT: the per-channel curve is the 1D pre-LUT
 * (sampled densely over 0..1; ffmpeg clamps outside), the 3D part an identity 2×2×2 cube (which
 * tetrahedral interpolation reproduces exactly). One text, so native, wasm and farm apply the
 * very same numbers with lut3d.
 */
export function builtinLutCsp(curve: BuiltinCurve): string {
  const inputs: string[] = [];
  const outputs: string[] = [];
  for (let i = 0; i < BUILTIN_SHAPER_POINTS; i++) {
    const x = i / (BUILTIN_SHAPER_POINTS - 1);
    inputs.push(x.toFixed(6));
    outputs.push(applyBuiltinCurve(curve, x).toFixed(6));
  }
  const channel = [String(BUILTIN_SHAPER_POINTS), inputs.join(' '), outputs.join(' ')];
  const cube: string[] = [];
  for (let b = 0; b < 2; b++) for (let g = 0; g < 2; g++) for (let r = 0; r < 2; r++) cube.push(`${r} ${g} ${b}`);
  return [
    'CSPLUTV100',
    '3D',
    '',
    `BEGIN METADATA`,
    `ftrack-encode built-in ${curve}`,
    'END METADATA',
    '',
    ...channel,
    ...channel,
    ...channel,
    '',
    '2 2 2',
    ...cube,
    '',
  ].join('\n');
}

/** Whether ffmpeg delivers RGB frames for this source (EXR, DPX, PNG...) rather than YUV. */
export function decodesToRgb(info: Pick<MediaInfo, 'pixelFormat'>): boolean {
  return isRgbPixelFormat(info.pixelFormat);
}

function highBitDepth(pixelFormat: string): boolean {
  return /(9|10|12|14|16)(le|be)$|f32|f16|p010|p016|p210|p216|p410|p416/.test(pixelFormat);
}

export interface ColourStage {
  /** Filters before the split (display transform). */
  preFilters: string[];
  /** LUT files the runner writes first (built-in transforms), real paths. */
  files: { path: string; contents: string }[];
  /** LUT files read from disk (baked OCIO LUTs): wasm copies them into its FS. */
  readFiles: string[];
  /** True when frames leaving the stage are RGB. */
  rgb: boolean;
  /** YUV frames leaving the stage: their matrix and range (BT.2020 video leaves as BT.709). */
  yuv?: { matrix: string; range: string };
}

/** Transfers the colorspace filter converts (SDR); PQ and HLG are HDR and need tone mapping instead. */
const SDR_TRANSFERS = new Set([undefined, 'bt709', 'bt2020-10', 'bt2020-12', 'smpte170m', 'bt470bg']);

/**
 * The display transform, applied once before the split: YUV input is first converted to RGB with
 * its stated matrix and range, then lut3d applies the LUT (built-in curve or baked OCIO view).
 */
export function colourStage(info: MediaInfo, pipeline: ColourPipeline | undefined, builtinLutPath: (curve: BuiltinCurve) => string): ColourStage {
  const rgbSource = decodesToRgb(info);
  const transform = pipeline?.transform;
  if (!transform || transform.method === 'none') {
    const input = pipeline?.input;
    if (!rgbSource && input?.matrix === 'bt2020' && SDR_TRANSFERS.has(info.color.transfer)) {
      // BT.2020 SDR video: primaries, matrix and transfer to BT.709 (swscale would change the matrix only).
      const range = input.range ?? 'tv';
      return {
        preFilters: [`colorspace=all=bt709:iall=bt2020:irange=${range}:range=tv`],
        files: [],
        readFiles: [],
        rgb: false,
        yuv: { matrix: 'bt709', range: 'tv' },
      };
    }
    return { preFilters: [], files: [], readFiles: [], rgb: rgbSource };
  }
  const filters: string[] = [];
  if (!rgbSource) {
    const input = pipeline.input;
    filters.push(`scale=in_color_matrix=${input.matrix ?? 'bt709'}:in_range=${input.range ?? 'tv'}`, 'format=gbrp16le');
  }
  if (transform.method === 'builtin' && transform.builtin) {
    const path = builtinLutPath(transform.builtin);
    filters.push(`lut3d=file=${escapeFilterText(path)}:interp=tetrahedral`);
    return { preFilters: filters, files: [{ path, contents: builtinLutCsp(transform.builtin) }], readFiles: [], rgb: true };
  }
  if (!transform.lut) throw new RangeError('An OCIO colour pipeline reached the argv builder without its baked LUT.');
  filters.push(`lut3d=file=${escapeFilterText(transform.lut.path)}:interp=tetrahedral`);
  return { preFilters: filters, files: [], readFiles: [transform.lut.path], rgb: true };
}

/**
 * The scale of one output branch, with every matrix and range stated. RGB frames are converted
 * straight to the output's YUV. YUV frames keep their values when the matrix already matches
 * (range converted); a different matrix (BT.601 or BT.2020 video into BT.709, or BT.709 video into a
 * BT.601 JFIF thumbnail) goes through RGB, because swscale converts YUV->YUV range but not matrix.
 */
export function branchScale(
  planned: Pick<PlannedOutput, 'width' | 'height' | 'spec'>,
  info: Pick<MediaInfo, 'pixelFormat'>,
  pipeline: ColourPipeline | undefined,
  rgbFrames: boolean,
  yuvFrames?: { matrix: string; range: string },
): string[] {
  const spec = planned.spec;
  const size = `scale=${planned.width}:${planned.height}:flags=bicubic`;
  const jfif = spec.kind === 'image' && spec.codec === 'mjpeg';
  const target = jfif
    ? { matrix: 'bt601', range: 'pc' }
    : spec.kind === 'video' && !spec.bt709
      ? undefined
      : spec.kind === 'image'
        ? undefined
        : { matrix: 'bt709', range: 'tv' };
  if (rgbFrames) return [target ? `${size}:out_color_matrix=${target.matrix}:out_range=${target.range}` : size];
  const inMatrix = yuvFrames?.matrix ?? pipeline?.input.matrix ?? 'bt709';
  const inRange = yuvFrames?.range ?? pipeline?.input.range ?? 'tv';
  const stated = `${size}:in_color_matrix=${inMatrix}:in_range=${inRange}`;
  if (!target) {
    // PNG (RGB) or an untagged video output: one YUV->RGB (or YUV->YUV) step with the input stated.
    return [spec.kind === 'image' ? stated : `${stated}:out_color_matrix=${inMatrix}:out_range=${inRange}`];
  }
  if (target.matrix === inMatrix) return [`${stated}:out_color_matrix=${target.matrix}:out_range=${target.range}`];
  return [stated, `format=${highBitDepth(info.pixelFormat) ? 'gbrp16le' : 'gbrp'}`, `scale=out_color_matrix=${target.matrix}:out_range=${target.range}`];
}
