// The farm end to end: two daemon PROCESSES from the built bundle, a real Redis, ftrack-local
// in-process, real ffmpeg. Stall timings are shortened through the daemon's env knobs.
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Event, type Session } from '@ftrack/api';
import { isEncodeError, parseProfile, planEncode, type EncodeProfileInput, type Progress } from '@ftrack-encode/core';
import { mediaFixtures } from '@ftrack-encode/testing';
import { NativeMediaProbe } from '@ftrack-encode/encoder-native';
import { NodeHasher } from '@ftrack-encode/node-platform';
import { createFtrackSession } from '@ftrack-encode/ftrack';
import { FtrackServerStorage } from '@ftrack-encode/storage-ftrack-server';
import { startFtrackLocal, SERVER_LOCATION_ID, type FtrackLocalServer } from '@ftrack-encode/ftrack-local';
import { FarmClient, jobIdFor, type JobSpecInput } from '@ftrack-encode/encoder-farm';
import { startRedis, type RedisServer } from './support/redis.js';
import { daemonEnv, exited, runCancelledAt, startDaemon as startDaemonProcess, waitFor, type DaemonProcess } from './support/daemon.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const fixtures = mediaFixtures(join(tmpdir(), 'ftrack-encode-farm-fixtures'));
const probe = new NativeMediaProbe({});
const hasher = new NodeHasher();

/** Review media fast enough for a 2-core box: 160x90 H.264 + thumbnail. */
const FAST: EncodeProfileInput = {
  name: 'farm-fast',
  outputs: [
    // Fast and small on purpose: the quality gate's bar is lowered to match.
    {
      name: 'ftrackreview-mp4',
      kind: 'video',
      codec: 'h264',
      container: 'mp4',
      crf: 30,
      preset: 'ultrafast',
      size: { maxWidth: 160, maxHeight: 90 },
      audio: { codec: 'none' },
      minSsim: 0.9,
    },
    { name: 'thumbnail', kind: 'image', codec: 'mjpeg', container: 'jpg', size: { maxWidth: 80, maxHeight: 45 } },
  ],
};
/** Slow enough that a kill or a cancel lands mid-encode. */
const SLOW: EncodeProfileInput = {
  name: 'farm-slow',
  outputs: [
    {
      name: 'ftrackreview-mp4',
      kind: 'video',
      codec: 'h264',
      container: 'mp4',
      crf: 18,
      preset: 'veryslow',
      size: { maxWidth: 640, maxHeight: 360 },
      audio: { codec: 'none' },
    },
  ],
};

let redis: RedisServer;
let ftrack: FtrackLocalServer;
let session: Session;
let work: string;
let configPath: string;
let client: FarmClient;
const daemons: DaemonProcess[] = [];
const killed: DaemonProcess[] = [];

async function startDaemon(name: string): Promise<DaemonProcess> {
  const daemon = await startDaemonProcess(name, {
    configPath,
    cwd: work,
    env: daemonEnv(redis.url, ftrack, 100),
  });
  daemons.push(daemon);
  return daemon;
}

async function newVersion(): Promise<string> {
  const seed = ftrack.seed!;
  const created = await session.create('AssetVersion', { asset_id: seed.assetId, task_id: seed.taskId } as never);
  return String((created.data as { id: string }).id);
}

async function componentsOf(versionId: string): Promise<{ id: string; name: string }[]> {
  const result = await session.query(`select id, name from Component where version_id is "${versionId}"`);
  return (result.data as { id: string; name: string }[]).map((c) => ({ id: c.id, name: c.name }));
}

async function publishSpec(versionId: string, profile: EncodeProfileInput, sourcePath: string): Promise<JobSpecInput> {
  const checksum = await hasher.hashFile(sourcePath);
  return {
    kind: 'publish',
    source: { kind: 'path', input: sourcePath },
    versionId,
    profile,
    location: 'ftrack.server',
    sourceChecksum: `sha256:${checksum.hex}`,
  };
}

async function encodeSpec(sourcePath: string, profile: EncodeProfileInput): Promise<JobSpecInput> {
  const outputDir = await mkdtemp(join(work, 'out-'));
  const source = { kind: 'file' as const, path: sourcePath };
  const plan = planEncode({ source, info: await probe.probe(source), profile: parseProfile(profile, 'test'), outputDir, threads: 1 });
  const checksum = await hasher.hashFile(sourcePath);
  return { kind: 'encode', plan, sourceChecksum: `sha256:${checksum.hex}` };
}

