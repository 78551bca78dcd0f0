import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Burnins, ProfileCatalog, parseProfile, planEncode, rational, type MediaInfo } from '@ftrack-encode/core';
import { buildEncodeInvocation, DEFAULT_BURNIN_FONT } from '@ftrack-encode/ffmpeg';
import { bundledBurninFont, layoutInCore } from './core-layout.js';
import { inputPathInCore } from '../shared/memfs-paths.js';

const info: MediaInfo = {
  format: 'mov',
  width: 640,
  height: 360,
  pixelAspect: rational(1),
  frameRate: rational(24),
  frameCount: 24,
  duration: 1,
  codec: 'h264',
  pixelFormat: 'yuv420p',
  color: {},
  audio: [],
  isStill: false,
  firstFrame: 0,
  moovBeforeMdat: true,
};

describe('burn-in font in the wasm core', () => {
  const profile = parseProfile({
    ...new ProfileCatalog().get('ftrack-review'),
    name: 'burned',
    burnins: Burnins.parse({ fields: [{ position: 'top', text: 'x' }] }),
  });
  const plan = planEncode({ source: { kind: 'file', path: '/shots/a.mov' }, info, profile, outputDir: '/out', planId: 'f1' });
  const invocation = buildEncodeInvocation(plan);

  it('mounts the system font when the machine has it', () => {
    const layout = layoutInCore(plan, invocation, [{ path: '/shots/a.mov', size: 1 }], () => true);
    expect(layout.mounts[0]!.files.find((f) => f.diskPath === DEFAULT_BURNIN_FONT)).toBeDefined();
  });

  it('falls back to the DejaVu Sans shipped with the lib where fonts-dejavu-core is missing', () => {
    const layout = layoutInCore(plan, invocation, [{ path: '/shots/a.mov', size: 1 }], () => false);
    const font = layout.mounts[0]!.files.find((f) => f.diskPath === bundledBurninFont());
    expect(font).toBeDefined();
    expect(existsSync(bundledBurninFont())).toBe(true);
    // A TrueType file (0x00010000 version tag), the same bytes Debian ships.
    expect(readFileSync(bundledBurninFont()).readUInt32BE(0)).toBe(0x00010000);
    // The graph reads it under the core path the font is mounted at, never the host path.
    const graph = layout.args.join(' ');
    expect(graph).toContain(`fontfile=${inputPathInCore(DEFAULT_BURNIN_FONT)}`);
    expect(graph).not.toContain(`fontfile=${DEFAULT_BURNIN_FONT}`);
  });
});
