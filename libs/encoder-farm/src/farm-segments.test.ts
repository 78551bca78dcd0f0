import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  checkOutput,
  encodeInSegments,
  planEncode,
  planSegments,
  silentLogger,
  type EncodePlan,
  type EncodeProfile,
  type RunOptions,
  type SegmentStep,
} from '@ftrack-encode/core';
import { CONTRACT_PROFILE, CONTRACT_SLOW_PROFILE, frameExactness, mediaFixtures, nodeFs, type FileFixture } from '@ftrack-encode/testing';
import { NativeEncoder, NativeMediaProbe } from '@ftrack-encode/encoder-native';
import { NodeFileSystem, NodeHasher } from '@ftrack-encode/node-platform';
import { startRedis, type RedisServer } from './testing/redis-server.js';
import { FarmClient, FarmEncoder, FarmWorker, type FarmJobEvent } from './index.js';

// Two daemons (workers) on one real Redis; a segmented encode is one encode job per segment plus
// step jobs (audio, joins), spread over both.
const fixtures = mediaFixtures(join(tmpdir(), 'ftrack-encode-farm-fixtures'));
const probe = new NativeMediaProbe({});
const hasher = new NodeHasher();
let redis: RedisServer;
let scratchDir: string;
const dirs: string[] = [];

beforeAll(async () => {
  redis = await startRedis();
  scratchDir = await mkdtemp(join(tmpdir(), 'farm-seg-scratch-'));
});
afterAll(async () => {
  await redis?.stop();
  await Promise.all([scratchDir, ...dirs].map((d) => rm(d, { recursive: true, force: true })));
});

/** A 24 fps movie with its frame number drawn on every frame, and a plan of `profile` for it into a fresh directory. */
async function counterPlan(
  movie: { frames: number; width: number; height: number; audio?: boolean },
  profile: EncodeProfile,
): Promise<{ source: string; outputDir: string; plan: EncodePlan }> {
  const source = ((await fixtures.ensure({ kind: 'movie', pattern: 'counter', rate: '24', ...movie })) as FileFixture).path;
  const outputDir = await mkdtemp(join(tmpdir(), 'farm-seg-out-'));
  dirs.push(outputDir);
  const plan = planEncode({ source: { kind: 'file', path: source }, info: await probe.probe({ kind: 'file', path: source }), profile, outputDir });
  return { source, outputDir, plan };
}

/** ffmpeg processes writing into `dir`. */
async function ffmpegsIn(dir: string): Promise<{ pid: number; args: string }[]> {
  const { stdout } = await execa('ps', ['-eo', 'pid=,args=']);
  return stdout
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null && m[2]!.includes('ffmpeg') && m[2]!.includes(dir))
    .map((m) => ({ pid: Number(m[1]), args: m[2]! }));
}

it('spreads the segments over two daemons; a killed segment job is retried alone and the joined output is frame-exact', async () => {
  const prefix = 'segments';
  const events: FarmJobEvent[] = [];
  const workerDeps = () => ({ encoder: new NativeEncoder({ threads: 1 }), probe, hasher, fs: new NodeFileSystem(), logger: silentLogger, scratchDir });
  const workers = await Promise.all(
    [0, 1].map(() => FarmWorker.start(workerDeps(), { redisUrl: redis.url, prefix, concurrency: 1, onJob: (e) => events.push(e) })),
  );
  const client = new FarmClient({ redisUrl: redis.url, prefix, jobOptions: { backoff: { type: 'fixed', delay: 50 } } });
  try {
    const { source, outputDir, plan } = await counterPlan({ frames: 240, width: 640, height: 360, audio: false }, CONTRACT_SLOW_PROFILE);
    const encoder = new FarmEncoder(client, hasher);
    let killed = 0;
    const watcher = (async () => {
      for (let i = 0; i < 600 && killed === 0; i++) {
        const victim = (await ffmpegsIn(outputDir)).find((p) => p.args.includes('.seg1.'));
        if (victim) {
          process.kill(victim.pid, 'SIGKILL');
          killed = victim.pid;
        } else await new Promise((r) => setTimeout(r, 25));
      }
    })();
    await encodeInSegments({ encoder, fs: nodeFs, logger: silentLogger }, planSegments(plan, 2));
    await watcher;
    expect(killed).toBeGreaterThan(0);
    // Each segment is its own encode job; only the killed one ran twice (BullMQ's retry), on some daemon.
    const encodeRuns = new Map<string, number>();
    for (const e of events.filter((e) => e.type === 'active' && e.kind === 'encode')) encodeRuns.set(e.jobId, (encodeRuns.get(e.jobId) ?? 0) + 1);
    expect([...encodeRuns.values()].sort()).toEqual([1, 2]);
    expect(events.filter((e) => e.type === 'failed' && e.willRetry)).toHaveLength(1);
    expect(events.filter((e) => e.type === 'completed' && e.kind === 'step').length).toBe(plan.outputs.filter((o) => o.spec.kind === 'video').length);
    for (const planned of plan.outputs.filter((o) => o.spec.kind === 'video')) {
      expect(checkOutput(planned, await probe.probe({ kind: 'file', path: planned.tempPath })), planned.name).toEqual([]);
      expect((await frameExactness(planned.tempPath, source)).misplaced, planned.name).toEqual([]);
    }
    expect((await readdir(outputDir)).sort()).toEqual(plan.outputs.map((o) => o.tempPath.slice(outputDir.length + 1)).sort());
  } finally {
    await client.close();
    await Promise.all(workers.map((w) => w.close({ deadlineMs: 2000 })));
  }
});

