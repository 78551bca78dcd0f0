// Segmented publishes on the farm as BullMQ flows: two daemon PROCESSES from the built bundle on a
// real Redis, ftrack-local in-process, real ffmpeg, one scratch directory both daemons see (the
// shared storage a segmented farm publish needs). The parent publish job plans, its children encode
// the segments and the audio, the parent joins, validates and registers once.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '@ftrack/api';
import { isEncodeError, type EncodeProfileInput, type Progress } from '@ftrack-encode/core';
import { frameExactness, mediaFixtures, type FileFixture } from '@ftrack-encode/testing';
import { NodeHasher } from '@ftrack-encode/node-platform';
import { FarmClient, FarmEncoder, fromFailedReason, jobIdFor, type JobSpecInput } from '@ftrack-encode/encoder-farm';
import { startRedis, type RedisServer } from './support/redis.js';
import { buildCli, describeResult, parseJson, runCli } from './support/cli.js';
import { daemonEnv, exited, runCancelledAt, startDaemon, waitFor, type DaemonProcess } from './support/daemon.js';
import { componentsOf, downloadComponent, newSeededVersion, plainSession, probeVideo, startLocal, storedFiles } from './support/ftrack.js';

const fixtures = mediaFixtures(join(tmpdir(), 'ftrack-encode-farm-fixtures'));
const hasher = new NodeHasher();
const PREFIX = 'flows';

/** Small and fast, with audio (the audio is its own child job); the quality bar matches. */
const FLOW: EncodeProfileInput = {
  name: 'flow-fast',
  outputs: [
    {
      name: 'ftrackreview-mp4',
      kind: 'video',
      codec: 'h264',
      container: 'mp4',
      crf: 28,
      preset: 'ultrafast',
      size: { maxWidth: 320, maxHeight: 180 },
      minSsim: 0.9,
    },
    { name: 'thumbnail', kind: 'image', codec: 'mjpeg', container: 'jpg', size: { maxWidth: 80, maxHeight: 45 } },
  ],
};
/** Slow enough per segment that a kill lands while the segment's ffmpeg runs. */
const FLOW_SLOW: EncodeProfileInput = {
  name: 'flow-slow',
  outputs: [{ ...FLOW.outputs[0]!, name: 'ftrackreview-mp4', preset: 'veryslow', crf: 18, size: { maxWidth: 640, maxHeight: 360 } } as never],
};

let redis: RedisServer;
let ftrack: Awaited<ReturnType<typeof startLocal>>;
let session: Session;
let work: string;
let scratchDir: string;
let client: FarmClient;
let counter: string;
let configPath: string;
let env: Record<string, string>;
const daemons: DaemonProcess[] = [];

beforeAll(async () => {
  buildCli();
  work = await mkdtemp(join(tmpdir(), 'farm-flows-'));
  scratchDir = join(work, 'scratch');
  redis = await startRedis();
  ftrack = await startLocal(join(work, 'ftrack'));
  session = await plainSession(ftrack);
  configPath = join(work, 'ftrack-encode.config.json');
  await writeFile(configPath, JSON.stringify({ profiles: [FLOW], farm: { queuePrefix: PREFIX, threadsPerEncode: 1, scratchDir, stopDeadlineSeconds: 2 } }));
  env = daemonEnv(redis.url, ftrack, 50);
  daemons.push(...(await Promise.all(['d1', 'd2'].map((name) => startDaemon(name, { configPath, cwd: work, env })))));
  client = new FarmClient({ redisUrl: redis.url, prefix: PREFIX, jobOptions: { backoff: { type: 'fixed', delay: 50 } } });
  // 10 s at 24 fps with its frame number drawn on every frame, and a tone.
  counter = ((await fixtures.ensure({ kind: 'movie', pattern: 'counter', rate: '24', frames: 240, width: 320, height: 180 })) as FileFixture).path;
}, 180_000);

