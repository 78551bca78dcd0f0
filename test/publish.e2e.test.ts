// Issue 4, "Verification the tests must make": the BUILT `ftrack-encode publish` / `demo` as separate
// processes against ftrack-local, and everything checked afterwards with the plain @ftrack/api client
// (components, locations, downloadable bytes, ftr_meta, thumbnail, provenance, idempotency).
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '@ftrack/api';
import { startFtrackLocal, type FtrackLocalServer } from '@ftrack-encode/ftrack-local';
import { mediaFixtures } from '@ftrack-encode/testing';
import { buildCli, describeResult, parseJson, runCli, tempDir, type CliResult } from './support/cli.js';
import {
  componentsOf,
  createEntity,
  downloadComponent,
  ftrackEnv,
  listFiles,
  plainSession,
  probeVideo,
  rows,
  sha256File,
  startLocal,
  uploadSourceComponent,
  type ComponentRow,
  isolatedDirs,
  newSeededVersion,
} from './support/ftrack.js';

interface PublishJson {
  versionId: string;
  skipped: boolean;
  components: { id: string; name: string; location: string; checksum: string; size: number }[];
  reviewUrl: string;
}

const fixtures = mediaFixtures(join(tmpdir(), 'ftrack-encode-e2e-fixtures'));

let work: string;
let server: Awaited<ReturnType<typeof startLocal>>;
let session: Session;

beforeAll(async () => {
  buildCli();
  work = await tempDir('publish');
  server = await startLocal(join(work, 'ftrack'));
  session = await plainSession(server);
});

