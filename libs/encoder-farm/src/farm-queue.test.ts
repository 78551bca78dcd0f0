import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEncodeError, parseProfile, planEncode, silentLogger, type EncodePlan, type EncodeProfile, type Hasher, type Progress } from '@ftrack-encode/core';
import { CONTRACT_PROFILE, mediaFixtures } from '@ftrack-encode/testing';
import { NativeEncoder, NativeMediaProbe } from '@ftrack-encode/encoder-native';
import { NodeFileSystem, NodeHasher } from '@ftrack-encode/node-platform';
import { startRedis, type RedisServer } from './testing/redis-server.js';
import { connectRedis } from './redis-connection.js';
import { FarmClient, FarmWorker, jobIdFor, runJobSpec, type FarmJobDeps, type FarmJobEvent, type JobSpecInput } from './index.js';

// A private fixture cache: other suites may clear the shared one while these run.
const fixtures = mediaFixtures(join(tmpdir(), 'ftrack-encode-farm-fixtures'));
const probe = new NativeMediaProbe({});
const hasher = new NodeHasher();
const SLOW: EncodeProfile = parseProfile(
  {
    name: 'slow',
    outputs: [
      {
        name: 'slow',
        kind: 'video',
        codec: 'h264',
        container: 'mp4',
        crf: 18,
        preset: 'veryslow',
        size: { maxWidth: 640, maxHeight: 360 },
        audio: { codec: 'none' },
      },
    ],
  },
  'test',
);

let redis: RedisServer;
let scratchDir: string;
const dirs: string[] = [];

function deps(): FarmJobDeps {
  return { encoder: new NativeEncoder({ threads: 1 }), probe, hasher, fs: new NodeFileSystem(), logger: silentLogger, scratchDir };
}

async function encodeSpec(sourcePath: string, profile: EncodeProfile = CONTRACT_PROFILE): Promise<{ spec: JobSpecInput; plan: EncodePlan }> {
  const outputDir = await mkdtemp(join(tmpdir(), 'farm-out-'));
  dirs.push(outputDir);
  const source = { kind: 'file' as const, path: sourcePath };
  const plan = planEncode({ source, info: await probe.probe(source), profile, outputDir, threads: 1 });
  const checksum = await hasher.hashFile(sourcePath);
  return { spec: { kind: 'encode', plan, sourceChecksum: `${checksum.algorithm}:${checksum.hex}` }, plan };
}

async function withWorker<T>(
  options: { prefix: string; events?: FarmJobEvent[]; onJob?: (event: FarmJobEvent) => void },
  run: (worker: FarmWorker) => Promise<T>,
): Promise<T> {
  const worker = await FarmWorker.start(deps(), {
    redisUrl: redis.url,
    prefix: options.prefix,
    stalledIntervalMs: 1000,
    lockDurationMs: 2000,
    onJob: (e) => {
      options.events?.push(e);
      options.onJob?.(e);
    },
  });
  try {
    return await run(worker);
  } finally {
    await worker.close({ deadlineMs: 2000 });
  }
}

beforeAll(async () => {
  redis = await startRedis();
  scratchDir = await mkdtemp(join(tmpdir(), 'farm-scratch-'));
});
afterAll(async () => {
  await redis?.stop();
  await Promise.all([scratchDir, ...dirs].map((d) => rm(d, { recursive: true, force: true })));
});