/** The built CLI as a separate process, pointed at this test's Redis and ftrack-local. */
function cli(args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'bin/ftrack-encode.mjs'), ...args, '--config', configPath], {
      cwd: work,
      env: {
        ...process.env,
        FTRACK_ENCODE_NO_BUILD: '1',
        REDIS_URL: redis.url,
        FTRACK_SERVER: ftrack.url,
        FTRACK_API_USER: ftrack.user,
        FTRACK_API_KEY: ftrack.apiKey,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (exitCode) => resolve({ stdout, stderr, exitCode }));
  });
}

beforeAll(async () => {
  execFileSync(process.execPath, [join(root, 'tools/build.mjs')], { cwd: root, stdio: 'inherit' });
  work = await mkdtemp(join(tmpdir(), 'farm-e2e-'));
  redis = await startRedis();
  ftrack = await startFtrackLocal({ port: 0, seed: 'demo' });
  ({ session } = await createFtrackSession({ serverUrl: ftrack.url, apiUser: ftrack.user, apiKey: ftrack.apiKey }));
  configPath = join(work, 'ftrack-encode.config.json');
  await writeFile(
    configPath,
    JSON.stringify({
      profiles: [FAST],
      farm: {
        queuePrefix: 'e2e',
        threadsPerEncode: 1,
        scratchDir: join(work, 'scratch'),
        stopDeadlineSeconds: 5,
        autoEncode: [{ componentNames: ['main'], profile: 'farm-fast', location: 'ftrack.server' }],
      },
    }),
  );
  client = new FarmClient({ redisUrl: redis.url, prefix: 'e2e', jobOptions: { backoff: { type: 'fixed', delay: 100 } } });
  await Promise.all([startDaemon('d1'), startDaemon('d2')]);
}, 180_000);

