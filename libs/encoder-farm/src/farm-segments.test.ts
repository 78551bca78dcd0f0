import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { checkOutput, encodeInSegments, planEncode, planSegments, silentLogger } from '@ftrack-encode/core';
import { CONTRACT_SLOW_PROFILE, frameExactness, mediaFixtures, nodeFs, type FileFixture } from '@ftrack-encode/testing';
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
    const source = (
      (await fixtures.ensure({ kind: 'movie', pattern: 'counter', rate: '24', frames: 240, width: 640, height: 360, audio: false })) as FileFixture
    ).path;
    const outputDir = await mkdtemp(join(tmpdir(), 'farm-seg-out-'));
    dirs.push(outputDir);
    const plan = planEncode({
      source: { kind: 'file', path: source },
      info: await probe.probe({ kind: 'file', path: source }),
      profile: CONTRACT_SLOW_PROFILE,
      outputDir,
    });
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
