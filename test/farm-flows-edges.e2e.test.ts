// The edges of segmented publishes on the farm, on daemon PROCESSES from the built bundle, a real
// Redis, ftrack-local and real ffmpeg: daemons that do not share farm.scratchDir, and a flow's
// parent whose daemon hangs in the join run (it fails by stalling, without its own clean-up).
import { readdir, rm, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { Session } from '@ftrack/api';
import type { EncodeProfileInput, Progress } from '@ftrack-encode/core';
import { CONTRACT_SLOW_PROFILE, mediaFixtures, type FileFixture } from '@ftrack-encode/testing';
import { FarmClient, jobIdFor, type JobSpecInput } from '@ftrack-encode/encoder-farm';
import { startRedis, type RedisServer } from './support/redis.js';
import { buildCli } from './support/cli.js';
import { daemonEnv, exited, startDaemon, waitFor, type DaemonProcess } from './support/daemon.js';
import { componentsOf, newSeededVersion, plainSession, startLocal, storedFiles } from './support/ftrack.js';

const fixtures = mediaFixtures(join(tmpdir(), 'ftrack-encode-farm-fixtures'));

/** Slow enough per segment that the flow is caught while it runs: the contract's slow output, as review media. */
const FLOW_SLOW: EncodeProfileInput = { name: 'flow-slow', outputs: [{ ...CONTRACT_SLOW_PROFILE.outputs[0]!, name: 'ftrackreview-mp4' }] };

let redis: RedisServer;
let ftrack: Awaited<ReturnType<typeof startLocal>>;
let session: Session;
let work: string;
let source: string;
let prefixes = 0;
let daemons: DaemonProcess[] = [];
let client: FarmClient | undefined;

beforeAll(async () => {
  buildCli();
  work = await mkdtemp(join(tmpdir(), 'farm-flow-edges-'));
  redis = await startRedis();
  ftrack = await startLocal(join(work, 'ftrack'));
  session = await plainSession(ftrack);
  // 10 s at 24 fps with its frame number drawn on every frame.
  source = ((await fixtures.ensure({ kind: 'movie', pattern: 'counter', rate: '24', frames: 240, width: 320, height: 180 })) as FileFixture).path;
}, 180_000);

afterEach(async () => {
  await client?.close();
  for (const d of daemons) {
    if (d.child.exitCode === null && d.child.signalCode === null) d.child.kill('SIGKILL');
  }
  await Promise.all(daemons.map((d) => exited(d.child)));
  daemons = [];
});

afterAll(async () => {
  await ftrack?.close();
  await redis?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** Two daemons on a fresh queue prefix, each with its own scratch directory or one they share. */
async function startFarm(options: { shared: boolean; env?: Record<string, string> }): Promise<{ prefix: string; scratch: string[] }> {
  const prefix = `edges${prefixes++}`;
  const shared = join(work, `${prefix}-scratch`);
  const scratch: string[] = [];
  for (const name of ['d1', 'd2']) {
    const scratchDir = options.shared ? shared : join(work, `${prefix}-scratch-${name}`);
    const configPath = join(work, `${prefix}-${name}.config.json`);
    await writeFile(
      configPath,
      JSON.stringify({ profiles: [FLOW_SLOW], farm: { queuePrefix: prefix, threadsPerEncode: 1, scratchDir, stopDeadlineSeconds: 2 } }),
    );
    scratch.push(scratchDir);
    daemons.push(await startDaemon(name, { configPath, cwd: work, env: { ...daemonEnv(redis.url, ftrack, 50), ...options.env } }));
  }
  client = new FarmClient({ redisUrl: redis.url, prefix, jobOptions: { backoff: { type: 'fixed', delay: 50 } } });
  return { prefix, scratch: [...new Set(scratch)] };
}

function publishSpec(versionId: string): JobSpecInput {
  return { kind: 'publish', source: { kind: 'path', input: source }, versionId, profile: FLOW_SLOW, location: 'ftrack.server', segments: 2 };
}

function lines(): (Record<string, unknown> & { daemon: string })[] {
  return daemons.flatMap((d) => d.lines.map((l) => ({ ...l, daemon: d.name })));
}

async function flowLeftovers(scratch: string[]): Promise<string[]> {
  const found = await Promise.all(scratch.map(async (dir) => (await readdir(dir).catch(() => [])).filter((n) => n.startsWith('flow-'))));
  return found.flat();
}

it('daemons that do not share farm.scratchDir: the publish runs in one pass on one daemon, says why, and registers once', async () => {
  await startFarm({ shared: false });
  expect(await client!.workers()).toBe(2);
  const versionId = await newSeededVersion(session, ftrack);
  const progress: Progress[] = [];
  const result = await client!.run(publishSpec(versionId), { onProgress: (p) => progress.push(p) });
  expect(result).toMatchObject({ kind: 'publish', skipped: false });
  // No segment job: nothing was made where the other daemon could not see it.
  expect(lines().filter((l) => l['msg'] === 'job started' && l['kind'] !== 'publish')).toEqual([]);
  const warning = lines().find((l) => l['code'] === 'W_FLOW_SCRATCH_NOT_SHARED');
  expect(String(warning?.['msg'])).toMatch(/farm\.scratchDir .* is not shared with d[12]/);
  expect(progress.some((p) => p.message?.includes('not shared'))).toBe(true);
  expect((await componentsOf(session, versionId)).map((c) => c.name)).toEqual(['ftrackreview-mp4']);
}, 240_000);

it('a parent whose daemon hangs in the join run fails by stalling (maxStalledCount 0); the other daemon ends its flow: nothing registered or left', async () => {
  const { scratch } = await startFarm({ shared: true, env: { FTRACK_ENCODE_MAX_STALLED_COUNT: '0' } });
  const storedBefore = await storedFiles(ftrack);
  const versionId = await newSeededVersion(session, ftrack);
  const spec = publishSpec(versionId);
  const done = client!.run(spec).then(
    () => undefined,
    (e: unknown) => e,
  );
  // The parent's second run (the join), once its segments are made: its daemon hangs there.
  const hung = await waitFor(
    'the join run to start',
    async () => {
      const starts = lines().filter((l) => l['msg'] === 'job started' && l['kind'] === 'publish');
      return starts.length >= 2 ? daemons.find((d) => d.name === starts[1]!.daemon) : undefined;
    },
    180_000,
  );
  hung.child.kill('SIGSTOP');
  expect(await flowLeftovers(scratch)).not.toEqual([]);
  const error = await done;
  expect(String(error)).toMatch(/stalled/);
  expect(await (await client!.job(jobIdFor(spec)))?.getState()).toBe('failed');
  await waitFor('the other daemon to remove the flow files', async () => ((await flowLeftovers(scratch)).length === 0 ? true : undefined), 90_000);
  expect(lines().some((l) => String(l['msg']).includes('without cleaning up') && l.daemon !== hung.name)).toBe(true);
  hung.child.kill('SIGKILL');
  expect(await componentsOf(session, versionId)).toEqual([]);
  expect(await storedFiles(ftrack)).toEqual(storedBefore);
}, 300_000);
