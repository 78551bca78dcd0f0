import { describe, expect, it } from 'vitest';
import { ProfileCatalog, planEncode, rational, type FileSystem, type Hasher, type MediaProbe, type ProbeOptions } from '../index.js';
import { validateOutputs } from './validate-outputs.js';
import { sampleMediaInfo } from '../testing/index.js';

const source = sampleMediaInfo({ width: 1280, height: 720, frameRate: rational(24), frameCount: 48, duration: 2, audio: [] });
const plan = planEncode({ source: { kind: 'file', path: '/s/sh010.mov' }, info: source, profile: new ProfileCatalog().get('ftrack-review'), outputDir: '/o' });

/** What a headers-only probe of each planned output reads (a WebM header holds no frame count: 1). */
function headersProbe(calls: Map<string, ProbeOptions>): MediaProbe {
  return {
    locate: () => Promise.reject(new Error('unused')),
    async probe(file, options = {}) {
      const path = file.kind === 'file' ? file.path : '';
      calls.set(path, options);
      const planned = plan.outputs.find((o) => o.tempPath === path)!;
      const codec = planned.spec.codec === 'vp9' ? 'vp9' : planned.spec.codec;
      const still = planned.spec.kind === 'image';
      return {
        ...source,
        width: planned.width,
        height: planned.height,
        codec,
        pixelFormat: still ? 'yuvj420p' : 'yuv420p',
        frameCount: still || options.countFrames === false ? 1 : planned.frameCount,
        duration: still ? 0 : 2,
        moovBeforeMdat: true,
        isStill: still,
      };
    },
  };
}
const hasher: Hasher = { hashFile: async () => ({ algorithm: 'sha256', hex: 'ab' }), hashFiles: async () => ({ algorithm: 'sha256', hex: 'ab' }) };
const fs = { size: async () => 10 } as unknown as FileSystem;

describe('validateOutputs', () => {
  it('takes a video frame count the encoder took while writing, probing headers only; every output is probed as an encoded output', async () => {
    const calls = new Map<string, ProbeOptions>();
    const produced = plan.outputs.map((o) => ({ name: o.name, path: o.tempPath, ...(o.spec.kind === 'video' ? { videoPackets: o.frameCount } : {}) }));
    const outputs = await validateOutputs({ probe: headersProbe(calls), hasher, fs }, plan.outputs, produced);
    expect(outputs.map((o) => [o.name, o.info.frameCount])).toEqual(plan.outputs.map((o) => [o.name, o.spec.kind === 'video' ? 48 : 1]));
    for (const o of plan.outputs) {
      expect(calls.get(o.tempPath), o.name).toEqual(o.spec.kind === 'video' ? { encodedOutput: true, countFrames: false } : { encodedOutput: true });
    }
  });

  it('a wrong count from the encoder fails the frame-count check', async () => {
    const produced = plan.outputs.map((o) => ({ name: o.name, path: o.tempPath, ...(o.name === 'ftrackreview-webm' ? { videoPackets: 47 } : {}) }));
    await expect(validateOutputs({ probe: headersProbe(new Map()), hasher, fs }, plan.outputs, produced)).rejects.toMatchObject({
      code: 'E_OUTPUT_INVALID',
      details: { output: 'ftrackreview-webm', checks: [{ check: 'frame-count', message: '47 frames, expected 48' }] },
    });
  });
});