describe('farm queue', () => {
  it('runs a job added twice once, and both submitters get its result and progress', async () => {
    const prefix = 'dedup';
    const client = new FarmClient({ redisUrl: redis.url, prefix });
    const { spec, plan } = await encodeSpec(await fixtures.movie24());
    const first = await client.submit(spec);
    const second = await client.submit(spec);
    expect(second).toEqual({ ...first, created: false });
    expect(first.id).toBe(jobIdFor(spec));
    const events: FarmJobEvent[] = [];
    const seen: Progress[] = [];
    const results = await withWorker({ prefix, events }, () => Promise.all([client.wait(first, { onProgress: (p) => seen.push(p) }), client.wait(second)]));
    expect(results[0]).toEqual(results[1]);
    expect(events.filter((e) => e.type === 'active')).toHaveLength(1);
    expect(seen.some((p) => p.stage === 'encode')).toBe(true);
    const outputs = results[0]!.kind === 'encode' ? results[0]!.outputs : [];
    expect(outputs.map((o) => o.path).sort()).toEqual(plan.outputs.map((o) => o.tempPath).sort());
    expect(outputs.every((o) => /^sha256:[0-9a-f]{64}$/.test(o.checksum) && o.size > 0)).toBe(true);
    await client.close();
  });

  it('reports throttled progress in order through Redis, ending with validation at 100 %', async () => {
    const prefix = 'progress';
    const client = new FarmClient({ redisUrl: redis.url, prefix });
    const { spec } = await encodeSpec(await fixtures.movie24());
    const seen: Progress[] = [];
    await withWorker({ prefix }, () => client.run(spec, { onProgress: (p) => seen.push(p) }));
    const encode = seen.filter((p) => p.stage === 'encode').map((p) => p.percent ?? 0);
    expect(encode).toEqual([...encode].sort((a, b) => a - b));
    expect(seen.at(-1)).toMatchObject({ stage: 'validate', percent: 100 });
    await client.close();
  });

  it('opens an event reader only to wait: submitting, counting and reading jobs (what a daemon does) read no events', async () => {
    const prefix = 'readers';
    const admin = await connectRedis(redis.url, 'submitter');
    // QueueEvents connections are named <prefix>:<base64 queue>:qe.
    const readers = async () =>
      String(await admin.client('LIST'))
        .split('\n')
        .filter((line) => new RegExp(`name=${prefix}:\\S*:qe( |$)`).test(line)).length;
    const submitter = new FarmClient({ redisUrl: redis.url, prefix });
    const { spec } = await encodeSpec(await fixtures.movie24());
    const job = await submitter.submit(spec);
    await submitter.counts();
    await submitter.recent();
    await submitter.job(job.id);
    expect(await readers()).toBe(0);
    const result = await withWorker({ prefix }, () => submitter.wait(job));
    expect(await readers()).toBe(1);
    // A submitter that starts waiting after the job finished still gets its result.
    const late = new FarmClient({ redisUrl: redis.url, prefix });
    expect(await late.wait(job)).toEqual(result);
    await Promise.all([submitter.close(), late.close()]);
    admin.disconnect();
  });

  it('an idle worker takes a queued job at once: two jobs on two idle workers both start before either ends', async () => {
    const prefix = 'pickup';
    const client = new FarmClient({ redisUrl: redis.url, prefix });
    // Jobs of a second or so: an idle worker that waited for a poll (drainDelay, 5 s) would start
    // its job after the other worker's had ended.
    const source = await fixtures.movie24();
    const specs = await Promise.all([encodeSpec(source, SLOW), encodeSpec(source, SLOW)]);
    // Both workers' job events, in the order this process saw them.
    const log: string[] = [];
    const record = (worker: string) => (e: FarmJobEvent) => log.push(`${worker} ${e.type}`);
    await withWorker({ prefix, onJob: record('a') }, () =>
      withWorker({ prefix, onJob: record('b') }, async () => {
        const jobs = [];
        for (const { spec } of specs) jobs.push(await client.submit(spec));
        await Promise.all(jobs.map((job) => client.wait(job)));
      }),
    );
    expect(log.slice(0, 2).sort()).toEqual(['a active', 'b active']);
    expect(log.slice(2).sort()).toEqual(['a completed', 'b completed']);
    await client.close();
  });

  it('fails bad input once, with the worker error code, and never retries it', async () => {
    const prefix = 'bad';
    const client = new FarmClient({ redisUrl: redis.url, prefix, jobOptions: { backoff: { type: 'fixed', delay: 10 } } });
    const { spec } = await encodeSpec(await fixtures.movie24());
    const missing = {
      ...spec,
      plan: { ...(spec as { plan: EncodePlan }).plan, id: 'missing', source: { kind: 'file', path: '/nonexistent/plate.mov' } },
    } as JobSpecInput;
    const events: FarmJobEvent[] = [];
    const error = await withWorker({ prefix, events }, () =>
      client.run(missing).then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    expect(isEncodeError(error, 'E_SOURCE_NOT_ACCESSIBLE'), String(error)).toBe(true);
    const job = await client.job(jobIdFor(missing));
    expect(job?.attemptsMade).toBe(1);
    expect(events.filter((e) => e.type === 'failed')).toEqual([expect.objectContaining({ code: 'E_SOURCE_NOT_ACCESSIBLE', willRetry: false })]);
    await client.close();
  });

  it('rejects an invalid job spec with E_USAGE before it reaches Redis', async () => {
    const client = new FarmClient({ redisUrl: redis.url, prefix: 'invalid' });
    expect(() => jobIdFor({ kind: 'publish', versionId: '', profile: 'x', source: { kind: 'path', input: 'a' } })).toThrow();
    await client.close();
  });

  it('cancels a running encode: the job fails E_CANCELLED once, no file is left', async () => {
    const prefix = 'cancel';
    const client = new FarmClient({ redisUrl: redis.url, prefix });
    const { spec, plan } = await encodeSpec(await fixtures.cancelClip(), SLOW);
    const controller = new AbortController();
    const events: FarmJobEvent[] = [];
    const error = await withWorker({ prefix, events }, () =>
      client.run(spec, { signal: controller.signal, onProgress: (p) => p.stage === 'encode' && (p.frame ?? 0) > 0 && controller.abort() }).then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    expect(isEncodeError(error, 'E_CANCELLED'), String(error)).toBe(true);
    const job = await client.job(jobIdFor(spec));
    expect(await job?.getState()).toBe('failed');
    expect(job?.attemptsMade).toBe(1);
    expect(JSON.parse(job?.failedReason ?? '{}')).toMatchObject({ code: 'E_CANCELLED' });
    expect(await readdir(plan.outputDir)).toEqual([]);
    await client.close();
  });

  it('removes a job that no worker took yet on cancel, and re-submitting runs it again', async () => {
    const prefix = 'cancel-waiting';
    const client = new FarmClient({ redisUrl: redis.url, prefix });
    const { spec } = await encodeSpec(await fixtures.movie24());
    const controller = new AbortController();
    const pending = client.run(spec, { signal: controller.signal }).then(
      () => undefined,
      (e: unknown) => e,
    );
    await new Promise((r) => setTimeout(r, 200));
    controller.abort();
    expect(isEncodeError(await pending, 'E_CANCELLED')).toBe(true);
    expect(await client.job(jobIdFor(spec))).toBeUndefined();
    const result = await withWorker({ prefix }, () => client.run(spec));
    expect(result.kind).toBe('encode');
    await client.close();
  });

  it('hands a running job back to the queue when the stop deadline passes; another worker finishes it', async () => {
    const prefix = 'handback';
    const client = new FarmClient({ redisUrl: redis.url, prefix });
    const { spec, plan } = await encodeSpec(await fixtures.cancelClip(), SLOW);
    const job = await client.submit(spec);
    const done = client.wait(job);
    const first = await FarmWorker.start(deps(), { redisUrl: redis.url, prefix, stalledIntervalMs: 1000, lockDurationMs: 2000 });
    const started = Date.now();
    while ((await client.counts()).active === 0 && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 50));
    await first.close({ deadlineMs: 300 });
    const bullJob = await client.job(job.id);
    expect(await bullJob?.getState()).toBe('waiting');
    expect(bullJob?.attemptsMade).toBe(0);
    const result = await withWorker({ prefix }, () => done);
    expect(result.kind === 'encode' && result.outputs.map((o) => o.path)).toEqual(plan.outputs.map((o) => o.tempPath));
    expect((await readdir(plan.outputDir)).filter((f) => f.includes('.stage.'))).toEqual([]);
    await client.close();
  });
});

describe('redis checks', () => {
  it('refuses a Redis whose maxmemory-policy may evict jobs', async () => {
    const lru = await startRedis({ maxmemoryPolicy: 'allkeys-lru' });
    try {
      const error = await FarmWorker.start(deps(), { redisUrl: lru.url }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isEncodeError(error, 'E_QUEUE_UNAVAILABLE')).toBe(true);
      expect(String((error as Error).message)).toMatch(/allkeys-lru.*noeviction/);
      const client = new FarmClient({ redisUrl: lru.url });
      expect(isEncodeError(await client.counts().catch((e: unknown) => e), 'E_QUEUE_UNAVAILABLE')).toBe(true);
      await client.close();
    } finally {
      await lru.stop();
    }
  });

  it('fails fast with E_QUEUE_UNAVAILABLE when Redis is not there', async () => {
    const { freePort } = await import('./testing/redis-server.js');
    const client = new FarmClient({ redisUrl: `redis://:secret@127.0.0.1:${await freePort()}`, connectTimeoutMs: 1000 });
    const { spec } = await encodeSpec(await fixtures.movie24());
    const error = await client.run(spec).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isEncodeError(error, 'E_QUEUE_UNAVAILABLE'), String(error)).toBe(true);
    expect((error as Error).message).not.toContain('secret');
    await client.close();
  });
});

