// The reliability corpus's world: one shared ftrack-local (rows run one after another and each takes
// a fresh version and its own TMPDIR/XDG/--out), the built CLI, cached tiny media, and the checks every
// row makes — exact error code, nothing registered, no orphaned stored file, no partial file, no
// scratch directory; or, after a fault that must end in success, a healthy and idempotent publish.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import type { Session } from '@ftrack/api';
import { ERROR_CODES } from '@ftrack-encode/core';
import { SERVER_LOCATION_ID } from '@ftrack-encode/ftrack-local';
import { mediaFixtures } from '@ftrack-encode/testing';
import { buildCli, describeResult, parseJson, spawnCli, tempDir, type CliError, type CliResult, type RunningCli } from '../support/cli.js';
import type { ExpectedCode } from './table.js';
import {
  componentsOf,
  downloadComponent,
  ftrackEnv,
  newSeededVersion,
  plainSession,
  rows,
  startLocal,
  storedFiles,
  type ComponentRow,
} from '../support/ftrack.js';

export type LocalServer = Awaited<ReturnType<typeof startLocal>>;

export interface PublishJson {
  versionId: string;
  skipped: boolean;
  components: { id: string; name: string; location: string; checksum: string; size: number }[];
  reviewUrl: string;
}

/** One row's private corner: its own TMPDIR (locks, journals, scratch), XDG_DATA_HOME and --out. */
export interface RowContext {
  dir: string;
  tmp: string;
  out: string;
  /** FTRACK_* of the shared server + TMPDIR + XDG_DATA_HOME. */
  env: Record<string, string>;
}

/** The tiny clips the corpus encodes (generated once by ffmpeg into the shared fixture cache). */
export interface Clips {
  /** 1 s 320x180 24 fps, no audio. */
  small: string;
  /** A different 1 s 320x180 clip (another source checksum). */
  other: string;
  /** 2 s 320x180 with audio: review files of tens of KB, several 8 KiB parts. */
  medium: string;
  /** 10 s 640x360: an encode long enough for a signal to land in it. */
  long: string;
}

export class Harness {
  readonly fixtures = mediaFixtures(join(tmpdir(), 'ftrack-encode-e2e-fixtures'));
  work = '';
  server!: LocalServer;
  session!: Session;
  clips!: Clips;
  private readonly running = new Set<RunningCli>();
  private orphansAtStart: string[] = [];
  private counter = 0;

  async start(): Promise<void> {
    buildCli();
    this.work = await tempDir('reliability');
    this.server = await startLocal(join(this.work, 'ftrack'));
    this.session = await plainSession(this.server);
    const movie = async (spec: Record<string, unknown>) =>
      ((await this.fixtures.ensure({ kind: 'movie', rate: '24', audio: false, ...spec })) as { path: string }).path;
    this.clips = {
      small: await movie({ width: 320, height: 180, frames: 24 }),
      other: await movie({ width: 320, height: 180, frames: 25 }),
      medium: await movie({ width: 320, height: 180, frames: 48, audio: true }),
      long: await movie({ width: 640, height: 360, frames: 240 }),
    };
  }

  async stop(): Promise<void> {
    await this.killAll();
    await this.server?.close();
    if (this.work) await rm(this.work, { recursive: true, force: true });
  }

  /** Before a row: nothing running, no faults, and the orphans that were already there noted. */
  async beginRow(): Promise<void> {
    this.server.faults.clear();
    this.orphansAtStart = await this.orphans();
  }

  async endRow(): Promise<void> {
    this.server.faults.clear();
    await this.killAll();
  }

  async context(name: string, server: Pick<LocalServer, 'url' | 'user' | 'apiKey'> = this.server): Promise<RowContext> {
    const dir = join(this.work, 'rows', `${String(++this.counter).padStart(3, '0')}-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40)}`);
    const tmp = join(dir, 'tmp');
    const out = join(dir, 'out');
    await Promise.all([mkdir(tmp, { recursive: true }), mkdir(join(dir, 'xdg'), { recursive: true }), mkdir(out, { recursive: true })]);
    return { dir, tmp, out, env: { ...ftrackEnv(server), TMPDIR: tmp, XDG_DATA_HOME: join(dir, 'xdg') } };
  }

  /** The same checks against another server (e.g. a restartable one); its orphans counted from now. */
  async on(server: LocalServer, session: Session): Promise<Harness> {
    const view = Object.create(this) as Harness;
    view.server = server;
    view.session = session;
    view.orphansAtStart = await view.orphans();
    return view;
  }

  newVersion(): Promise<string> {
    return newSeededVersion(this.session, this.server);
  }

  /** Run the built CLI to the end. */
  cli(args: string[], ctx: RowContext, env: Record<string, string | undefined> = {}): Promise<CliResult> {
    return this.spawn(args, ctx, env).result;
  }

