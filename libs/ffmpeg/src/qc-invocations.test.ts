import { describe, expect, it } from 'vitest';
import { planEncode, ProfileCatalog, rational } from '@ftrack-encode/core';
import { ALL_FRAMES, buildQualityInvocation } from './quality-invocation.js';
import { buildContactSheetArgs, buildStillsInvocation, contactSheetFrames, contactSheetLayout, VECTORSCOPE_FILTER, WAVEFORM_FILTER } from './qc-invocations.js';
import { sampleMediaInfo } from '@ftrack-encode/core/testing';

const info = sampleMediaInfo({ frameRate: rational(24, 1), frameCount: 100, duration: 100 / 24, audio: [] });
const plan = planEncode({
  source: { kind: 'file', path: '/shots/a: b.mov' },
  info,
  profile: new ProfileCatalog().get('ftrack-review'),
  outputDir: '/out',
  planId: 'qc',
});
const videos = plan.outputs.filter((o) => o.spec.kind === 'video');

describe('contact sheet', () => {
  it('picks one frame per second (rounded rate), or N frames spread from the first to the last', () => {
    expect(contactSheetFrames(100, 24)).toEqual([0, 24, 48, 72, 96]);
    expect(contactSheetFrames(48, 23.976)).toEqual([0, 24]);
    expect(contactSheetFrames(100, 24, 5)).toEqual([0, 25, 50, 74, 99]);
    expect(contactSheetFrames(3, 24, 10)).toEqual([0, 1, 2]);
    expect(contactSheetFrames(100, 24, 1)).toEqual([0]);
    expect(contactSheetFrames(0, 24)).toEqual([]);
  });

  it('lays tiles out in up to 6 columns with even heights keeping the aspect', () => {
    expect(contactSheetLayout(5, 1920, 1080)).toEqual({ columns: 5, rows: 1, tileWidth: 240, tileHeight: 136 });
    expect(contactSheetLayout(13, 1920, 1080)).toEqual({ columns: 6, rows: 3, tileWidth: 240, tileHeight: 136 });
    expect(contactSheetLayout(1, 2048, 858, 320).tileHeight).toBe(134);
  });

  it('selects exactly the frames, scales and tiles them into one PNG', () => {
    const args = buildContactSheetArgs('take:2.mp4', [0, 24, 50], contactSheetLayout(3, 1920, 1080), '/r/contact sheet.png');
    expect(args.slice(args.indexOf('-i'), args.indexOf('-i') + 2)).toEqual(['-i', 'file:take:2.mp4']);
    expect(args[args.indexOf('-vf') + 1]).toBe('select=eq(n\\,0)+eq(n\\,24)+eq(n\\,50),scale=240:136,setsar=1,tile=3x1');
    expect(args.slice(-5)).toEqual(['-update', '1', '-f', 'image2', '/r/contact sheet.png']);
    expect(buildContactSheetArgs('a.mp4', [0], contactSheetLayout(1, 10, 10), '-x.png').at(-1)).toBe('file:-x.png');
    expect(args[args.indexOf('-frames:v') + 1]).toBe('1');
    expect(() => buildContactSheetArgs('a.mp4', [], contactSheetLayout(1, 10, 10), 'x.png')).toThrow(RangeError);
  });

  it('picks one frame per second with one modulo test (not hundreds of comparisons), other picks exactly', () => {
    const perSecond = contactSheetFrames(24 * 600, 24);
    const args = buildContactSheetArgs('a.mp4', perSecond, contactSheetLayout(perSecond.length, 1920, 1080), 'x.png');
    expect(args[args.indexOf('-vf') + 1]).toBe('select=not(mod(n\\,24))*lte(n\\,14376),scale=240:136,setsar=1,tile=6x100');
    const spread = buildContactSheetArgs('a.mp4', [0, 33, 66, 99], contactSheetLayout(4, 1920, 1080), 'x.png');
    expect(spread[spread.indexOf('-vf') + 1]).toContain('select=not(mod(n\\,33))');
  });
});

describe('every-frame SSIM (the quality gate invocation with ALL_FRAMES)', () => {
  it('compares every frame: no select, frames met by index', () => {
    const targets = videos.map((planned, i) => ({ planned, path: `/out/${i}.mp4`, ssimStats: `/q/${i}.ssim`, psnrStats: `/q/${i}.psnr` }));
    const invocation = buildQualityInvocation(plan, targets, ALL_FRAMES);
    const graph = invocation.args[invocation.args.indexOf('-filter_complex') + 1]!;
    expect(graph).not.toContain('select=');
    expect(graph).toContain('[1:v:0]setpts=N/TB,format=yuv420p,setsar=1,split');
    expect(graph).toContain('ssim=stats_file=/q/0.ssim');
    expect(invocation.expectedFrames).toBe(100);
  });
});

describe('buildStillsInvocation', () => {
  const still = (i: number, side: string) => ({ frame: `/r/${i}-${side}.png`, waveform: `/r/${i}-${side}-w.png`, vectorscope: `/r/${i}-${side}-v.png` });
  const targets = videos.map((planned, i) => ({ planned, path: `/out/${i}.mp4`, source: still(i, 'source'), review: still(i, 'review') }));
  const invocation = buildStillsInvocation(plan, targets, 49);
  const graph = invocation.args[invocation.args.indexOf('-filter_complex') + 1]!;

  it('decodes the source once and builds each reference with its output branch chain', () => {
    expect(invocation.args.filter((a) => a === '-i')).toHaveLength(1 + videos.length);
    expect(invocation.args[invocation.args.indexOf('-i') + 1]).toBe('/shots/a: b.mov');
    expect(graph).toContain(`split=${videos.length}`);
    expect(graph).toMatch(/\[r0\][^;]*scale=[^;]*format=yuv420p,select=eq\(n\\,49\)\[rs0\]/);
    expect(graph).toContain('[1:v:0]select=eq(n\\,49),setsar=1[ds0]');
  });

  it('writes the frame, a waveform and a vectorscope of both sides, one PNG each', () => {
    expect(graph).toContain(`[s0w0]${WAVEFORM_FILTER}[s0w]`);
    expect(graph).toContain(`[o0v0]${VECTORSCOPE_FILTER}[o0v]`);
    const written = invocation.args.filter((a) => a.endsWith('.png'));
    expect(written).toEqual(
      targets.flatMap((t) => [t.source.frame, t.source.waveform, t.source.vectorscope, t.review.frame, t.review.waveform, t.review.vectorscope]),
    );
    expect(invocation.args.filter((a) => a === '-frames:v')).toHaveLength(6 * videos.length);
    expect(invocation.outputs).toHaveLength(6 * videos.length);
    expect(() => buildStillsInvocation(plan, [], 0)).toThrow(RangeError);
  });
});