/** The real hasher, holding every source check until `gate` opens (a fake below the Hasher port). */
function gatedHasher(gate: Promise<unknown>): Hasher {
  return {
    hashFile: (path, algorithm, options) => hasher.hashFile(path, algorithm, options),
    hashFiles: async (paths, algorithm, options) => {
      await gate;
      return hasher.hashFiles(paths, algorithm, options);
    },
  };
}

describe('source check beside the encode', () => {
  it('starts the encode before the source check ends, and commits the outputs once both are done', async () => {
    const { spec, plan } = await encodeSpec(await fixtures.movie24());
    let encodeStarted!: () => void;
    const started = new Promise<void>((resolve) => (encodeStarted = resolve));
    // A serial check-then-encode never opens the gate and the test times out.
    const result = await runJobSpec(spec, { ...deps(), hasher: gatedHasher(started) }, { onProgress: (p) => p.stage === 'encode' && encodeStarted() });
    expect(result.kind === 'encode' && result.outputs.map((o) => o.path).sort()).toEqual(plan.outputs.map((o) => o.tempPath).sort());
  });

  it('stops the encode when the source is not the submitted one: E_CHECKSUM_MISMATCH, no file left', async () => {
    const { spec, plan } = await encodeSpec(await fixtures.cancelClip(), SLOW);
    const other = { ...spec, sourceChecksum: `sha256:${'0'.repeat(64)}` } as JobSpecInput;
    let encodeStarted!: () => void;
    const started = new Promise<void>((resolve) => (encodeStarted = resolve));
    const error = await runJobSpec(other, { ...deps(), hasher: gatedHasher(started) }, { onProgress: (p) => p.stage === 'encode' && encodeStarted() }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isEncodeError(error, 'E_CHECKSUM_MISMATCH'), String(error)).toBe(true);
    expect(await readdir(plan.outputDir)).toEqual([]);
  });
});

describe('run-job spec files', () => {
  it('runs the same unit of work without any queue', async () => {
    const { spec, plan } = await encodeSpec(await fixtures.movie24());
    const specFile = join(scratchDir, 'job.json');
    await writeFile(specFile, JSON.stringify(spec));
    const result = await runJobSpec(JSON.parse(JSON.stringify(spec)) as JobSpecInput, deps());
    expect(result.kind === 'encode' && result.outputs.map((o) => o.name).sort()).toEqual(plan.outputs.map((o) => o.name).sort());
  });
});