afterAll(async () => {
  if (process.env['FARM_E2E_DEBUG']) for (const d of [...daemons, ...killed]) console.log(d.name, d.lines.map((l) => JSON.stringify(l)).join('\n'));
  await client?.close();
  for (const d of daemons) d.child.kill('SIGKILL');
  await Promise.all(daemons.map((d) => exited(d.child)));
  session?.eventHub.disconnect();
  await ftrack?.close();
  await redis?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('farm daemons', () => {
  it('serve health, readiness and metrics', async () => {
    for (const d of daemons) {
      expect((await fetch(`http://127.0.0.1:${d.healthPort}/healthz`)).status).toBe(200);
      const ready = await fetch(`http://127.0.0.1:${d.healthPort}/readyz`);
      expect(ready.status, await ready.clone().text()).toBe(200);
      expect(await (await fetch(`http://127.0.0.1:${d.healthPort}/metrics`)).text()).toContain('ftrack_encode_queue_jobs');
    }
  });

  it('spread jobs over both workers and stream progress to the submitter', async () => {
    const source = await fixtures.movie24();
    const specs = await Promise.all([0, 1, 2, 3].map(() => encodeSpec(source, FAST)));
    const progress: Progress[] = [];
    const results = await Promise.all(specs.map((spec) => client.run(spec, { onProgress: (p) => progress.push(p) })));
    expect(results.every((r) => r.kind === 'encode')).toBe(true);
    const workers = await Promise.all(specs.map(async (spec) => (await client.job(jobIdFor(spec), 'encode-cpu'))?.processedBy));
    expect(new Set(workers)).toEqual(new Set(['d1', 'd2']));
    expect(progress.some((p) => p.stage === 'encode' && (p.percent ?? 0) > 0)).toBe(true);
    const metrics = await (await fetch(`http://127.0.0.1:${daemons[0]!.healthPort}/metrics`)).text();
    expect(metrics).toMatch(/ftrack_encode_jobs_total\{queue="encode-cpu",kind="encode",state="completed"\} [1-9]/);
  });

  it('runs the same publish added twice once: one registration', async () => {
    const versionId = await newVersion();
    const spec = await publishSpec(versionId, FAST, await fixtures.movie24());
    const [a, b] = [await client.submit(spec), await client.submit(spec)];
    expect(b.created).toBe(false);
    const [ra, rb] = await Promise.all([client.wait(a), client.wait(b)]);
    expect(ra).toEqual(rb);
    expect((await componentsOf(versionId)).map((c) => c.name).sort()).toEqual(['ftrackreview-mp4', 'thumbnail']);
    // A later re-submit of the finished job joins it instead of publishing again.
    expect((await client.submit(spec)).created).toBe(false);
  });

  it('fails bad input once, not retried', async () => {
    const versionId = await newVersion();
    const bogus = join(work, 'not-media.mov');
    await writeFile(bogus, 'not a movie\n'.repeat(100));
    const spec = await publishSpec(versionId, FAST, bogus);
    const error = await client.run(spec).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isEncodeError(error, 'E_SOURCE_UNREADABLE'), String(error)).toBe(true);
    expect((await client.job(jobIdFor(spec)))?.attemptsMade).toBe(1);
    expect(await componentsOf(versionId)).toEqual([]);
  });

  it('cancels a running encode: the job ends cancelled and is not retried', async () => {
    const spec = await encodeSpec(await fixtures.cancelClip(), SLOW);
    const error = await runCancelledAt(client, spec, (p) => p.stage === 'encode' && (p.frame ?? 0) > 0);
    expect(isEncodeError(error, 'E_CANCELLED'), String(error)).toBe(true);
    const job = await client.job(jobIdFor(spec));
    expect(await job?.getState()).toBe('failed');
    expect(job?.attemptsMade).toBe(1);
    const plan = (spec as { plan: { outputDir: string } }).plan;
    expect(await readdir(plan.outputDir)).toEqual([]);
  });

  it('survives a Redis restart mid-queue: workers reconnect and finish', async () => {
    const source = await fixtures.movie24();
    const specs = await Promise.all([0, 1, 2, 3].map(() => encodeSpec(source, FAST)));
    const jobs = await Promise.all(specs.map((spec) => client.submit(spec)));
    const done = Promise.all(jobs.map((job) => client.wait(job)));
    await waitFor('a job to start', async () => ((await client.counts()).active ?? 0) > 0 || undefined);
    await redis.restart({ downMs: 1000 });
    const results = await done;
    expect(results.every((r) => r.kind === 'encode')).toBe(true);
  });

  it('SIGKILL of a daemon mid-encode: the job runs again on the other, one registration, no partial files', async () => {
    const versionId = await newVersion();
    const spec = await publishSpec(versionId, SLOW, await fixtures.cancelClip());
    const job = await client.submit(spec);
    const done = client.wait(job);
    const runner = await waitFor('the job to start encoding', async () => {
      const bullJob = await client.job(job.id);
      return (await bullJob?.getState()) === 'active' && typeof bullJob?.progress === 'object' && bullJob.processedBy ? bullJob.processedBy : undefined;
    });
    const victim = daemons.find((d) => d.name === runner)!;
    victim.child.kill('SIGKILL');
    await exited(victim.child);
    daemons.splice(daemons.indexOf(victim), 1);
    killed.push(victim);
    const result = await done;
    expect(result.kind === 'publish' && result.skipped).toBe(false);
    const finished = await client.job(job.id);
    expect(finished?.processedBy).not.toBe(runner);
    const components = await componentsOf(versionId);
    expect(components.map((c) => c.name)).toEqual(['ftrackreview-mp4']);
    // The storage holds exactly the registered files: the killed attempt left nothing half-written there.
    const stored = await readdir(join(ftrack.dataDir, 'storage'));
    const registered = new Set((await session.query('select id from Component')).data.map((c) => String((c as { id: string }).id)));
    expect(stored.filter((f) => !registered.has(f))).toEqual([]);
    await startDaemon('d3');
  });

  it('auto-encodes an uploaded raw movie into review media', async () => {
    const versionId = await newVersion();
    const componentId = randomUUID();
    const raw = await fixtures.movie24();
    const storage = new FtrackServerStorage({ serverUrl: ftrack.url, apiUser: ftrack.user, apiKey: ftrack.apiKey });
    await session.create('FileComponent', { id: componentId, name: 'main', file_type: '.mp4', version_id: versionId } as never);
    const stored = await storage.put(raw, { componentId, componentName: 'main', extension: 'mp4' });
    await session.create('ComponentLocation', {
      component_id: componentId,
      location_id: SERVER_LOCATION_ID,
      resource_identifier: stored.resourceIdentifier,
    } as never);
    session.eventHub.connect();
    await session.eventHub.publish(new Event('ftrack.location.component-added', { component_id: componentId, location_id: SERVER_LOCATION_ID }));
    const names = await waitFor(
      'review media on the version',
      async () => {
        const list = (await componentsOf(versionId)).map((c) => c.name).sort();
        return list.includes('ftrackreview-mp4') && list.includes('thumbnail') ? list : undefined;
      },
      90_000,
    );
    expect(names).toEqual(['ftrackreview-mp4', 'main', 'thumbnail']);
  });

  it('publishes from the CLI with --backend farm: a daemon registers the review media', async () => {
    const versionId = await newVersion();
    const { stdout, stderr, exitCode } = await cli([
      'publish',
      await fixtures.movie24(),
      '--backend',
      'farm',
      '--version',
      versionId,
      '--profile',
      'farm-fast',
      '--json',
    ]);
    expect(exitCode, stderr + stdout).toBe(0);
    expect(stdout.trim().split('\n'), stdout).toHaveLength(1);
    const result = JSON.parse(stdout) as { versionId: string; skipped: boolean; components: { name: string }[] };
    expect(result).toMatchObject({ versionId, skipped: false });
    expect(result.components.map((c) => c.name).sort()).toEqual(['ftrackreview-mp4', 'thumbnail']);
    expect((await componentsOf(versionId)).map((c) => c.name).sort()).toEqual(['ftrackreview-mp4', 'thumbnail']);
  });

  it('encodes from the CLI with --backend farm: workers write the outputs into --out (shared storage), validated here', async () => {
    const out = join(work, 'farm-encode-out');
    const { stdout, stderr, exitCode } = await cli(['encode', await fixtures.movie24(), '--backend', 'farm', '--profile', 'farm-fast', '--out', out, '--json']);
    expect(exitCode, stderr + stdout).toBe(0);
    const result = JSON.parse(stdout) as {
      backend: string;
      encoder: { id: string };
      outputs: { name: string; path: string; frames: number }[];
      planned: { name: string; frames: number }[];
    };
    expect(result.backend).toBe('farm');
    expect(result.encoder.id).toBe('farm');
    expect(result.outputs.map((o) => o.name).sort()).toEqual(['ftrackreview-mp4', 'thumbnail']);
    const mp4 = result.outputs.find((o) => o.name === 'ftrackreview-mp4')!;
    expect(mp4.path.startsWith(out)).toBe(true);
    expect(mp4.frames).toBe(result.planned.find((p) => p.name === 'ftrackreview-mp4')!.frames);
    expect((await readdir(out)).filter((n) => n.startsWith('.') || n.includes('.stage.'))).toEqual([]);
  });

  it('cancels from the CLI: `jobs cancel` kills the encode and the job ends cancelled, not retried', async () => {
    const spec = await encodeSpec(await fixtures.cancelClip(), SLOW);
    const id = jobIdFor(spec);
    let started!: () => void;
    const encoding = new Promise<void>((resolve) => (started = resolve));
    const outcome = client.run(spec, { onProgress: (p) => p.stage === 'encode' && (p.frame ?? 0) > 0 && started() }).then(
      () => undefined,
      (e: unknown) => e,
    );
    await Promise.race([encoding, outcome.then((e) => Promise.reject(new Error(`ended before encoding: ${String(e)}`)))]);
    const listed = JSON.parse((await cli(['jobs', 'list', '--json'])).stdout) as { jobs: { id: string; state: string }[] };
    expect(listed.jobs.find((j) => j.id === id)?.state).toBe('active');
    const cancelled = await cli(['jobs', 'cancel', id, '--json']);
    expect(cancelled.exitCode).toBe(0);
    expect(JSON.parse(cancelled.stdout)).toMatchObject({ id, cancelled: true, removedBeforeStart: false });
    const error = await outcome;
    expect(isEncodeError(error, 'E_CANCELLED'), String(error)).toBe(true);
    const job = await client.job(id);
    expect(await job?.getState()).toBe('failed');
    expect(job?.attemptsMade).toBe(1);
    const shown = JSON.parse((await cli(['jobs', 'show', id, '--json'])).stdout) as { state: string };
    expect(shown.state).toBe('failed');
  });

  it('stops gracefully on SIGTERM', async () => {
    const daemon = daemons[0]!;
    daemon.child.kill('SIGTERM');
    await exited(daemon.child);
    expect(daemon.child.exitCode).toBe(0);
    expect(daemon.lines.some((l) => l['msg'] === 'daemon stopped')).toBe(true);
    daemons.splice(0, 1);
  });
});

describe('daemon start-up checks', () => {
  it('refuses to start without a reachable Redis, with a clear message and a non-zero exit', async () => {
    const child = spawn(process.execPath, [join(root, 'bin/ftrack-encode-daemon.mjs'), '--health-port', '0'], {
      cwd: work,
      env: { ...process.env, FTRACK_ENCODE_NO_BUILD: '1', REDIS_URL: 'redis://127.0.0.1:1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    await exited(child);
    expect(child.exitCode).toBe(60);
    expect(stderr).toMatch(/Redis at redis:\/\/127\.0\.0\.1:1.* is not reachable/);
  });
});
