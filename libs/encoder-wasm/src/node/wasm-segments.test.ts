import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { planEncode, planSegments } from '@ftrack-encode/core';
import { CONTRACT_PROFILE, frameExactness, mediaFixtures, type FileFixture } from '@ftrack-encode/testing';
import { WasmCore } from './wasm-core.js';
import { WasmMediaProbe } from './wasm-media-probe.js';
import { WasmNodeEncoder } from './wasm-node-encoder.js';

const fixtures = mediaFixtures();
const dirs: string[] = [];
const main = new WasmCore();
/** Every extra core the encoder makes, and how many of them ran a command at the same time. */
const made: WasmCore[] = [];
let running = 0;
let mostAtOnce = 0;
const encoder = new WasmNodeEncoder(main, { segmentWorkers: 2 }, () => {
  const core = new WasmCore();
  const run = core.run.bind(core);
  core.run = async (...args) => {
    mostAtOnce = Math.max(mostAtOnce, ++running);
    try {
      return await run(...args);
    } finally {
      running--;
    }
  };
  made.push(core);
  return core;
});

afterAll(async () => {
  await encoder.dispose();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

it('runs the segments of one encode side by side, each on a worker thread with its own ffmpeg.wasm core', async () => {
  const source = (
    (await fixtures.ensure({ kind: 'movie', pattern: 'counter', rate: '24000/1001', frames: 96, preset: 'veryfast', keyframeInterval: 24 })) as FileFixture
  ).path;
  const outputDir = await mkdtemp(join(tmpdir(), 'wasm-seg-'));
  dirs.push(outputDir);
  const info = await new WasmMediaProbe(main).probe({ kind: 'file', path: source });
  const plan = planEncode({ source: { kind: 'file', path: source }, info, profile: CONTRACT_PROFILE, outputDir, capabilities: await encoder.capabilities() });
  expect((await encoder.capabilities()).segments).toEqual({ workers: 2 });
  const segmented = planSegments(plan, 2);
  await Promise.all(segmented.segments.map((segment) => encoder.encode(segment)));
  expect(made).toHaveLength(2);
  expect(mostAtOnce).toBe(2);
  // Each segment file holds exactly its source frames.
  const mp4 = plan.outputs.find((o) => o.spec.kind === 'video')!;
  const parts = segmented.joins.find((j) => j.output.name === mp4.name)!.parts;
  const first = await frameExactness(parts[0]!.path, source);
  expect(first.same).toHaveLength(48);
  expect(first.misplaced).toEqual([]);
  expect((await readdir(outputDir)).filter((f) => f.includes('.seg')).length).toBe(segmented.segments.length * segmented.joins.length);
});