afterAll(async () => {
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

const newVersion = (): Promise<string> => newSeededVersion(session, server);

const isolatedEnv = (name: string): Promise<Record<string, string>> => isolatedDirs(work, name);

async function publish(args: string[], env: Record<string, string>): Promise<CliResult> {
  return runCli(['publish', ...args, '--json'], { env: { ...ftrackEnv(server), ...env } });
}

function expectSuccess(result: CliResult): PublishJson {
  expect(result.code, describeResult(result)).toBe(0);
  return parseJson<PublishJson>(result);
}

const sorted = (names: string[]) => [...names].sort();

/** Each component is in ftrack.server with a downloadable file matching the reported checksum and size. */
async function expectDownloadable(published: PublishJson, dir: string): Promise<Map<string, string>> {
  await mkdir(dir, { recursive: true });
  const files = new Map<string, string>();
  for (const c of published.components) {
    const path = join(dir, c.name);
    const download = await downloadComponent(server, c.id, path);
    expect(download.status, `GET ${c.name}`).toBe(200);
    expect(`sha256:${download.sha256}`, c.name).toBe(c.checksum);
    expect(download.size, c.name).toBe(c.size);
    files.set(c.name, path);
  }
  return files;
}

function byName(components: ComponentRow[]): Map<string, ComponentRow> {
  return new Map(components.map((c) => [c.name, c]));
}

describe('ftrack-encode publish (built CLI) against ftrack-local', () => {
  it('publishes a movie: review components in ftrack.server, downloadable, ftr_meta, thumbnail, provenance; a re-run is skipped', async () => {
    const clip = await fixtures.movie24(); // 320x180, 24 frames at 24 fps, with audio
    const versionId = await newVersion();
    const env = await isolatedEnv('movie');

    const published = expectSuccess(await publish([clip, '--version', versionId], env));
    expect(published.versionId).toBe(versionId);
    expect(published.skipped).toBe(false);
    expect(published.reviewUrl).toContain(versionId);
    expect(published.reviewUrl.startsWith(server.url)).toBe(true);
    expect(sorted(published.components.map((c) => c.name))).toEqual(['ftrackreview-mp4', 'ftrackreview-webm', 'thumbnail']);
    for (const c of published.components) {
      expect(c).toEqual({
        id: expect.any(String),
        name: expect.any(String),
        location: 'ftrack.server',
        checksum: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
        size: expect.any(Number),
      });
    }

    // What ftrack holds, seen by a plain client.
    const components = await componentsOf(session, versionId);
    expect(sorted(components.map((c) => c.name))).toEqual(['ftrackreview-mp4', 'ftrackreview-webm', 'thumbnail']);
    const registered = byName(components);
    for (const c of published.components) {
      const row = registered.get(c.name)!;
      expect(row.id).toBe(c.id);
      expect(row.size).toBe(c.size);
      expect(row.locations).toEqual({ 'ftrack.server': c.id });
    }
    expect(registered.get('ftrackreview-mp4')!.fileType).toBe('.mp4');
    expect(registered.get('ftrackreview-webm')!.fileType).toBe('.webm');
    expect(registered.get('thumbnail')!.fileType).toBe('.jpg');

    const files = await expectDownloadable(published, join(work, 'downloads', 'movie'));

    // ftr_meta describes the file the player gets.
    for (const name of ['ftrackreview-mp4', 'ftrackreview-webm']) {
      const meta = JSON.parse(registered.get(name)!.metadata['ftr_meta'] ?? 'null') as Record<string, number> | null;
      expect(meta, `${name} ftr_meta`).not.toBeNull();
      const probed = await probeVideo(files.get(name)!);
      expect(probed.frames).toBe(24);
      expect(meta).toEqual({ frameIn: 0, frameOut: probed.frames, frameRate: Number(probed.frameRate.toFixed(3)), width: probed.width, height: probed.height });
      expect([probed.width, probed.height]).toEqual([320, 180]);
    }
    expect((await probeVideo(files.get('ftrackreview-mp4')!)).codec).toBe('h264');
    expect((await probeVideo(files.get('ftrackreview-webm')!)).codec).toMatch(/^vp[89]$/);
    expect(registered.get('thumbnail')!.metadata['ftr_meta']).toBeUndefined();

    // The version's thumbnail is the thumbnail component.
    const [version] = await rows(session, `select thumbnail_id from AssetVersion where id is "${versionId}"`);
    expect(version?.['thumbnail_id']).toBe(registered.get('thumbnail')!.id);

    // Provenance on every component.
    const sourceChecksum = `sha256:${await sha256File(clip)}`;
    for (const c of published.components) {
      const meta = registered.get(c.name)!.metadata;
      expect(meta, c.name).toMatchObject({
        'ftrack_encode.source_checksum': sourceChecksum,
        'ftrack_encode.profile': 'ftrack-review',
        'ftrack_encode.encoder': 'native',
        'ftrack_encode.checksum': c.checksum,
        'ftrack_encode.size': String(c.size),
      });
      expect(meta['ftrack_encode.profile_hash'], c.name).toMatch(/^[0-9a-f]+$/);
      expect(meta['ftrack_encode.encoder_version'], c.name).toBeTruthy();
      expect(meta['ftrack_encode.source_path'], c.name).toBe(clip);
    }
    expect(registered.get('ftrackreview-mp4')!.metadata['ftrack_encode.frame_rate']).toBe('24');
    expect(registered.get('ftrackreview-mp4')!.metadata['ftrack_encode.resolution']).toBe('320x180');
    // The quality gate's scores travel with the playable components (not with the thumbnail).
    for (const name of ['ftrackreview-mp4', 'ftrackreview-webm']) {
      const meta = registered.get(name)!.metadata;
      expect(Number(meta['ftrack_encode.ssim']), name).toBeGreaterThanOrEqual(0.95);
      expect(meta['ftrack_encode.quality_frames']?.split(',').length, name).toBeGreaterThanOrEqual(10);
    }
    expect(registered.get('thumbnail')!.metadata['ftrack_encode.ssim']).toBeUndefined();

    // Same source, same profile: skipped, nothing encoded, nothing added.
    const again = expectSuccess(await publish([clip, '--version', versionId], env));
    expect(again.skipped).toBe(true);
    expect(sorted(again.components.map((c) => c.id))).toEqual(sorted(published.components.map((c) => c.id)));
    const after = await componentsOf(session, versionId);
    expect(sorted(after.map((c) => c.id))).toEqual(sorted(components.map((c) => c.id)));
  });

  it('publishes a still image as ftrackreview-image + thumbnail', async () => {
    const still = await fixtures.still(); // 320x180 PNG
    const versionId = await newVersion();
    const published = expectSuccess(await publish([still, '--version', versionId], await isolatedEnv('still')));
    expect(published.skipped).toBe(false);
    expect(sorted(published.components.map((c) => c.name))).toEqual(['ftrackreview-image', 'thumbnail']);

    const registered = byName(await componentsOf(session, versionId));
    expect(sorted([...registered.keys()])).toEqual(['ftrackreview-image', 'thumbnail']);
    const files = await expectDownloadable(published, join(work, 'downloads', 'still'));
    const image = await probeVideo(files.get('ftrackreview-image')!);
    expect(JSON.parse(registered.get('ftrackreview-image')!.metadata['ftr_meta'] ?? 'null')).toEqual({
      format: 'image',
      width: image.width,
      height: image.height,
    });
    expect([image.width, image.height]).toEqual([320, 180]);
    const [version] = await rows(session, `select thumbnail_id from AssetVersion where id is "${versionId}"`);
    expect(version?.['thumbnail_id']).toBe(registered.get('thumbnail')!.id);
  });

  it('--location with a disk location from the config: files in the project/sequence/shot/asset/v### structure', async () => {
    const clip = await fixtures.noAudio(); // 320x180, 24 frames, no audio
    const versionId = await newVersion();
    const [version] = await rows(session, `select version from AssetVersion where id is "${versionId}"`);
    const versionNumber = Number(version?.['version']);
    const prefix = join(work, 'studio-disk');
    await mkdir(prefix, { recursive: true });
    const locationId = await createEntity(session, 'Location', { name: 'studio.disk' });
    const config = join(work, 'disk.config.json');
    await writeFile(config, JSON.stringify({ locations: [{ name: 'studio.disk', type: 'disk', prefix }] }));

    const published = expectSuccess(await publish([clip, '--version', versionId, '--location', 'studio.disk', '--config', config], await isolatedEnv('disk')));
    expect(sorted(published.components.map((c) => c.name))).toEqual(['ftrackreview-mp4', 'ftrackreview-webm', 'thumbnail']);
    for (const c of published.components) expect(c.location).toBe('studio.disk');

    const dir = join(prefix, 'demo', 'sq010', 'sh010', 'sh010_comp', `v${String(versionNumber).padStart(3, '0')}`);
    const onDisk = (await listFiles(prefix)).map((f) => relative(prefix, f)).sort();
    const expected = { 'ftrackreview-mp4': 'mp4', 'ftrackreview-webm': 'webm', thumbnail: 'jpg' } as Record<string, string>;
    expect(onDisk).toEqual(sorted(Object.entries(expected).map(([name, ext]) => relative(prefix, join(dir, `${name}.${ext}`)))));

    const registered = byName(await componentsOf(session, versionId));
    const locationRows = await rows(session, `select component_id, resource_identifier from ComponentLocation where location_id is "${locationId}"`);
    for (const c of published.components) {
      const path = join(dir, `${c.name}.${expected[c.name]}`);
      expect(registered.get(c.name)!.locations, c.name).toEqual({ 'studio.disk': relative(prefix, path) });
      expect(locationRows.find((r) => r['component_id'] === c.id)?.['resource_identifier']).toBe(relative(prefix, path));
      expect(`sha256:${await sha256File(path)}`, c.name).toBe(c.checksum);
    }
  });

  it('takes the source from ftrack: --version without an input encodes the uploaded raw movie', async () => {
    const raw = (await fixtures.ensure({ kind: 'movie', width: 256, height: 144, rate: '25', frames: 25, audio: false, container: 'mov' })) as { path: string };
    const versionId = await newVersion();
    const sourceId = await uploadSourceComponent(session, versionId, raw.path, 'main');

    const published = expectSuccess(await publish(['--version', versionId], await isolatedEnv('from-ftrack')));
    expect(published.skipped).toBe(false);
    expect(sorted(published.components.map((c) => c.name))).toEqual(['ftrackreview-mp4', 'ftrackreview-webm', 'thumbnail']);

    const registered = byName(await componentsOf(session, versionId));
    expect(sorted([...registered.keys()])).toEqual(['ftrackreview-mp4', 'ftrackreview-webm', 'main', 'thumbnail']);
    expect(registered.get('main')!.id).toBe(sourceId);
    const files = await expectDownloadable(published, join(work, 'downloads', 'from-ftrack'));
    const mp4 = await probeVideo(files.get('ftrackreview-mp4')!);
    expect({ width: mp4.width, height: mp4.height, frames: mp4.frames, frameRate: mp4.frameRate }).toEqual({
      width: 256,
      height: 144,
      frames: 25,
      frameRate: 25,
    });
    expect(registered.get('ftrackreview-mp4')!.metadata['ftrack_encode.source_checksum']).toBe(`sha256:${await sha256File(raw.path)}`);
  });
});

describe('ftrack-encode demo on the embedded default (no FTRACK_SERVER)', () => {
  it('publishes the demo clip to an embedded ftrack-local on 127.0.0.1; a second run is skipped', { timeout: 600_000 }, async () => {
    const env = await isolatedEnv('demo');
    const demo = () => runCli(['demo', '--json'], { env });

    const first = expectSuccess(await demo());
    expect(first.skipped).toBe(false);
    expect(new URL(first.reviewUrl).hostname).toBe('127.0.0.1');
    expect(first.reviewUrl).toContain(`/review/version/${first.versionId}`);
    // The demo clip is 1080p: the 1080 variant is made too.
    expect(sorted(first.components.map((c) => c.name))).toEqual(['ftrackreview-mp4', 'ftrackreview-mp4-1080', 'ftrackreview-webm', 'thumbnail']);

    const second = expectSuccess(await demo());
    expect(second.skipped).toBe(true);
    expect(second.versionId).toBe(first.versionId);
    expect(sorted(second.components.map((c) => c.id))).toEqual(sorted(first.components.map((c) => c.id)));

    // The embedded server's data dir is under XDG_DATA_HOME: open it and look with a plain client.
    const dataDir = join(env['XDG_DATA_HOME']!, 'ftrack-encode', 'local');
    expect(existsSync(dataDir)).toBe(true);
    const embedded: FtrackLocalServer = await startFtrackLocal({ port: 0, dataDir, seed: 'demo' });
    const embeddedSession = await plainSession(embedded);
    try {
      expect(embedded.seed?.versionId).toBe(first.versionId);
      const components = await componentsOf(embeddedSession, first.versionId);
      expect(sorted(components.map((c) => c.id))).toEqual(sorted(first.components.map((c) => c.id)));
      for (const c of first.components) {
        const download = await downloadComponent(embedded, c.id, join(work, 'downloads', `demo-${c.name}`));
        expect(download.status).toBe(200);
        expect(`sha256:${download.sha256}`).toBe(c.checksum);
      }
      const mp4 = await probeVideo(join(work, 'downloads', 'demo-ftrackreview-mp4'));
      expect([mp4.width, mp4.height, mp4.frames]).toEqual([1280, 720, 96]);
    } finally {
      await embedded.close();
    }
    // Nothing leaked to the real home directory: the demo media lives under XDG_DATA_HOME.
    expect(await readFile(join(dataDir, 'demo-media', 'demo_sh010_comp_v001.mov')).then((b) => b.length > 0)).toBe(true);
  });
});

describe('ftrack-encode demo on a machine without ffmpeg', () => {
  it('makes the clip and the review media with ffmpeg.wasm (best available encoder) and publishes them', { timeout: 600_000 }, async () => {
    const env: Record<string, string> = { ...(await isolatedEnv('demo-wasm')), FFMPEG_PATH: '/nonexistent/ffmpeg' };
    const result = await runCli(['demo', '--json'], { env });
    const published = expectSuccess(result);
    expect(sorted(published.components.map((c) => c.name))).toEqual(['ftrackreview-mp4', 'ftrackreview-mp4-1080', 'ftrackreview-webm', 'thumbnail']);
    const dataDir = join(env['XDG_DATA_HOME']!, 'ftrack-encode', 'local');
    const embedded: FtrackLocalServer = await startFtrackLocal({ port: 0, dataDir, seed: 'demo' });
    const embeddedSession = await plainSession(embedded);
    try {
      const components = byName(await componentsOf(embeddedSession, published.versionId));
      // Made by the wasm backend; its webm is VP8 (VP9 crashes ffmpeg.wasm).
      expect(components.get('ftrackreview-mp4')?.metadata['ftrack_encode.encoder']).toBe('wasm');
      expect(components.get('ftrackreview-webm')?.metadata['ftrack_encode.codec']).toBe('vp8');
    } finally {
      embeddedSession.eventHub.disconnect();
      await embedded.close();
    }
  });
});

describe('ftrack-encode run-job (the farm unit of work, without Redis)', () => {
  it('runs a publish job spec: review media registered once; the same spec again is skipped', async () => {
    const clip = await fixtures.movie24();
    const versionId = await newVersion();
    const env = await isolatedEnv('run-job');
    const specPath = join(env['TMPDIR']!, 'job.json');
    await writeFile(specPath, JSON.stringify({ kind: 'publish', source: { kind: 'path', input: clip }, versionId, profile: 'ftrack-review' }));
    const run = () => runCli(['run-job', '--spec', specPath, '--json'], { env: { ...ftrackEnv(server), ...env } });

    const first = await run();
    expect(first.code, describeResult(first)).toBe(0);
    const result = parseJson<{ kind: string; versionId: string; skipped: boolean; components: { name: string }[] }>(first);
    expect(result).toMatchObject({ kind: 'publish', versionId, skipped: false });
    expect(sorted(result.components.map((c) => c.name))).toEqual(['ftrackreview-mp4', 'ftrackreview-webm', 'thumbnail']);
    expect(sorted((await componentsOf(session, versionId)).map((c) => c.name))).toEqual(['ftrackreview-mp4', 'ftrackreview-webm', 'thumbnail']);

    const again = parseJson<{ skipped: boolean }>(await run());
    expect(again.skipped).toBe(true);
    expect(await componentsOf(session, versionId)).toHaveLength(3);

    await writeFile(specPath, JSON.stringify({ kind: 'publish', versionId }));
    const bad = await run();
    expect(bad.code).toBe(2);
    expect(parseJson<{ error: { code: string; message: string } }>(bad).error).toMatchObject({
      code: 'E_USAGE',
      message: expect.stringContaining('Invalid job spec'),
    });
  });
});