afterAll(async () => {
  if (process.env['FARM_E2E_DEBUG']) for (const d of daemons) console.log(d.name, d.lines.map((l) => JSON.stringify(l)).join('\n'));
  await client?.close();
  for (const d of daemons) d.child.kill('SIGKILL');
  await Promise.all(daemons.map((d) => exited(d.child)));
  await ftrack?.close();
  await redis?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** Log lines of both daemons since `mark` (a count per daemon), with the daemon's name. */
function linesSince(mark: number[]): (Record<string, unknown> & { daemon: string })[] {
  return daemons.flatMap((d, i) => d.lines.slice(mark[i]).map((l) => ({ ...l, daemon: d.name })));
}
function mark(): number[] {
  return daemons.map((d) => d.lines.length);
}

function publishSpec(versionId: string, profile: EncodeProfileInput, segments: number | 'auto'): JobSpecInput {
  return { kind: 'publish', source: { kind: 'path', input: counter }, versionId, profile, location: 'ftrack.server', segments };
}

/** Registered component names on a version, sorted. */
async function registered(versionId: string): Promise<string[]> {
  return (await componentsOf(session, versionId)).map((c) => c.name).sort();
}

/** Whatever a flow left in the shared scratch (it removes its directory when it ends). */
async function flowLeftovers(): Promise<string[]> {
  return (await readdir(scratchDir).catch(() => [])).filter((name) => name.startsWith('flow-'));
}

/** ffmpeg processes writing a segment file (`.seg<i>.`) into the shared scratch. */
function segmentFfmpegs(segment: number): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null && m[2]!.includes('ffmpeg') && m[2]!.includes(scratchDir) && m[2]!.includes(`.seg${segment}.`))
    .map((m) => Number(m[1]));
}

/** Kill segment `segment`'s ffmpeg whenever one runs, `times` times (or until stopped). */
function segmentKiller(segment: number, times: number): { stop: () => Promise<number> } {
  let kills = 0;
  let running = true;
  const loop = (async () => {
    while (running && kills < times) {
      const pids = segmentFfmpegs(segment);
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
          kills++;
        } catch {
          // already gone
        }
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return kills;
    },
  };
}

/** How often each job of a kind started since `from`, and on which daemons. */
function startsOf(kind: string, from: number[]): { counts: number[]; daemons: Set<string> } {
  const starts = new Map<string, number>();
  const where = new Set<string>();
  for (const l of linesSince(from)) {
    if (l['msg'] !== 'job started' || l['kind'] !== kind) continue;
    starts.set(String(l['jobId']), (starts.get(String(l['jobId'])) ?? 0) + 1);
    where.add(l.daemon);
  }
  return { counts: [...starts.values()].sort(), daemons: where };
}

/** Failed attempts since `from`: job, kind of failure and whether BullMQ retries it. */
function failuresSince(from: number[]): { jobId: string; code: string; willRetry: boolean }[] {
  return linesSince(from)
    .filter((l) => l['msg'] === 'job attempt failed')
    .map((l) => ({ jobId: String(l['jobId']), code: String(l['code']), willRetry: l['willRetry'] === true }));
}

