import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlowProducer, Job, Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  encodeInSegments,
  formatChecksum,
  isEncodeError,
  parseProfile,
  planEncode,
  planSegments,
  silentLogger,
  type Encoder,
  type Logger,
  type Progress,
  type PublishReviewRequest,
  type PublishReviewResult,
  type SegmentedPlan,
} from '@ftrack-encode/core';
import { NativeEncoder, NativeMediaProbe } from '@ftrack-encode/encoder-native';
import { NodeHasher } from '@ftrack-encode/node-platform';
import { CONTRACT_PROFILE, CONTRACT_SLOW_PROFILE, mediaFixtures, nodeFs, waitFor, type FileFixture } from '@ftrack-encode/testing';
import { startRedis, type RedisServer } from './testing/redis-server.js';
import { FlowSegmentEncoder, endFlow, flowDir, isSegmentedPublish } from './publish-flow.js';
import { markerDir, reportScratch, scratchReportKey, stopChildren, workersNotSharing } from './flow-control.js';
import { connectRedis } from './redis-connection.js';
import { stepQueueFor } from './queue-options.js';
import { FarmClient, FarmWorker, jobIdFor, type FarmJobDeps, type FarmJobEvent, type JobSpecInput } from './index.js';

// The encoder of a flow's parent, on the real native encoder: what the children made is taken as
// it is, what is missing is made here.
const fixtures = mediaFixtures(join(tmpdir(), 'ftrack-encode-farm-fixtures'));
const probe = new NativeMediaProbe({});
const native = new NativeEncoder({ threads: 1 });
let work: string;
let source: string;
let segmented: SegmentedPlan;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'publish-flow-'));
  source = ((await fixtures.ensure({ kind: 'movie', rate: '24', frames: 48, width: 320, height: 180, audio: true })) as FileFixture).path;
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

