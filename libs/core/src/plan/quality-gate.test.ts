import { describe, expect, it } from 'vitest';
import { VideoOutputSpec, type PlannedOutput } from '../index.js';
import { judgeQuality, minSsimFor, qualityNotes, qualitySampleFrames } from './quality-gate.js';

const planned = (spec: Record<string, unknown>): PlannedOutput =>
  ({
    name: String(spec['name']),
    spec: VideoOutputSpec.parse({ kind: 'video', container: 'mp4', codec: 'h264', ...spec }),
    frameCount: 100,
  }) as unknown as PlannedOutput;

describe('quality gate', () => {
  it('samples at least 10 frames spread over the range, with the first, middle and last', () => {
    const frames = qualitySampleFrames(240);
    expect(frames.length).toBeGreaterThanOrEqual(10);
    expect(frames).toEqual([...frames].sort((a, b) => a - b));
    expect(frames).toContain(0);
    expect(frames).toContain(119);
    expect(frames).toContain(239);
    expect(new Set(frames).size).toBe(frames.length);
    expect(qualitySampleFrames(3)).toEqual([0, 1, 2]);
    expect(qualitySampleFrames(0)).toEqual([]);
  });

  it('defaults: 0.97 for H.264, 0.95 for VP9; a profile may set its own', () => {
    expect(minSsimFor(planned({ name: 'a' }))).toBe(0.97);
    expect(minSsimFor(planned({ name: 'b', codec: 'vp9', container: 'webm' }))).toBe(0.95);
    expect(minSsimFor(planned({ name: 'c', minSsim: 0.9 }))).toBe(0.9);
  });

  it('fails below the threshold and names the worst frames first; PSNR when a profile asks for it', () => {
    const scores = [
      { frame: 0, ssim: 0.99, psnr: 45 },
      { frame: 50, ssim: 0.96, psnr: 38 },
      { frame: 99, ssim: 0.98, psnr: 41 },
    ];
    const verdict = judgeQuality(planned({ name: 'mp4' }), scores);
    expect(verdict).toMatchObject({ pass: false, ssim: 0.96, psnr: 38, minSsim: 0.97 });
    expect(verdict.worst.map((w) => w.frame)).toEqual([50, 99, 0]);
    expect(judgeQuality(planned({ name: 'mp4', minSsim: 0.95 }), scores).pass).toBe(true);
    expect(judgeQuality(planned({ name: 'mp4', minSsim: 0.95, minPsnr: 40 }), scores).pass).toBe(false);
    expect(judgeQuality(planned({ name: 'mp4' }), []).pass).toBe(false);
    expect(qualityNotes(verdict)).toEqual({ ssim: '0.9600', psnr: '38.00', quality_frames: '0,50,99' });
  });
});
