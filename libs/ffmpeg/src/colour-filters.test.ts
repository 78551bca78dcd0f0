import { describe, expect, it } from 'vitest';
import { applyBuiltinCurve, type ColourPipeline, type MediaInfo } from '@ftrack-encode/core';
import { branchScale, builtinLutCsp, colourStage } from './colour-filters.js';

describe('built-in display LUTs (cinespace: dense 1D shaper + identity cube)', () => {
  it('samples the curve exactly at its points, so lut3d interpolates within 0.1/255', () => {
    const lines = builtinLutCsp('linear-to-srgb').split('\n');
    expect(lines.slice(0, 2)).toEqual(['CSPLUTV100', '3D']);
    const count = Number(lines[7]);
    const inputs = lines[8]!.split(' ').map(Number);
    const outputs = lines[9]!.split(' ').map(Number);
    expect(count).toBe(4096);
    let worst = 0;
    for (let x = 0; x <= 1; x += 0.0007) {
      const i = Math.min(count - 2, Math.floor(x * (count - 1)));
      const t = (x - inputs[i]!) / (inputs[i + 1]! - inputs[i]!);
      const interpolated = outputs[i]! + t * (outputs[i + 1]! - outputs[i]!);
      worst = Math.max(worst, Math.abs(interpolated - applyBuiltinCurve('linear-to-srgb', x)) * 255);
    }
    expect(worst).toBeLessThan(0.1);
    expect(lines.slice(-10, -1)).toEqual(['2 2 2', '0 0 0', '1 0 0', '0 1 0', '1 1 0', '0 0 1', '1 0 1', '0 1 1', '1 1 1']);
  });
});

const base = { pixelFormat: 'yuv420p' } as Pick<MediaInfo, 'pixelFormat'> as MediaInfo;
const video = { width: 1280, height: 720, spec: { kind: 'video', codec: 'h264', bt709: true } } as never;
const jpeg = { width: 640, height: 360, spec: { kind: 'image', codec: 'mjpeg' } } as never;
function pipeline(input: Partial<ColourPipeline['input']>, transform: ColourPipeline['transform'] = { method: 'none', display: 'srgb' }): ColourPipeline {
  return { input: { space: 'bt709', from: 'rule', reason: 'r', ...input }, transform, warnings: [] };
}

describe('every matrix and range stated', () => {
  it('keeps BT.709 video in YUV, converts BT.601 via RGB, and makes JFIF thumbnails BT.601 full range', () => {
    expect(branchScale(video, base, pipeline({ matrix: 'bt709', range: 'tv' }), false)).toEqual([
      'scale=1280:720:flags=bicubic:in_color_matrix=bt709:in_range=tv:out_color_matrix=bt709:out_range=tv',
    ]);
    expect(branchScale(video, base, pipeline({ matrix: 'bt601', range: 'pc' }), false)).toEqual([
      'scale=1280:720:flags=bicubic:in_color_matrix=bt601:in_range=pc',
      'format=gbrp',
      'scale=out_color_matrix=bt709:out_range=tv',
    ]);
    expect(branchScale(video, { pixelFormat: 'yuv422p10le' } as MediaInfo, pipeline({ matrix: 'bt601' }), false)[1]).toBe('format=gbrp16le');
    expect(branchScale(jpeg, base, pipeline({ matrix: 'bt709', range: 'tv' }), false)).toEqual([
      'scale=640:360:flags=bicubic:in_color_matrix=bt709:in_range=tv',
      'format=gbrp',
      'scale=out_color_matrix=bt601:out_range=pc',
    ]);
    expect(branchScale(video, base, undefined, true)).toEqual(['scale=1280:720:flags=bicubic:out_color_matrix=bt709:out_range=tv']);
  });

  it('applies the display transform once before the split: built-in LUT written beside the run, OCIO LUT read from its cache', () => {
    const exr = { pixelFormat: 'gbrpf32le' } as MediaInfo;
    const builtin = colourStage(
      exr,
      pipeline({ space: 'scene-linear' }, { method: 'builtin', display: 'srgb', builtin: 'linear-to-srgb' }),
      (c) => `/work/${c}.csp`,
    );
    expect(builtin.preFilters).toEqual(['lut3d=file=/work/linear-to-srgb.csp:interp=tetrahedral']);
    expect(builtin.files[0]?.path).toBe('/work/linear-to-srgb.csp');
    const ocio = colourStage(
      { pixelFormat: 'yuv420p10le' } as MediaInfo,
      pipeline({ space: 'ACEScct', matrix: 'bt709', range: 'tv' }, { method: 'ocio', display: 'sRGB', view: 'v', lut: { path: '/cache/ab.csp', hash: 'ab' } }),
      () => '',
    );
    expect(ocio.preFilters).toEqual(['scale=in_color_matrix=bt709:in_range=tv', 'format=gbrp16le', 'lut3d=file=/cache/ab.csp:interp=tetrahedral']);
    expect(ocio.readFiles).toEqual(['/cache/ab.csp']);
    expect(colourStage(base, pipeline({}), () => '')).toEqual({ preFilters: [], files: [], readFiles: [], rgb: false });
  });
});