/** Resolves true once `ready()` holds (checked every 25 ms), false after `ms`. */
async function until(ready: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end;) {
    if (ready()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return ready();
}

it('runs the audio step in the steps lane while every encode slot holds a segment', async () => {
  const prefix = 'step-lane';
  const events: FarmJobEvent[] = [];
  const of = (type: FarmJobEvent['type'], kind: string) => events.filter((e) => e.type === type && e.kind === kind);
  // Segment encodes are held until released, and the audio pass waits until both segments hold
  // their daemon's only encode slot: it can only finish if it runs beside them.
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let bothBusy!: () => void;
  const busy = new Promise<void>((resolve) => (bothBusy = resolve));
  const workerDeps = () => {
    const encoder = new NativeEncoder({ threads: 1 });
    const held = Object.assign(Object.create(encoder) as NativeEncoder, {
      encode: async (plan: EncodePlan, options?: RunOptions) => (await released, encoder.encode(plan, options)),
      runStep: async (step: SegmentStep, options?: RunOptions) => (step.kind === 'audio' && (await busy), encoder.runStep(step, options)),
    });
    return { encoder: held, probe, hasher, fs: new NodeFileSystem(), logger: silentLogger, scratchDir };
  };
  const onJob = (event: FarmJobEvent) => {
    events.push(event);
    if (of('active', 'encode').length === 2) bothBusy();
  };
  const workers = await Promise.all([0, 1].map(() => FarmWorker.start(workerDeps(), { redisUrl: redis.url, prefix, concurrency: 1, onJob })));
  const client = new FarmClient({ redisUrl: redis.url, prefix });
  try {
    const { source, plan } = await counterPlan({ frames: 96, width: 320, height: 180 }, CONTRACT_PROFILE);
    const run = encodeInSegments({ encoder: new FarmEncoder(client, hasher), fs: nodeFs, logger: silentLogger }, planSegments(plan, 2));
    expect(await until(() => of('completed', 'step').length === 1, 60_000)).toBe(true);
    expect(of('active', 'encode')).toHaveLength(2);
    expect(of('completed', 'encode')).toEqual([]);
    release();
    await run;
    // The audio and the join ran in the steps lane.
    expect(of('completed', 'step').map((e) => e.queue)).toEqual(['encode-cpu-steps', 'encode-cpu-steps']);
    const video = plan.outputs.find((o) => o.spec.kind === 'video')!;
    const joined = await probe.probe({ kind: 'file', path: video.tempPath });
    expect(checkOutput(video, joined)).toEqual([]);
    expect(joined.frameCount).toBe(96);
    expect(joined.audio[0]?.duration ?? 0).toBeCloseTo(4, 1);
    expect((await frameExactness(video.tempPath, source)).misplaced).toEqual([]);
  } finally {
    release();
    bothBusy();
    await client.close();
    await Promise.all(workers.map((w) => w.close({ deadlineMs: 2000 })));
  }
});