describe('publish --backend farm with segments (BullMQ flows)', () => {
  it('auto splits for the two daemons seen; the segments run on both; registered once with every frame in place', async () => {
    expect(await client.workers()).toBe(2);
    expect((await new FarmEncoder(client, hasher).capabilities()).segments).toEqual({ workers: 2 });
    const since = mark();
    const versionId = await newSeededVersion(session, ftrack);
    const spec = publishSpec(versionId, FLOW, 'auto');
    const progress: Progress[] = [];
    const result = await client.run(spec, { onProgress: (p) => progress.push(p) });
    expect(result).toMatchObject({ kind: 'publish', skipped: false });
    // Two segment jobs (one per daemon seen), on both daemons, and the audio step: children of the publish job.
    const segments = startsOf('encode', since);
    expect(segments.counts).toEqual([1, 1]);
    expect(segments.daemons).toEqual(new Set(['d1', 'd2']));
    expect(startsOf('step', since).counts).toEqual([1]);
    // The audio child runs in the steps lane, beside the segments, not in an encode slot.
    expect(
      linesSince(since)
        .filter((l) => l['msg'] === 'job started' && l['kind'] === 'step')
        .map((l) => l['queue']),
    ).toEqual(['encode-cpu-steps']);
    const parent = await client.job(jobIdFor(spec));
    expect(await parent?.getDependenciesCount()).toMatchObject({ processed: 3 });
    expect((parent?.data as { segments: unknown }).segments).toBe(2);
    // The parent's progress is its children's, added up, before the join.
    expect(progress.some((p) => p.stage === 'encode' && (p.percent ?? 0) > 0 && (p.percent ?? 0) < 97 && p.message?.includes('segments on the farm'))).toBe(
      true,
    );
    // One bar over the whole flow (planning, the segments, the join run on another daemon): it never goes back.
    const percents = progress.map((p) => p.percent).filter((p): p is number => p !== undefined);
    expect(
      percents.filter((p, i) => i > 0 && p < percents[i - 1]!),
      JSON.stringify(progress),
    ).toEqual([]);
    expect(progress.some((p) => p.stage === 'register' && (p.percent ?? 0) >= 90)).toBe(true);
    expect(await registered(versionId)).toEqual(['ftrackreview-mp4', 'thumbnail']);
    const mp4 = (await componentsOf(session, versionId)).find((c) => c.name === 'ftrackreview-mp4')!;
    const local = join(work, `${versionId}.mp4`);
    expect((await downloadComponent(ftrack, mp4.id, local)).status).toBe(200);
    expect((await probeVideo(local)).frames).toBe(240);
    expect((await frameExactness(local, counter)).misplaced).toEqual([]);
    expect(await flowLeftovers()).toEqual([]);
  }, 240_000);

  it('a segment whose ffmpeg is killed is retried alone; the publish completes once', async () => {
    const since = mark();
    const versionId = await newSeededVersion(session, ftrack);
    const killer = segmentKiller(1, 1);
    const result = await client.run(publishSpec(versionId, FLOW_SLOW, 2));
    expect(await killer.stop()).toBe(1);
    expect(result).toMatchObject({ kind: 'publish', skipped: false });
    // Only the killed segment ran twice; nothing else failed.
    expect(startsOf('encode', since).counts).toEqual([1, 2]);
    expect(failuresSince(since)).toEqual([expect.objectContaining({ willRetry: true })]);
    expect(await registered(versionId)).toEqual(['ftrackreview-mp4']);
    expect(await flowLeftovers()).toEqual([]);
  }, 300_000);

  it('a segment that fails for good fails the publish with its error: nothing registered, stored or left behind', async () => {
    const since = mark();
    const storedBefore = await storedFiles(ftrack);
    const versionId = await newSeededVersion(session, ftrack);
    const spec = publishSpec(versionId, FLOW_SLOW, 2);
    const killer = segmentKiller(1, 3);
    const error = await client.run(spec).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(await killer.stop()).toBe(3);
    const failedChild = failuresSince(since).find((f) => f.jobId.startsWith('encode-') && !f.willRetry && f.code !== 'E_CANCELLED');
    expect(failedChild, JSON.stringify(failuresSince(since))).toBeDefined();
    const childError = fromFailedReason((await client.job(failedChild!.jobId))?.failedReason, failedChild!.jobId);
    expect(isEncodeError(error, childError.code), String(error)).toBe(true);
    const parent = await client.job(jobIdFor(spec));
    expect(await parent?.getState()).toBe('failed');
    // The parent ran once, after every child had stopped, only to report and clean up.
    expect(parent?.attemptsMade).toBe(1);
    expect(await registered(versionId)).toEqual([]);
    expect(await storedFiles(ftrack)).toEqual(storedBefore);
    expect(await flowLeftovers()).toEqual([]);
  }, 300_000);

  it('the same flow submitted twice is one flow: one registration', async () => {
    const versionId = await newSeededVersion(session, ftrack);
    const spec = publishSpec(versionId, FLOW, 2);
    const first = await client.submit(spec);
    for (let i = 0; i < 600 && (await (await client.job(first.id))?.getState()) !== 'waiting-children'; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await (await client.job(first.id))?.getState()).toBe('waiting-children');
    const second = await client.submit(spec);
    expect(second).toMatchObject({ id: first.id, created: false });
    const [a, b] = await Promise.all([client.wait(first), client.wait(second)]);
    expect(a).toEqual(b);
    expect(await registered(versionId)).toEqual(['ftrackreview-mp4', 'thumbnail']);
    expect((await client.submit(spec)).created).toBe(false);
  }, 240_000);

  it('publish --backend farm --segments 2 from the CLI: the flow registers the review media once', async () => {
    const since = mark();
    const versionId = await newSeededVersion(session, ftrack);
    const args = [
      'publish',
      counter,
      '--backend',
      'farm',
      '--version',
      versionId,
      '--profile',
      'flow-fast',
      '--segments',
      '2',
      '--config',
      configPath,
      '--json',
    ];
    const result = await runCli(args, { env, cwd: work });
    expect(result.code, describeResult(result)).toBe(0);
    expect(parseJson<{ skipped: boolean; components: { name: string }[] }>(result)).toMatchObject({ skipped: false });
    expect(startsOf('encode', since).counts).toEqual([1, 1]);
    expect(await registered(versionId)).toEqual(['ftrackreview-mp4', 'thumbnail']);
  }, 240_000);

  it('cancel stops the segment jobs and removes every flow file', async () => {
    const versionId = await newSeededVersion(session, ftrack);
    const spec = publishSpec(versionId, FLOW_SLOW, 2);
    const error = await runCancelledAt(client, spec, (p) => p.stage === 'encode' && (p.percent ?? 0) > 0);
    expect(isEncodeError(error, 'E_CANCELLED'), String(error)).toBe(true);
    const parent = await client.job(jobIdFor(spec));
    expect(await parent?.getState()).toBe('failed');
    expect(await registered(versionId)).toEqual([]);
    expect(segmentFfmpegs(0).concat(segmentFfmpegs(1))).toEqual([]);
    expect(await flowLeftovers()).toEqual([]);
  }, 240_000);

  it('a daemon killed mid-segment: that segment job runs again on the other daemon, the publish completes once', async () => {
    const since = mark();
    const versionId = await newSeededVersion(session, ftrack);
    const done = client.run(publishSpec(versionId, FLOW_SLOW, 2));
    // The daemon running segment 1, once its ffmpeg is at work.
    const victim = await waitFor('segment 1 to be encoding', async () => {
      const started = linesSince(since).find((l) => l['msg'] === 'job started' && String(l['jobId']).includes('-seg1-'));
      return started && segmentFfmpegs(1).length > 0 ? daemons.find((d) => d.name === started.daemon) : undefined;
    });
    // The machine dies: the daemon and its ffmpeg.
    victim!.child.kill('SIGKILL');
    for (const pid of segmentFfmpegs(1)) process.kill(pid, 'SIGKILL');
    await exited(victim!.child);
    expect(await done).toMatchObject({ kind: 'publish', skipped: false });
    // Segment 1 started on the killed daemon (its log stays in \`daemons\`) and again, once its lock expired, on the other.
    expect(startsOf('encode', since).counts).toEqual([1, 2]);
    expect(await registered(versionId)).toEqual(['ftrackreview-mp4']);
    expect(await flowLeftovers()).toEqual([]);
  }, 300_000);
});
