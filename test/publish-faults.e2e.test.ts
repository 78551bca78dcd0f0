// Issue 4, "Faults and bad input": the BUILT `ftrack-encode publish` against ftrack-local with fault
// injection (500 on registration, dropped upload connections, slow storage + SIGKILL, wrong key,
// unknown version, unreachable source, two publishes at once), checked with the plain @ftrack/api client.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '@ftrack/api';
import { ERROR_CODES } from '@ftrack-encode/core';
import { mediaFixtures } from '@ftrack-encode/testing';
import { buildCli, describeResult, parseJson, runCli, spawnCli, tempDir, type CliError, type CliResult, type RunningCli } from './support/cli.js';
import {
  componentsOf,
  createEntity,
  downloadComponent,
  ftrackEnv,
  isolatedDirs,
  newSeededVersion,
  plainSession,
  startLocal,
  storedFiles,
} from './support/ftrack.js';

interface PublishJson {
  versionId: string;
  skipped: boolean;
  components: { id: string; name: string; location: string; checksum: string; size: number }[];
  reviewUrl: string;
}

const REVIEW_SET = ['ftrackreview-mp4', 'ftrackreview-webm', 'thumbnail'];
/** Where ftrack-local keeps its ComponentLocations for ftrack.unmanaged (reference data). */
const UNMANAGED_LOCATION_ID = 'cb268ecc-8809-11e3-a7e2-20c9d081909b';

const fixtures = mediaFixtures(join(tmpdir(), 'ftrack-encode-e2e-fixtures'));

let work: string;
let server: Awaited<ReturnType<typeof startLocal>>;
let session: Session;

beforeAll(async () => {
  buildCli();
  work = await tempDir('publish-faults');
  server = await startLocal(join(work, 'ftrack'));
  session = await plainSession(server);
});

afterEach(async () => {
  server.faults.clear();
  for (const run of running) {
    run.child.kill('SIGKILL');
    await run.result.catch(() => undefined);
  }
});