// Flows on two real workers and a real Redis, with real ffmpeg for the segments. The publish itself
// (ftrack: resolve, store, register) is not what these test: each worker's `runPublish` plans with
// the real planner and encodes with the real encoder (the join run through the flow's encoder, as
// PublishReview does), and registers nothing. test/farm-flows.e2e.test.ts runs the real publish.
describe('publish flows on two workers', () => {
  let redis: RedisServer;
  const hasher = new NodeHasher();
  let prefixes = 0;

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  interface Worker {
    name: string;
    farm: FarmWorker;
    scratchDir: string;
  }

  interface Flow {
    workers: Worker[];
    client: FarmClient;
    events: (FarmJobEvent & { worker: string })[];
    warnings: { message: string; fields: Record<string, unknown> | undefined }[];
    /** Every runPublish call: which worker, dry or not, how many segments. */
    calls: { worker: string; dryRun: boolean; segments: unknown }[];
    close(): Promise<void>;
  }

  interface FlowHooks {
    /** Runs inside the planning run's dry run, before it returns its plan. */
    planning?: (worker: string) => Promise<void>;
    /** Replaces the join run (e.g. a worker that hangs there). */
    join?: (worker: string) => Promise<PublishReviewResult>;
  }

  const logger = (warnings: Flow['warnings']): Logger => ({
    ...silentLogger,
    warn: (message, fields) => warnings.push({ message, fields }),
  });

  /** The worker's publish: plan with the real planner, encode with the flow's encoder, register nothing. */
  function runPublishOn(worker: string, calls: Flow['calls'], hooks: FlowHooks): NonNullable<FarmJobDeps['runPublish']> {
    return async (_location, request: PublishReviewRequest, options) => {
      calls.push({ worker, dryRun: Boolean(request.dryRun), segments: request.segments });
      const encoder: Encoder = options?.encoder?.(native) ?? native;
      const input = { kind: 'file' as const, path: String(request.input) };
      const plan = planEncode({
        source: input,
        info: await probe.probe(input),
        profile: request.profile,
        outputDir: request.scratchDir,
        planId: request.planId!,
      });
      const workers = (await encoder.capabilities()).segments?.workers ?? 1;
      const count = request.segments === 'auto' ? workers : Number(request.segments ?? 1);
      const key = { sourceChecksum: formatChecksum(await hasher.hashFile(input.path)), profileHash: plan.profileHash };
      const result = { versionId: request.versionId, skipped: false, locationName: 'test', components: [], commands: [], key };
      if (request.dryRun) {
        await hooks.planning?.(worker);
        return { ...result, plan, segments: planSegments(plan, count).ranges };
      }
      if (hooks.join && count > 1) return hooks.join(worker);
      const run = { ...(request.signal ? { signal: request.signal } : {}), ...(request.onProgress ? { onProgress: request.onProgress } : {}) };
      if (count > 1) await encodeInSegments({ encoder, fs: nodeFs, logger: silentLogger }, planSegments(plan, count), run);
      else await encoder.encode(plan, run);
      request.onProgress?.({ stage: 'validate' });
      request.onProgress?.({ stage: 'store', percent: 50 });
      request.onProgress?.({ stage: 'register' });
      return result;
    };
  }

  async function startFlow(options: { sharedScratch?: boolean; hooks?: FlowHooks; maxStalledCount?: number } = {}): Promise<Flow> {
    const prefix = `flow${prefixes++}`;
    const flow: Flow = { workers: [], client: undefined as never, events: [], warnings: [], calls: [], close: async () => undefined };
    const shared = await mkdtemp(join(work, 'scratch-'));
    for (const name of ['w1', 'w2']) {
      const scratchDir = options.sharedScratch === false ? await mkdtemp(join(work, `scratch-${name}-`)) : shared;
      const deps: FarmJobDeps = {
        encoder: native,
        probe,
        hasher,
        fs: nodeFs,
        logger: logger(flow.warnings),
        scratchDir,
        profile: (name) => (name === CONTRACT_SLOW_PROFILE.name ? CONTRACT_SLOW_PROFILE : CONTRACT_PROFILE),
        runPublish: runPublishOn(name, flow.calls, options.hooks ?? {}),
      };
      const farm = await FarmWorker.start(deps, {
        redisUrl: redis.url,
        prefix,
        name,
        concurrency: 1,
        lockDurationMs: 1000,
        stalledIntervalMs: 500,
        ...(options.maxStalledCount !== undefined ? { maxStalledCount: options.maxStalledCount } : {}),
        progressIntervalMs: 100,
        jobOptions: { backoff: { type: 'fixed', delay: 50 } },
        onJob: (e) => flow.events.push({ ...e, worker: name }),
      });
      flow.workers.push({ name, farm, scratchDir });
    }
    flow.client = new FarmClient({ redisUrl: redis.url, prefix, jobOptions: { backoff: { type: 'fixed', delay: 50 } } });
    flow.close = async () => {
      await flow.client.close();
      await Promise.all(flow.workers.map((w) => w.farm.close({ deadlineMs: 1000 })));
    };
    return flow;
  }

  const spec = (segments: number | 'auto' = 2, slow?: { source: string }): JobSpecInput => ({
    kind: 'publish',
    source: { kind: 'path', input: slow?.source ?? source },
    versionId: `v-${Math.random().toString(36).slice(2, 8)}`,
    profile: slow ? CONTRACT_SLOW_PROFILE.name : CONTRACT_PROFILE.name,
    segments,
  });

  /** What is left in the scratch directories (flow directories and their files). */
  async function leftovers(flow: Flow): Promise<string[]> {
    const found: string[] = [];
    for (const dir of new Set(flow.workers.map((w) => w.scratchDir))) {
      for (const name of await readdir(dir)) {
        if (!name.startsWith('flow-')) continue;
        found.push(name, ...(await readdir(join(dir, name), { recursive: true })).map((f) => `${name}/${f}`));
      }
    }
    return found;
  }

  it('one bar over the flow: planning, the segments added up, then the join run, never going back', async () => {
    const flow = await startFlow();
    try {
      const progress: Progress[] = [];
      await flow.client.run(spec(2), { onProgress: (p) => progress.push(p) });
      expect(flow.events.filter((e) => e.type === 'completed' && e.kind === 'encode')).toHaveLength(2);
      const percents = progress.map((p) => p.percent).filter((p): p is number => p !== undefined);
      expect(percents.length).toBeGreaterThan(3);
      // Monotonic over every run of the parent and every child's report.
      expect(
        percents.filter((p, i) => i > 0 && p < percents[i - 1]!),
        JSON.stringify(progress),
      ).toEqual([]);
      expect(progress.some((p) => p.message?.includes('segments on the farm') && p.percent! > 2 && p.percent! < 90)).toBe(true);
      expect(progress.some((p) => p.stage === 'register' && p.percent! >= 90)).toBe(true);
      expect(await leftovers(flow)).toEqual([]);
    } finally {
      await flow.close();
    }
  }, 120_000);

  it('a cancel during the planning run is final: no child runs to completion, nothing is left; the same publish again runs', async () => {
    let parentId = '';
    let cancels = 1;
    const client = { current: undefined as FarmClient | undefined };
    const flow = await startFlow({
      hooks: {
        // The cancel is seen while the parent plans: its children are added after it.
        planning: async () => {
          if (cancels-- <= 0) return;
          await client.current!.cancel({ id: parentId, queue: 'encode-cpu' });
          await new Promise((r) => setTimeout(r, 300));
        },
      },
    });
    client.current = flow.client;
    try {
      const job = spec(2);
      parentId = jobIdFor(job);
      const error = await flow.client.run(job).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isEncodeError(error, 'E_CANCELLED'), String(error)).toBe(true);
      const children = flow.events.filter((e) => e.kind !== 'publish');
      // The children were added (and taken), but none ran to completion.
      expect(children.some((e) => e.type === 'failed' && e.code === 'E_CANCELLED')).toBe(true);
      expect(children.filter((e) => e.type === 'completed')).toEqual([]);
      expect(flow.calls.filter((c) => !c.dryRun)).toEqual([]);
      expect(await (await flow.client.job(parentId))?.getState()).toBe('failed');
      expect(await leftovers(flow)).toEqual([]);
      // Submitted again, the same publish (the same child ids) runs: nothing of the cancel sticks to it.
      const before = flow.events.length;
      await flow.client.run(job);
      expect(flow.events.slice(before).filter((e) => e.kind === 'encode' && e.type === 'completed')).toHaveLength(2);
      expect(await leftovers(flow)).toEqual([]);
    } finally {
      await flow.close();
    }
  }, 120_000);

  it('a worker stopping during the planning run hands the parent back without cancelling the children it added', async () => {
    let stopped = false;
    const stopping = { worker: undefined as FarmWorker | undefined };
    const flow = await startFlow({
      hooks: {
        // The daemon planning is told to stop: its run is aborted to be handed back, after which it adds the children.
        planning: async (name) => {
          if (stopped) return;
          stopped = true;
          stopping.worker = flow.workers.find((w) => w.name === name)!.farm;
          void stopping.worker.close({ deadlineMs: 0 });
          await new Promise((r) => setTimeout(r, 300));
        },
      },
    });
    try {
      await flow.client.run(spec(2));
      expect(flow.events.filter((e) => e.kind === 'encode' && e.type === 'completed')).toHaveLength(2);
      expect(flow.events.filter((e) => e.type === 'failed')).toEqual([]);
      expect(await leftovers(flow)).toEqual([]);
    } finally {
      await flow.close();
    }
  }, 120_000);

  it('a child that finishes after its flow was cancelled removes what it wrote and fails E_CANCELLED', async () => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((r) => (release = r));
    const flow = await startFlow({ hooks: { join: async () => (await released, Promise.reject(new Error('not reached'))) } });
    try {
      // Segments that take seconds: 10 s at 640x360 through veryslow.
      const long = (
        (await fixtures.ensure({ kind: 'movie', pattern: 'counter', rate: '24', frames: 240, width: 640, height: 360, audio: false })) as FileFixture
      ).path;
      const job = spec(2, { source: long });
      const parentId = jobIdFor(job);
      const submitted = await flow.client.submit(job);
      // A segment is running: the parent's cancel key is set without the cancel message, as when
      // the child started after the parent's run saw the cancel but before it stopped the children.
      const redisClient = await flow.client.connection();
      await waitFor('a segment to run', async () => (flow.events.some((e) => e.type === 'active' && e.kind === 'encode') ? true : undefined));
      await redisClient.set(`${flow.client.prefix}:cancel:${parentId}`, '1');
      const error = await flow.client.wait(submitted).then(
        () => undefined,
        (e: unknown) => e,
      );
      release();
      expect(isEncodeError(error, 'E_CANCELLED'), String(error)).toBe(true);
      expect(flow.events.filter((e) => e.kind !== 'publish' && e.type === 'completed')).toEqual([]);
      expect(await leftovers(flow)).toEqual([]);
    } finally {
      release();
      await flow.close();
    }
  }, 120_000);

  it('a parent that fails by stalling (its worker hangs in the join run, maxStalledCount 0) still ends its flow: files removed', async () => {
    let hung = '';
    let release: () => void = () => undefined;
    const released = new Promise<void>((r) => (release = r));
    const flow = await startFlow({
      maxStalledCount: 0,
      hooks: {
        join: async (worker) => {
          hung = worker;
          await released;
          throw new Error('released at the end of the test');
        },
      },
    });
    try {
      const job = spec(2);
      const parentId = jobIdFor(job);
      const done = flow.client.run(job).then(
        () => undefined,
        (e: unknown) => e,
      );
      // The worker running the join dies: its lock is no longer renewed, and nothing of its own clean-up runs.
      const victim = await waitFor('the join run to start', async () => flow.workers.find((w) => w.name === hung));
      expect(await leftovers(flow)).not.toEqual([]);
      await Promise.all(victim.farm.lanes.map((lane) => lane.close(true)));
      const error = await done;
      expect(String(error)).toMatch(/stalled/);
      expect(await (await flow.client.job(parentId))?.getState()).toBe('failed');
      // The other worker failed it (BullMQ's deferred failure) and ended the flow.
      await waitFor('the flow files to be removed', async () => ((await leftovers(flow)).length === 0 ? true : undefined));
      expect(flow.warnings.some((w) => w.message.includes('without cleaning up'))).toBe(true);
    } finally {
      release();
      await flow.close();
    }
  }, 120_000);

  it('a segmented publish on daemons that do not share farm.scratchDir runs in one pass, with a warning', async () => {
    const flow = await startFlow({ sharedScratch: false });
    try {
      const progress: Progress[] = [];
      await flow.client.run(spec('auto'), { onProgress: (p) => progress.push(p) });
      // `auto` would make two segments (two workers seen), but no child job was added: one pass on the planning worker.
      expect(flow.events.filter((e) => e.kind !== 'publish')).toEqual([]);
      expect(flow.calls.map((c) => [c.dryRun, c.segments])).toEqual([
        [true, 'auto'],
        [false, 1],
      ]);
      const warning = flow.warnings.find((w) => w.fields?.['code'] === 'W_FLOW_SCRATCH_NOT_SHARED');
      expect(warning?.message).toMatch(/farm\.scratchDir .* is not shared with w\d/);
      expect(progress.some((p) => p.message?.includes('not shared'))).toBe(true);
    } finally {
      await flow.close();
    }
  }, 120_000);
  it('a worker starting sweeps the flows whose parent failed or is long gone, and keeps live ones', async () => {
    const flow = await startFlow();
    const queue = new Queue('encode-cpu', { connection: await flow.client.connection(), prefix: flow.client.prefix });
    try {
      // A publish that fails for good (no such source), and one that waits.
      const failing: JobSpecInput = {
        kind: 'publish',
        source: { kind: 'path', input: join(work, 'missing.mov') },
        versionId: 'v-gone',
        profile: 'contract',
        segments: 2,
      };
      const error = await flow.client.run(failing).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isEncodeError(error, 'E_SOURCE_UNREADABLE'), String(error)).toBe(true);
      expect(await (await flow.client.job(jobIdFor(failing)))?.getState()).toBe('failed');
      const waiting = await queue.add('publish', spec(2), { jobId: 'publish-waiting-for-later', delay: 600_000 });
      const scratchDir = flow.workers[0]!.scratchDir;
      const dirs = {
        failed: flowDir(scratchDir, jobIdFor(failing)),
        waiting: flowDir(scratchDir, waiting.id!),
        goneLongAgo: flowDir(scratchDir, 'publish-gone-long-ago'),
        goneJustNow: flowDir(scratchDir, 'publish-gone-just-now'),
      };
      for (const dir of Object.values(dirs)) {
        await mkdir(dir, { recursive: true });
        await writeFile(join(dir, 'seg0.mp4'), 'x');
      }
      const hourAgo = new Date(Date.now() - 2 * 3600_000);
      await utimes(dirs.goneLongAgo, hourAgo, hourAgo);
      // The daemon that should have cleaned those up died; another one starts.
      const late = await FarmWorker.start(
        { encoder: native, probe, hasher, fs: nodeFs, logger: logger(flow.warnings), scratchDir },
        { redisUrl: redis.url, prefix: flow.client.prefix, name: 'w3' },
      );
      await late.close({ deadlineMs: 1000 });
      const left = (await readdir(scratchDir)).filter((n) => n.startsWith('flow-')).sort();
      expect(left).toEqual([dirs.goneJustNow, dirs.waiting].map((d) => d.slice(scratchDir.length + 1)).sort());
      expect(flow.warnings.some((w) => w.message.includes('ended without cleaning up'))).toBe(true);
    } finally {
      await queue.close();
      await flow.close();
    }
  }, 120_000);
  it("a worker's scratch report: refreshed while it runs, gone when it closes; markers of long-gone workers removed", async () => {
    const scratchDir = await mkdtemp(join(work, 'report-'));
    const connection = await connectRedis(redis.url, 'submitter');
    try {
      const markers = markerDir(scratchDir);
      await mkdir(markers, { recursive: true });
      // A worker killed a day ago left its marker; one killed a minute ago may still be coming back.
      await writeFile(join(markers, 'gone-long-ago'), 'x');
      await writeFile(join(markers, 'gone-just-now'), 'x');
      const dayAgo = new Date(Date.now() - 25 * 3600_000);
      await utimes(join(markers, 'gone-long-ago'), dayAgo, dayAgo);
      const at = { prefix: 'report', queue: 'encode-cpu', worker: 'w9' };
      const report = await reportScratch(connection, nodeFs, at, { scratchDir, host: 'here' });
      const record = JSON.parse((await connection.get(scratchReportKey(at.prefix, at.queue, at.worker)))!) as {
        marker: string;
        host: string;
        scratchDir: string;
      };
      expect(record).toMatchObject({ host: 'here', scratchDir });
      expect((await readdir(markers)).sort()).toEqual(['gone-just-now', record.marker].sort());
      const before = (await stat(join(markers, record.marker))).mtimeMs;
      await new Promise((r) => setTimeout(r, 20));
      await report.refresh();
      expect((await stat(join(markers, record.marker))).mtimeMs).toBeGreaterThan(before);
      expect(await connection.ttl(scratchReportKey(at.prefix, at.queue, at.worker))).toBeGreaterThan(60);
      await report.remove();
      expect(await connection.exists(scratchReportKey(at.prefix, at.queue, at.worker))).toBe(0);
      expect(await readdir(markers)).toEqual(['gone-just-now']);
    } finally {
      connection.disconnect();
    }
  });
  it('a farm whose workers cannot be listed (CLIENT disabled) is not known to share a scratch directory', async () => {
    const unlisted = { getWorkers: () => Promise.reject(new Error('ERR unknown command CLIENT')) } as unknown as Queue;
    const connection = await connectRedis(redis.url, 'submitter');
    try {
      const unshared = await workersNotSharing(unlisted, connection, nodeFs, { prefix: 'unlisted', queue: 'encode-cpu' }, work);
      expect(unshared).toEqual([expect.stringMatching(/cannot be listed: .*CLIENT/)]);
    } finally {
      connection.disconnect();
    }
  });
  it('ending a flow whose parent failed with children still waiting removes the children and the flow files', async () => {
    const prefix = 'ended';
    const connection = await connectRedis(redis.url, 'worker');
    const producer = new FlowProducer({ connection, prefix });
    const queue = new Queue('encode-cpu', { connection, prefix });
    const steps = new Queue(stepQueueFor('encode-cpu'), { connection, prefix });
    try {
      // No worker on this queue: the children wait, as when the parent's worker died right after adding them.
      const [first, second] = segmented.segments;
      const flow = await producer.add({
        name: 'publish',
        queueName: 'encode-cpu',
        data: spec(2),
        opts: { jobId: 'publish-ended' },
        children: [
          ...[first!, second!].map((plan, i) => ({
            name: 'encode',
            queueName: 'encode-cpu',
            data: { kind: 'encode', plan },
            opts: { jobId: `child-${i}` },
          })),
          // The audio pass waits in the steps lane.
          { name: 'step', queueName: steps.name, data: { kind: 'step' }, opts: { jobId: 'child-audio' } },
        ],
      });
      const scratchDir = await mkdtemp(join(work, 'ended-'));
      await mkdir(flowDir(scratchDir, 'publish-ended'), { recursive: true });
      const warnings: Flow['warnings'] = [];
      await endFlow(
        flow.job,
        { fs: nodeFs, scratchDir, logger: logger(warnings) },
        {
          stopChildren: (parent, waitMs, remove) => stopChildren([queue, steps], connection, prefix, parent, waitMs, remove),
        },
      );
      expect(await Job.fromId(queue, 'child-0')).toBeUndefined();
      expect(await Job.fromId(queue, 'child-1')).toBeUndefined();
      expect(await Job.fromId(steps, 'child-audio')).toBeUndefined();
      expect(await readdir(scratchDir)).toEqual([]);
      expect(warnings.some((w) => w.message.includes('without cleaning up'))).toBe(true);
    } finally {
      await producer.close();
      await queue.close();
      await steps.close();
      connection.disconnect();
    }
  });
});