  /** Start the built CLI; endRow() kills it if the row did not wait for it. */
  spawn(args: string[], ctx: RowContext, env: Record<string, string | undefined> = {}): RunningCli {
    const run = spawnCli(args, { env: { ...ctx.env, ...env }, cwd: ctx.dir });
    this.running.add(run);
    void run.result.finally(() => this.running.delete(run)).catch(() => undefined);
    return run;
  }

  private async killAll(): Promise<void> {
    for (const run of [...this.running]) {
      run.child.kill('SIGKILL');
      await run.result.catch(() => undefined);
    }
  }

  /** Wait for a condition while a spawned CLI runs; fails at once, with its output, if it exits first. */
  async waitWhileRunning(run: RunningCli, what: string, condition: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
    let exited: CliResult | undefined;
    void run.result.then((r) => (exited = r)).catch(() => undefined);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await condition()) return;
      if (exited) throw new Error(`the CLI finished before ${what}:\n${describeResult(exited)}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\nstderr so far:\n${run.stderr()}`);
      await sleep(25);
    }
  }

  /**
   * The run's result once it exits; a run still alive `ms` after `what` is killed and the row fails
   * (a bound on a hang, so a CLI that ignores a signal fails its row instead of the suite's timeout).
   */
  async exitWithin(run: RunningCli, what: string, ms = 30_000): Promise<CliResult> {
    const guard = new AbortController();
    const result = await Promise.race([
      run.result,
      sleep(ms, undefined, { signal: guard.signal }).then(
        () => undefined,
        () => undefined,
      ),
    ]);
    guard.abort();
    if (result) return result;
    run.child.kill('SIGKILL');
    await run.result.catch(() => undefined);
    throw new Error(`the CLI was still running ${ms / 1000} s after ${what} (killed)\nstderr:\n${run.stderr()}`);
  }

  /** Poll a condition (a state the server reaches on its own, e.g. dropping a dead upload). */
  async waitFor(what: string, condition: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(25);
    }
  }

  // ---- the outcome -------------------------------------------------------------------------

  /** Exit code (the code's own, or `exit` for SIGTERM/SIGHUP) and, with --json, the error object on stdout. */
  expectError(result: CliResult, code: ExpectedCode, options: { exit?: number; json?: boolean } = {}): CliError['error'] | undefined {
    expect(result.code, `${summarize(result)}\n${describeResult(result)}`).toBe(options.exit ?? (ERROR_CODES as Record<string, number>)[code]);
    if (options.json === false) return undefined;
    const { error } = parseJson<CliError>(result);
    expect(error.code, `${summarize(result)}\n${describeResult(result)}`).toBe(code);
    expect(error.message, 'a message').toBeTruthy();
    return error;
  }

  expectSuccess(result: CliResult): PublishJson {
    expect(result.code, `${summarize(result)}\n${describeResult(result)}`).toBe(0);
    return parseJson<PublishJson>(result);
  }

  // ---- state on the server -------------------------------------------------------------------

  components(versionId: string): Promise<ComponentRow[]> {
    return componentsOf(this.session, versionId);
  }

  /** Nothing on the version but what was there before the row (`before`: component ids). */
  async expectNothingRegistered(versionId: string, before: string[] = []): Promise<void> {
    const now = (await this.components(versionId)).map((c) => c.id).sort();
    expect(now, `components on version ${versionId}`).toEqual([...before].sort());
    const [version] = await rows(this.session, `select thumbnail_id from AssetVersion where id is "${versionId}"`);
    if (before.length === 0) expect(version?.['thumbnail_id'] ?? null, 'thumbnail_id').toBeNull();
  }

  /**
   * Stored files no ComponentLocation of ftrack.server points at, files half received (.tmp-*)
   * and multi-part uploads never completed.
   */
  async orphans(server: Pick<LocalServer, 'dataDir' | 'url' | 'user' | 'apiKey'> = this.server, session: Session = this.session): Promise<string[]> {
    const files = await storedFiles(server);
    const referenced = new Set(
      (await rows(session, 'select resource_identifier, location_id from ComponentLocation'))
        .filter((r) => r['location_id'] === SERVER_LOCATION_ID)
        .map((r) => `storage/${String(r['resource_identifier'])}`),
    );
    return files.filter((f) => f.startsWith('storage-parts/') || basename(f).startsWith('.tmp-') || !referenced.has(f));
  }

  /** No stored file orphaned by this row (orphans left by earlier rows are not this row's). */
  async expectNoNewOrphans(): Promise<void> {
    const before = new Set(this.orphansAtStart);
    expect(
      (await this.orphans()).filter((f) => !before.has(f)),
      'files stored in ftrack.server that nothing references',
    ).toEqual([]);
  }

  // ---- state on disk ---------------------------------------------------------------------------

  /** No partial/temp file in a directory (recursively); returns every entry for further checks. */
  async expectNoPartials(dir: string): Promise<string[]> {
    const entries = await listTree(dir);
    expect(
      entries.filter((e) => /\.partial|(^|\/)\.tmp|\.tmp-/.test(e)),
      `partial files in ${dir}`,
    ).toEqual([]);
    return entries;
  }

  /** No publish scratch directory left in the row's TMPDIR. */
  async expectNoScratch(ctx: RowContext): Promise<void> {
    const left = existsSync(ctx.tmp) ? (await readdir(ctx.tmp)).filter((f) => f.startsWith('ftrack-encode-publish-')) : [];
    expect(left, `scratch directories in ${ctx.tmp}`).toEqual([]);
  }

  /** No trace of the run (every failed run, and a dry run): nothing registered, orphaned, partial, no scratch. */
  async expectNoTrace(ctx: RowContext, versionId?: string, before: string[] = []): Promise<void> {
    if (versionId) await this.expectNothingRegistered(versionId, before);
    await this.expectNoNewOrphans();
    expect(await this.expectNoPartials(ctx.out), `--out of a failed run holds nothing`).toEqual([]);
    await this.expectNoScratch(ctx);
  }

  /**
   * Every component ftrack-encode registered on the version: exactly one ComponentLocation per
   * component and location, downloadable from ftrack.server with its recorded checksum.
   */
  async expectHealthy(versionId: string, expectedNames?: string[]): Promise<ComponentRow[]> {
    const components = (await this.components(versionId)).filter((c) => c.metadata['ftrack_encode.checksum']);
    if (expectedNames) expect(components.map((c) => c.name).sort(), 'registered review components').toEqual([...expectedNames].sort());
    expect(components.length, 'something is registered').toBeGreaterThan(0);
    const ids = components.map((c) => `"${c.id}"`).join(', ');
    const locations = await rows(this.session, `select component_id, location_id from ComponentLocation where component_id in (${ids})`);
    const pairs = locations.map((l) => `${String(l['component_id'])}@${String(l['location_id'])}`);
    expect(
      pairs.filter((p, i) => pairs.indexOf(p) !== i),
      'component@location with more than one ComponentLocation',
    ).toEqual([]);
    for (const c of components) {
      expect(Object.keys(c.locations).length, `${c.name} is in a location`).toBeGreaterThan(0);
      if (!c.locations['ftrack.server']) continue;
      const download = await downloadComponent(this.server, c.id, join(this.work, 'downloads', randomUUID(), c.name));
      expect(download.status, `GET ${c.name}`).toBe(200);
      expect(`sha256:${download.sha256}`, `${c.name} bytes = recorded checksum`).toBe(c.metadata['ftrack_encode.checksum']);
    }
    const thumbnails = components.filter((c) => c.name === 'thumbnail').map((c) => c.id);
    if (thumbnails.length > 0) {
      const [version] = await rows(this.session, `select thumbnail_id from AssetVersion where id is "${versionId}"`);
      expect(thumbnails, 'thumbnail_id is a registered thumbnail').toContain(version?.['thumbnail_id']);
    }
    return components;
  }

  /** The same publish again changes nothing: skipped, same components, same ComponentLocations. */
  async expectRerunSkipped(args: string[], ctx: RowContext, versionId: string): Promise<void> {
    const before = await this.locationRows(versionId);
    const again = this.expectSuccess(await this.cli(args, ctx));
    expect(again.skipped, 'the re-run is skipped').toBe(true);
    expect(await this.locationRows(versionId), 'the re-run changed nothing').toEqual(before);
  }

  /** Components and their ComponentLocations on a version, as sorted "component@location" ids. */
  async locationRows(versionId: string): Promise<string[]> {
    const components = await this.components(versionId);
    if (components.length === 0) return [];
    const ids = components.map((c) => `"${c.id}"`).join(', ');
    const locations = await rows(this.session, `select id, component_id, location_id from ComponentLocation where component_id in (${ids})`);
    return locations.map((l) => `${String(l['component_id'])}@${String(l['location_id'])}#${String(l['id'])}`).sort();
  }
}

/** One line for the table: exit code or signal, and the error code and message printed with --json. */
export function summarize(result: CliResult): string {
  const how = result.signal ? `killed by ${result.signal}` : `exit ${result.code}`;
  try {
    const parsed = JSON.parse(result.stdout.trim()) as Partial<CliError> & { skipped?: boolean };
    if (parsed.error) return `${how}, ${parsed.error.code}: ${parsed.error.message.slice(0, 120)}`;
    return `${how}, result ${JSON.stringify(parsed).slice(0, 100)}`;
  } catch {
    // not one JSON document
  }
  return `${how}, stdout ${result.stdout.trim() ? 'not JSON' : 'empty'}, stderr: ${result.stderr.trim().split('\n').pop()?.slice(0, 100) ?? ''}`;
}

/** Every file under a directory, relative, hidden ones included. */
export async function listTree(dir: string, prefix = ''): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listTree(join(dir, entry.name), rel)));
    else out.push(rel);
  }
  return out.sort();
}

/** Publish arguments with --json. */
export function publishArgs(source: string, versionId: string, ...extra: string[]): string[] {
  return ['publish', source, '--version', versionId, '--json', ...extra];
}
