import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseProfile, planEncode, planSegments, silentLogger, type SegmentedPlan } from '@ftrack-encode/core';
import { NativeEncoder, NativeMediaProbe } from '@ftrack-encode/encoder-native';
import { CONTRACT_PROFILE, mediaFixtures, nodeFs, type FileFixture } from '@ftrack-encode/testing';
import { FlowSegmentEncoder, flowDir, isSegmentedPublish } from './publish-flow.js';
import type { FarmJobDeps } from './run-job.js';

// The encoder of a flow's parent, on the real native encoder: what the children made is taken as
// it is, what is missing is made here.
const fixtures = mediaFixtures(join(tmpdir(), 'ftrack-encode-farm-fixtures'));
const probe = new NativeMediaProbe({});
const native = new NativeEncoder({ threads: 1 });
let work: string;
let segmented: SegmentedPlan;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'publish-flow-'));
  const source = ((await fixtures.ensure({ kind: 'movie', rate: '24', frames: 48, width: 320, height: 180, audio: true })) as FileFixture).path;
  const plan = planEncode({
    source: { kind: 'file', path: source },
    info: await probe.probe({ kind: 'file', path: source }),
    profile: CONTRACT_PROFILE,
    outputDir: work,
  });
  segmented = planSegments(plan, 2);
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

async function modified(path: string): Promise<number> {
  return (await stat(path)).mtimeMs;
}

it('takes a segment and the audio the farm made as they are, encodes what is missing here, and splits auto for the farm', async () => {
  const flow = new FlowSegmentEncoder(native, nodeFs, silentLogger, 3);
  expect((await flow.capabilities()).segments).toEqual({ workers: 3 });
  const [first, second] = segmented.segments;
  // A child made segment 0.
  await native.encode(first!);
  const made = await Promise.all(first!.outputs.map((o) => modified(o.tempPath)));
  expect(await flow.encode(first!)).toEqual(first!.outputs.map((o) => ({ name: o.name, path: o.tempPath })));
  expect(await Promise.all(first!.outputs.map((o) => modified(o.tempPath)))).toEqual(made);
  // Segment 1 is not there (its file was consumed, or the scratch is not shared): encoded here.
  await flow.encode(second!);
  for (const output of second!.outputs.filter((o) => o.spec.kind === 'video')) {
    expect((await probe.probe({ kind: 'file', path: output.tempPath })).frameCount).toBe(second!.range!.frames);
  }
  // The audio: made here when missing, then taken as it is.
  const audio = segmented.audio!;
  await flow.runStep(audio);
  const audioMade = await Promise.all(audio.parts.map((p) => modified(p.path)));
  await flow.runStep(audio);
  expect(await Promise.all(audio.parts.map((p) => modified(p.path)))).toEqual(audioMade);
});

it('runs a publish as a flow only when it asks for segments (its own setting, else its profile)', () => {
  const deps = {
    profile: (name: string) => parseProfile({ ...CONTRACT_PROFILE, name, segments: name === 'split' ? 'auto' : undefined }, name),
  } as unknown as FarmJobDeps;
  const spec = (profile: string, segments?: number | 'auto') => ({
    specVersion: 1 as const,
    kind: 'publish' as const,
    source: { kind: 'path' as const, input: '/x.mov' },
    versionId: 'v',
    profile,
    ...(segments !== undefined ? { segments } : {}),
  });
  expect(isSegmentedPublish(spec('plain'), deps)).toBe(false);
  expect(isSegmentedPublish(spec('plain', 1), deps)).toBe(false);
  expect(isSegmentedPublish(spec('plain', 2), deps)).toBe(true);
  expect(isSegmentedPublish(spec('split'), deps)).toBe(true);
  expect(isSegmentedPublish(spec('split', 1), deps)).toBe(false);
  expect(flowDir('/scratch', 'publish-v:1')).toBe('/scratch/flow-publish-v_1');
});