afterAll(async () => {
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

const newVersion = (): Promise<string> => newSeededVersion(session, server);

const isolatedEnv = async (name: string): Promise<Record<string, string>> => ({ ...ftrackEnv(server), ...(await isolatedDirs(work, name)) });

/** A distinct small clip per test, so no two tests share a dedup key. */
async function clip(frames: number, options: { width?: number; height?: number } = {}): Promise<string> {
  const fixture = await fixtures.ensure({ kind: 'movie', width: options.width ?? 192, height: options.height ?? 108, rate: '24', frames, audio: false });
  return (fixture as { path: string }).path;
}

function expectSuccess(result: CliResult): PublishJson {
  expect(result.code, describeResult(result)).toBe(0);
  return parseJson<PublishJson>(result);
}

function expectError(result: CliResult, code: keyof typeof ERROR_CODES): CliError['error'] {
  expect(result.code, describeResult(result)).toBe(ERROR_CODES[code]);
  const { error } = parseJson<CliError>(result);
  expect(error.code).toBe(code);
  return error;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Wait for a condition while a spawned CLI runs; fail at once (with its output) if it exits first. */
async function waitWhileRunning(run: RunningCli, what: string, condition: () => Promise<boolean>): Promise<void> {
  let exited: CliResult | undefined;
  void run.result.then((r) => (exited = r));
  await waitFor(what, async () => {
    if (await condition()) return true;
    if (exited) throw new Error(`the CLI finished before ${what}:\n${describeResult(exited)}`);
    return undefined;
  });
}

const running = new Set<RunningCli>();

/** Spawn a CLI this test may kill; afterEach kills whatever is still running. */
function spawnTracked(args: string[], env: Record<string, string>): RunningCli {
  const run = spawnCli(args, { env });
  running.add(run);
  void run.result.finally(() => running.delete(run));
  return run;
}

/** Files the server is receiving right now (FileStore writes `.tmp-<uuid>` before renaming). */
async function uploadsInFlight(): Promise<string[]> {
  return (await storedFiles(server)).filter((f) => basename(f).startsWith('.tmp-'));
}

async function expectNoTempFiles(): Promise<void> {
  expect(await uploadsInFlight()).toEqual([]);
}

/** Each reported component is downloadable from ftrack.server with the reported checksum. */
async function expectDownloadable(published: PublishJson): Promise<void> {
  for (const c of published.components) {
    const download = await downloadComponent(server, c.id, join(work, 'downloads', randomUUID(), c.name));
    expect(download.status, c.name).toBe(200);
    expect(`sha256:${download.sha256}`, c.name).toBe(c.checksum);
  }
}

async function journals(env: Record<string, string>): Promise<string[]> {
  const dir = join(env['TMPDIR']!, 'ftrack-encode-upload-journals');
  return existsSync(dir) ? (await readdir(dir)).filter((f) => f.endsWith('.json')) : [];
}

describe('publish faults (built CLI against ftrack-local with fault injection)', () => {
  it('a 500 on the registration call: E_FTRACK_FAILED, nothing registered, uploaded files removed; a re-run publishes', async () => {
    const source = await clip(12);
    const versionId = await newVersion();
    const env = await isolatedEnv('register-500');
    const before = await storedFiles(server);

    server.faults.set({ failApiCall: { entityType: 'ComponentLocation', status: 500 } });
    const failed = await runCli(['publish', source, '--version', versionId, '--json'], { env });
    expectError(failed, 'E_FTRACK_FAILED');
    expect(server.faults.current().failApiCall, 'the registration call was the one that failed').toBeUndefined();

    expect(await componentsOf(session, versionId)).toEqual([]);
    // The files uploaded before the failed registration were taken back: storage is as it was.
    expect(await storedFiles(server)).toEqual(before);

    const retried = expectSuccess(await runCli(['publish', source, '--version', versionId, '--json'], { env }));
    expect(retried.skipped).toBe(false);
    expect((await componentsOf(session, versionId)).map((c) => c.name).sort()).toEqual(REVIEW_SET);
    await expectDownloadable(retried);
  });

  it('a connection dropped mid-upload is retried and the publish succeeds', async () => {
    const source = await clip(14);
    const versionId = await newVersion();
    const env = await isolatedEnv('drop');

    server.faults.set({ dropUploadAfterBytes: 1000 });
    const run = await runCli(['publish', source, '--version', versionId, '--json'], { env });
    const published = expectSuccess(run);
    expect(server.faults.current().dropUploadAfterBytes, 'an upload was dropped').toBeUndefined();
    expect(run.stderr, 'the retry is logged').toMatch(/Retrying upload/);
    expect(published.skipped).toBe(false);
    expect((await componentsOf(session, versionId)).map((c) => c.name).sort()).toEqual(REVIEW_SET);
    await expectDownloadable(published);
    await expectNoTempFiles();
  });

  it('a connection dropped mid-part of a multi-part upload: the part is retried', async () => {
    const source = await clip(24, { width: 320, height: 180 });
    const versionId = await newVersion();
    // 16 KiB parts: the review files of this clip (tens of KB) go up in several parts.
    const env = { ...(await isolatedEnv('drop-multipart')), FTRACK_ENCODE_PART_SIZE: String(16 * 1024) };

    server.faults.set({ dropUploadAfterBytes: 4000 });
    const run = spawnTracked(['publish', source, '--version', versionId, '--json'], env);
    // A multi-part upload keeps its parts in storage-parts/<uploadId>/ until it is completed.
    await waitWhileRunning(run, 'a multi-part upload reached the server', async () => (await storedFiles(server)).some((f) => f.startsWith('storage-parts/')));
    const finished = await run.result;
    const published = expectSuccess(finished);
    expect(server.faults.current().dropUploadAfterBytes, 'a part upload was dropped').toBeUndefined();
    expect(finished.stderr, 'the part, not the file, is retried').toMatch(/Retrying upload.*part \d+\/\d+/);
    expect((await componentsOf(session, versionId)).map((c) => c.name).sort()).toEqual(REVIEW_SET);
    await expectDownloadable(published);
    expect((await storedFiles(server)).filter((f) => f.startsWith('storage-parts/')), 'completed uploads leave no parts').toEqual([]);
  });

  it('killed during the upload: the re-run registers exactly once', async () => {
    const source = await clip(16, { width: 320, height: 180 });
    const versionId = await newVersion();
    const env = await isolatedEnv('kill');

    // Slow storage so the kill lands while the server is receiving a file.
    server.faults.set({ storageBytesPerSecond: 8 * 1024 });
    const run = spawnTracked(['publish', source, '--version', versionId, '--json'], env);
    await waitWhileRunning(run, 'an upload was in flight', async () => (await uploadsInFlight()).length > 0);
    run.child.kill('SIGKILL');
    const killed = await run.result;
    expect(killed.signal).toBe('SIGKILL');
    server.faults.clear();

    expect(await componentsOf(session, versionId), 'nothing registered by the killed run').toEqual([]);
    // The server drops the half-received file when the connection dies.
    await waitFor('the server to drop the half upload', async () => ((await uploadsInFlight()).length === 0 ? true : undefined), 30_000);

    // Same TMPDIR: the dead process's publish lock is taken over, not waited on.
    const rerun = expectSuccess(await runCli(['publish', source, '--version', versionId, '--json'], { env }));
    expect(rerun.skipped).toBe(false);
    const components = await componentsOf(session, versionId);
    expect(components.map((c) => c.name).sort()).toEqual(REVIEW_SET);
    expect(components.map((c) => c.id).sort()).toEqual(rerun.components.map((c) => c.id).sort());
    await expectDownloadable(rerun);

    const again = expectSuccess(await runCli(['publish', source, '--version', versionId, '--json'], { env }));
    expect(again.skipped).toBe(true);
    expect(await componentsOf(session, versionId)).toHaveLength(REVIEW_SET.length);
  });

  it('killed during a multi-part upload: the re-run resumes from the journal', async () => {
    const source = await clip(20, { width: 320, height: 180 });
    const versionId = await newVersion();
    const env = { ...(await isolatedEnv('kill-multipart')), FTRACK_ENCODE_PART_SIZE: String(16 * 1024) };

    server.faults.set({ storageBytesPerSecond: 8 * 1024 });
    const run = spawnTracked(['publish', source, '--version', versionId, '--json'], env);
    // Kill once the journal has recorded at least one confirmed part.
    await waitWhileRunning(run, 'the upload journal confirmed a part', async () => (await confirmedParts(env)) > 0);
    run.child.kill('SIGKILL');
    expect((await run.result).signal).toBe('SIGKILL');
    server.faults.clear();
    const uploadsLeft = (await storedFiles(server)).filter((f) => f.startsWith('storage-parts/'));
    expect(uploadsLeft.length, 'the killed run left a multi-part upload with confirmed parts').toBeGreaterThan(0);

    const rerun = expectSuccess(await runCli(['publish', source, '--version', versionId, '--json'], { env }));
    expect(rerun.skipped).toBe(false);
    expect((await componentsOf(session, versionId)).map((c) => c.name).sort()).toEqual(REVIEW_SET);
    await expectDownloadable(rerun);
    // Resumed, not restarted: the interrupted upload was completed (its parts assembled and gone)
    // and its journal deleted. A restarted upload would leave both behind.
    expect(await journals(env)).toEqual([]);
    expect((await storedFiles(server)).filter((f) => f.startsWith('storage-parts/'))).toEqual([]);
  });

  it('a wrong API key: E_FTRACK_AUTH naming server and user, never the key', async () => {
    const source = await clip(12);
    const wrongKey = `wrong-key-${randomUUID()}`;
    const env = { ...(await isolatedEnv('auth')), FTRACK_API_KEY: wrongKey };
    for (const mode of [['--json'], []]) {
      const result = await runCli(['publish', source, '--version', server.seed.versionId, ...mode], { env });
      expect(result.code, describeResult(result)).toBe(ERROR_CODES.E_FTRACK_AUTH);
      const output = result.stdout + result.stderr;
      expect(output).toContain('E_FTRACK_AUTH');
      expect(output).toContain(server.url);
      expect(output).toContain(server.user);
      expect(output).not.toContain(wrongKey);
      expect(output).not.toContain(server.apiKey);
    }
  });

  it('an unknown version id: E_FTRACK_NOT_FOUND before anything is encoded', async () => {
    const source = await clip(12);
    const env = await isolatedEnv('unknown-version');
    const missing = randomUUID();
    const before = await storedFiles(server);
    const json = await runCli(['publish', source, '--version', missing, '--json'], { env });
    expect(expectError(json, 'E_FTRACK_NOT_FOUND').message).toContain(missing);

    // Plain output: the stages it went through are on stderr; none of them is encode or store.
    const text = await runCli(['publish', source, '--version', missing], { env });
    expect(text.code, describeResult(text)).toBe(ERROR_CODES.E_FTRACK_NOT_FOUND);
    expect(text.stderr).toContain(missing);
    expect(text.stderr).not.toMatch(/^(encode|validate|store|register)\b/m);
    expect(await storedFiles(server)).toEqual(before);
    // No scratch directory or output left behind in TMPDIR.
    const leftovers = (await readdir(env['TMPDIR']!)).filter((f) => f.startsWith('ftrack-encode-publish-'));
    expect(leftovers).toEqual([]);
  });

  it('a source component in no location this machine can read: E_SOURCE_NOT_ACCESSIBLE', async () => {
    const versionId = await newVersion();
    const env = await isolatedEnv('not-accessible');
    const componentId = await createEntity(session, 'FileComponent', { name: 'main', file_type: '.mov', size: 123_456, version_id: versionId });
    await createEntity(session, 'ComponentLocation', { component_id: componentId, location_id: UNMANAGED_LOCATION_ID, resource_identifier: '/mnt/nowhere/sh010_plate.mov' });

    const result = await runCli(['publish', '--version', versionId, '--json'], { env });
    const error = expectError(result, 'E_SOURCE_NOT_ACCESSIBLE');
    expect(error.message).toContain(componentId);
    expect((await componentsOf(session, versionId)).map((c) => c.name)).toEqual(['main']);
  });

  it('the same publish started twice at once: exactly one registration, the other run is skipped', async () => {
    const source = await clip(18);
    const versionId = await newVersion();
    const env = await isolatedEnv('concurrent');
    const args = ['publish', source, '--version', versionId, '--json'];
    const [a, b] = await Promise.all([runCli(args, { env }), runCli(args, { env })]);
    const results = [expectSuccess(a), expectSuccess(b)];
    expect(results.map((r) => r.skipped).sort()).toEqual([false, true]);
    expect(results[0]!.components.map((c) => c.id).sort()).toEqual(results[1]!.components.map((c) => c.id).sort());

    const components = await componentsOf(session, versionId);
    expect(components.map((c) => c.name).sort()).toEqual(REVIEW_SET);
    for (const c of components) expect(Object.keys(c.locations), c.name).toEqual(['ftrack.server']);
  });
});

/** Parts confirmed in the (one) journal of a test's TMPDIR. */
async function confirmedParts(env: Record<string, string>): Promise<number> {
  const dir = join(env['TMPDIR']!, 'ftrack-encode-upload-journals');
  let count = 0;
  for (const name of await journals(env)) {
    try {
      const state = JSON.parse(await readFile(join(dir, name), 'utf8')) as { done?: Record<string, string> };
      count += Object.keys(state.done ?? {}).length;
    } catch {
      // being rewritten; look again
    }
  }
  return count;
}
