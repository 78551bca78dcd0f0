// The quality gate inside ffmpeg.wasm: a faithful encode scores high, a smeared one is refused.
import 'reflect-metadata';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { container } from 'tsyringe';
import { afterAll, describe, expect, it } from 'vitest';
import { EncodeMedia, parseProfile, silentLogger } from '@ftrack-encode/core';
import { registerNodePlatform } from '@ftrack-encode/node-platform';
import { mediaFixtures } from '@ftrack-encode/testing';
import { registerWasmEncoder } from '../register-wasm-encoder.js';

const profile = (name: string, crf: number) =>
  parseProfile({
    name,
    outputs: [{ name: 'review', kind: 'video', codec: 'h264', container: 'mp4', crf, size: { maxWidth: 160, maxHeight: 90 }, audio: { codec: 'none' } }],
  });

describe('WasmQualityMeter', () => {
  const scope = container.createChildContainer();
  registerNodePlatform(scope, { logger: silentLogger, checksumCacheDir: false });
  const encoder = registerWasmEncoder(scope, { probe: true });
  const dirs: string[] = [];
  afterAll(async () => {
    await encoder.dispose();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });
  const out = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wasm-quality-'));
    dirs.push(dir);
    return dir;
  };

  it('scores every sampled frame of a faithful encode, first/middle/last included', async () => {
    const dir = await out();
    const result = await scope.resolve(EncodeMedia).run(await mediaFixtures().movie24(), profile('faithful', 16), { outputDir: dir });
    // The encode captured the reference frames inside the core; the gate removed them.
    expect(result.plan.outputs[0]!.qualityReference).toMatch(/\.quality-reference\.nut$/);
    expect(await readdir(dir)).toEqual([result.outputs[0]!.path.split('/').pop()]);
    const [verdict] = result.quality;
    expect(verdict).toMatchObject({ output: 'review', pass: true });
    expect(verdict!.ssim).toBeGreaterThan(0.97);
    expect(verdict!.frames.length).toBeGreaterThanOrEqual(10);
    expect(result.outputs[0]!.notes?.['ssim']).toBe(verdict!.ssim.toFixed(4));
  }, 180_000);

  it('refuses a smeared encode with E_QUALITY and leaves nothing in the output directory', async () => {
    const dir = await out();
    await expect(scope.resolve(EncodeMedia).run(await mediaFixtures().movie24(), profile('smeared', 51), { outputDir: dir })).rejects.toMatchObject({
      code: 'E_QUALITY',
    });
    expect(await readdir(dir)).toEqual([]);
  }, 180_000);
});
