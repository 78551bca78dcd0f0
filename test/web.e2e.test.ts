// The web app in real Chromium against ftrack-local: ffmpeg.wasm encodes in the page, the
// page publishes with @ftrack/api's createComponent + the shared registration batch, and
// Node checks the result through the plain @ftrack/api client and native ffprobe.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from '@ftrack/api';
import { startFtrackLocal, SERVER_LOCATION_ID, type FtrackLocalServer } from '@ftrack-encode/ftrack-local';
import { ensureFixture, type FileFixture, type SequenceFixture } from '@ftrack-encode/testing';
import { execa } from 'execa';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuild, launchChromium, REPO_ROOT, serveWithoutIsolation, type StaticServer, type TestBrowser } from './support/browser.js';

const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');
const ENCODE_TIMEOUT = 180_000;

type Row = Record<string, unknown>;

let server: FtrackLocalServer;
let browser: TestBrowser;
let plainServer: StaticServer;
let session: Session;
let scratch: string;
/** 2 s, 320x180, 24 fps, with a sine track. */
let clip: string;

async function movie(width: number, height: number, frames: number, audio: boolean): Promise<string> {
  return ((await ensureFixture({ kind: 'movie', width, height, rate: '24', frames, audio })) as FileFixture).path;
}

beforeAll(async () => {
  const webRoot = await ensureWebBuild();
  scratch = await mkdtemp(join(tmpdir(), 'ftrack-encode-web-'));
  plainServer = await serveWithoutIsolation(webRoot);
  // The page on the second origin calls the API cross-origin: allow it like `--cors-origin` would.
  server = await startFtrackLocal({ port: 0, dataDir: join(scratch, 'ftrack'), seed: 'demo', webRoot, corsOrigins: [plainServer.origin] });
  browser = await launchChromium();
  session = new Session(server.url, server.user, server.apiKey, { autoConnectEventHub: false });
  await session.initializing;
  clip = await movie(320, 180, 48, true);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await plainServer?.close();
  await server?.close();
});

/** Page errors and console errors, printed when a test fails to explain what the page saw. */
function watch(page: Page): string[] {
  const seen: string[] = [];
  page.on('pageerror', (error) => seen.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') seen.push(`console: ${message.text()}`);
  });
  return seen;
}

async function openSignedIn(url: string): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto(url);
  await page.waitForSelector('body[data-state="ready"]');
  await page.waitForFunction(() => (document.querySelector('#version-select') as HTMLSelectElement | null)?.options.length);
  return page;
}

async function componentIds(): Promise<string[]> {
  const result = await session.query('select id from Component');
  return (result.data as Row[]).map((r) => String(r['id']));
}

async function versionComponents(versionId: string): Promise<Row[]> {
  const result = await session.query(
    `select id, name, file_type, size, metadata.key, metadata.value, component_locations.location_id from FileComponent where version_id is "${versionId}"`,
  );
  return result.data as Row[];
}

function metadataOf(component: Row): Record<string, string> {
  return Object.fromEntries(((component['metadata'] ?? []) as Row[]).map((m) => [String(m['key']), String(m['value'])]));
}

async function download(componentId: string, to: string): Promise<Buffer> {
  const params = new URLSearchParams({ id: componentId, username: server.user, apiKey: server.apiKey });
  const response = await fetch(`${server.url}/component/get?${params.toString()}`);
  expect(response.status).toBe(200);
  const bytes = Buffer.from(await response.arrayBuffer());
  await writeFile(to, bytes);
  return bytes;
}

async function ffprobe(path: string): Promise<{ codec_name: string; width: number; height: number; nb_read_packets: string; pix_fmt: string }> {
  const { stdout } = await execa('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-count_packets', '-show_streams', '-of', 'json', path]);
  return (JSON.parse(stdout) as { streams: [{ codec_name: string; width: number; height: number; nb_read_packets: string; pix_fmt: string }] }).streams[0];
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

async function waitForState(page: Page, state: string, seen: string[], timeout = ENCODE_TIMEOUT): Promise<void> {
  try {
    await page.waitForSelector(`body[data-state="${state}"]`, { timeout });
  } catch (error) {
    const shown = await page.textContent('#main').catch(() => '');
    throw new Error(`page never reached "${state}": ${(error as Error).message}\npage: ${shown}\n${seen.join('\n')}`);
  }
}

describe('web app (ffmpeg.wasm in the page)', () => {
  it('signs in, encodes a clip multi-threaded, publishes review media with ftr_meta and a thumbnail', async () => {
    const page = await browser.context.newPage();
    const seen = watch(page);
    await page.goto(`${server.url}/web/`);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await page.fill('#server-url', server.url);
    await page.fill('#api-user', server.user);
    await page.fill('#api-key', 'not-the-key');
    await page.click('#sign-in');
    await page.waitForSelector('#error:not([hidden])');
    expect(await page.textContent('#error .error-title')).toBe('ftrack did not accept this user and API key.');
    expect(await page.getAttribute('body', 'data-state')).toBe('signed-out');
    await page.fill('#api-key', server.apiKey);
    await page.click('#sign-in');
    await waitForState(page, 'ready', seen, 30_000);
    const versionId = server.seed!.versionId;
    await page.waitForFunction((id) => [...(document.querySelector('#version-select') as HTMLSelectElement).options].some((o) => o.value === id), versionId);
    await page.selectOption('#version-select', versionId);
    expect(await page.textContent('#media-help')).toContain('2 threads');

    await page.setInputFiles('#media-file', clip);
    await waitForState(page, 'encoded', seen);
    expect(await page.evaluate(() => (document.querySelector('#preview-video') as HTMLVideoElement).src)).toMatch(/^blob:/);
    await page.waitForFunction(() => (document.querySelector('#preview-video') as HTMLVideoElement).readyState >= 1);
    expect(await page.evaluate(() => (document.querySelector('#preview-video') as HTMLVideoElement).videoWidth)).toBe(320);
    expect(await page.textContent('#outputs')).toContain('48 frames');
    // Focus moved to the result, so keyboard and screen-reader users land on it.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('preview-title');

    await page.click('#publish');
    await waitForState(page, 'published', seen, 60_000);
    expect(await page.textContent('#published')).toContain('sh010_comp v001');
    // Publishing the same encode to the same version again would duplicate the components.
    expect(await page.isDisabled('#publish')).toBe(true);
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'web-published.png'), fullPage: true });

    const components = await versionComponents(versionId);
    expect(components.map((c) => c['name']).sort()).toEqual(['ftrackreview-mp4', 'thumbnail']);
    const mp4 = components.find((c) => c['name'] === 'ftrackreview-mp4')!;
    const thumbnail = components.find((c) => c['name'] === 'thumbnail')!;
    expect(mp4['file_type']).toBe('.mp4');
    expect(thumbnail['file_type']).toBe('.jpg');
    for (const component of components) {
      expect(((component['component_locations'] ?? []) as Row[]).map((l) => l['location_id'])).toEqual([SERVER_LOCATION_ID]);
    }
    const meta = metadataOf(mp4);
    expect(JSON.parse(meta['ftr_meta']!)).toEqual({ frameIn: 0, frameOut: 48, frameRate: 24, width: 320, height: 180 });
    expect(metadataOf(thumbnail)['ftr_meta']).toBeUndefined();
    expect(meta['ftrack_encode.encoder']).toBe('wasm');
    expect(meta['ftrack_encode.encoder_version']).toContain('core-mt');
    expect(meta['ftrack_encode.profile']).toBe('web-review');
    expect(meta['ftrack_encode.source_checksum']).toBe(`sha256:${sha256(await readFile(clip))}`);

    const [version] = (await session.query(`select thumbnail_id from AssetVersion where id is "${versionId}"`)).data as Row[];
    expect(version!['thumbnail_id']).toBe(thumbnail['id']);

    const mp4Path = join(scratch, 'published.mp4');
    const bytes = await download(String(mp4['id']), mp4Path);
    expect(meta['ftrack_encode.checksum']).toBe(`sha256:${sha256(bytes)}`);
    expect(Number(mp4['size'])).toBe(bytes.length);
    const stream = await ffprobe(mp4Path);
    expect(stream).toMatchObject({ codec_name: 'h264', width: 320, height: 180, pix_fmt: 'yuv420p', nb_read_packets: '48' });
    const thumbPath = join(scratch, 'thumbnail.jpg');
    await download(String(thumbnail['id']), thumbPath);
    expect(await ffprobe(thumbPath)).toMatchObject({ codec_name: 'mjpeg', width: 320, height: 180 });
    expect(seen.filter((line) => line.startsWith('pageerror'))).toEqual([]);
    await page.close();
  }, 300_000);

  it('cancels mid-encode: the page returns to ready and nothing reaches ftrack', async () => {
    const long = await movie(640, 360, 720, false);
    const page = await openSignedIn(`${server.url}/web/#user=${encodeURIComponent(server.user)}&key=${encodeURIComponent(server.apiKey)}`);
    const seen = watch(page);
    expect(page.url()).not.toContain(server.apiKey); // the key leaves the address bar at once
    const before = await componentIds();
    await page.setInputFiles('#media-file', long);
    await page.waitForFunction(() => Number((document.querySelector('#encode-progress') as HTMLProgressElement).value) > 0, undefined, {
      timeout: ENCODE_TIMEOUT,
    });
    await page.click('#cancel-encode');
    await waitForState(page, 'ready', seen, 30_000);
    expect(await page.textContent('#status')).toContain('cancelled');
    expect(await page.isHidden('#progress-box')).toBe(true);
    expect(await page.isHidden('#error')).toBe(true);
    expect(await page.isHidden('#preview')).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('media-file');
    expect(await componentIds()).toEqual(before);

    // The page is usable again: a fresh core encodes the short clip.
    await page.setInputFiles('#media-file', clip);
    await waitForState(page, 'encoded', seen);
    expect(await componentIds()).toEqual(before);
    await page.close();
  }, 300_000);

  it('explains a file that is not media, and writes nothing to ftrack', async () => {
    const notes = join(scratch, 'notes.txt');
    await writeFile(notes, 'Shot notes: make the sky bluer.\n'.repeat(50));
    const page = await openSignedIn(`${server.url}/web/#user=${encodeURIComponent(server.user)}&key=${encodeURIComponent(server.apiKey)}`);
    const seen = watch(page);
    const before = await componentIds();
    const versionsBefore = (await session.query('select id from AssetVersion')).data.length;
    await page.setInputFiles('#media-file', notes);
    await page.waitForSelector('#error:not([hidden])', { timeout: 60_000 }).catch((error: Error) => {
      throw new Error(`${error.message}\n${seen.join('\n')}`);
    });
    expect(await page.textContent('#error .error-title')).toBe('This file is not a video or image ffmpeg can read.');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('error');
    expect(await page.getAttribute('body', 'data-state')).toBe('ready');
    expect(await page.isHidden('#preview')).toBe(true);
    expect(await page.textContent('#main')).not.toContain(server.apiKey);
    expect(await componentIds()).toEqual(before);
    expect((await session.query('select id from AssetVersion')).data.length).toBe(versionsBefore);
    await page.close();
  }, 300_000);

  it('encodes single-threaded in a page without cross-origin isolation and publishes to a new version', async () => {
    const short = await movie(320, 180, 24, false);
    const fragment = new URLSearchParams({ server: server.url, user: server.user, key: server.apiKey }).toString();
    // Another origin without COOP/COEP: no SharedArrayBuffer, API calls go cross-origin with CORS.
    const page = await openSignedIn(`${plainServer.origin}/web/#${fragment}`);
    const seen = watch(page);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
    expect(await page.textContent('#media-help')).toContain('1 thread');
    await page.check('#mode-new');
    await page.selectOption('#asset-select', server.seed!.assetId);
    await page.setInputFiles('#media-file', short);
    await waitForState(page, 'encoded', seen);
    expect(await page.textContent('#publish-target')).toContain('a new version of sh010_comp');
    await page.click('#publish');
    await waitForState(page, 'published', seen, 60_000);
    const published = (await page.textContent('#published')) ?? '';
    const label = /sh010_comp v(\d+)/.exec(published);
    expect(label).not.toBeNull();
    const [version] = (
      await session.query(`select id, thumbnail_id from AssetVersion where asset_id is "${server.seed!.assetId}" and version is ${Number(label![1])}`)
    ).data as Row[];
    expect(version).toBeDefined();
    const components = await versionComponents(String(version!['id']));
    expect(components.map((c) => c['name']).sort()).toEqual(['ftrackreview-mp4', 'thumbnail']);
    const mp4 = components.find((c) => c['name'] === 'ftrackreview-mp4')!;
    expect(JSON.parse(metadataOf(mp4)['ftr_meta']!)).toMatchObject({ frameIn: 0, frameOut: 24, frameRate: 24 });
    expect(metadataOf(mp4)['ftrack_encode.encoder_version']).not.toContain('core-mt');
    expect(version!['thumbnail_id']).toBe(components.find((c) => c['name'] === 'thumbnail')!['id']);
    const mp4Path = join(scratch, 'single-thread.mp4');
    await download(String(mp4['id']), mp4Path);
    expect((await ffprobe(mp4Path)).nb_read_packets).toBe('24');
    await page.close();
  }, 300_000);

  it('encodes in 2 segments when asked (a web worker each, joined) and publishes an mp4 with every frame and the audio', async () => {
    const page = await openSignedIn(`${server.url}/web/#user=${encodeURIComponent(server.user)}&key=${encodeURIComponent(server.apiKey)}`);
    const seen = watch(page);
    expect(await page.inputValue('#segments')).toBe('auto');
    await page.selectOption('#segments', '2');
    // Every progress text the page shows, however briefly.
    await page.evaluate(() => {
      const label = document.querySelector('#progress-label')!;
      const texts: string[] = ((window as unknown as { progressTexts: string[] }).progressTexts = []);
      new MutationObserver(() => texts.push(label.textContent ?? '')).observe(label, { childList: true, characterData: true, subtree: true });
    });
    await page.check('#mode-new');
    await page.selectOption('#asset-select', server.seed!.assetId);
    await page.setInputFiles('#media-file', clip);
    await waitForState(page, 'encoded', seen);
    const texts = await page.evaluate(() => (window as unknown as { progressTexts: string[] }).progressTexts);
    expect(texts.some((t) => t.includes('(2 segments)'))).toBe(true);
    expect(texts.some((t) => t.includes('joining 2 segments'))).toBe(true);
    expect(await page.textContent('#outputs')).toContain('48 frames');
    await page.click('#publish');
    await waitForState(page, 'published', seen, 60_000);
    const label = /sh010_comp v(\d+)/.exec((await page.textContent('#published')) ?? '');
    expect(label).not.toBeNull();
    const [version] = (await session.query(`select id from AssetVersion where asset_id is "${server.seed!.assetId}" and version is ${Number(label![1])}`))
      .data as Row[];
    const mp4 = (await versionComponents(String(version!['id']))).find((c) => c['name'] === 'ftrackreview-mp4')!;
    const mp4Path = join(scratch, 'segments.mp4');
    await download(String(mp4['id']), mp4Path);
    expect((await ffprobe(mp4Path)).nb_read_packets).toBe('48');
    const { stdout } = await execa('ffprobe', [
      '-v',
      'error',
      '-select_streams',
      'a:0',
      '-show_entries',
      'stream=codec_name,channels',
      '-of',
      'csv=p=0',
      mp4Path,
    ]);
    expect(stdout.trim()).toBe('aac,2');
    expect(seen.filter((line) => line.startsWith('pageerror'))).toEqual([]);
    await page.close();
  }, 300_000);

  it('publishes a still image as ftrackreview-image with a thumbnail', async () => {
    const still = ((await ensureFixture({ kind: 'still', format: 'png', width: 320, height: 180 })) as FileFixture).path;
    const page = await openSignedIn(`${server.url}/web/#user=${encodeURIComponent(server.user)}&key=${encodeURIComponent(server.apiKey)}`);
    const seen = watch(page);
    await page.check('#mode-new');
    await page.setInputFiles('#media-file', still);
    await waitForState(page, 'encoded', seen);
    expect(await page.getAttribute('#preview img.ftrackreview-image', 'alt')).toContain('Review image of');
    await page.click('#publish');
    await waitForState(page, 'published', seen, 60_000);
    const number = Number(/sh010_comp v(\d+)/.exec((await page.textContent('#published')) ?? '')?.[1]);
    const [version] = (await session.query(`select id, thumbnail_id from AssetVersion where asset_id is "${server.seed!.assetId}" and version is ${number}`))
      .data as Row[];
    const components = await versionComponents(String(version!['id']));
    expect(components.map((c) => c['name']).sort()).toEqual(['ftrackreview-image', 'thumbnail']);
    const image = components.find((c) => c['name'] === 'ftrackreview-image')!;
    expect(JSON.parse(metadataOf(image)['ftr_meta']!)).toEqual({ format: 'image', width: 320, height: 180 });
    expect(version!['thumbnail_id']).toBe(components.find((c) => c['name'] === 'thumbnail')!['id']);
    await page.close();
  }, 300_000);

  it('publishes several picked PNG frames as one image sequence: an mp4 with every frame', async () => {
    const sequence = (await ensureFixture({ kind: 'sequence', format: 'png', width: 160, height: 90, frames: 12 })) as SequenceFixture;
    const frames = (await readdir(sequence.dir))
      .filter((name) => name.endsWith('.png'))
      .sort()
      .map((name) => join(sequence.dir, name));
    expect(frames).toHaveLength(12);
    const page = await openSignedIn(`${server.url}/web/#user=${encodeURIComponent(server.user)}&key=${encodeURIComponent(server.apiKey)}`);
    const seen = watch(page);
    await page.check('#mode-new');
    await page.setInputFiles('#media-file', frames);
    await waitForState(page, 'encoded', seen);
    expect(await page.textContent('#outputs')).toContain('12 frames');
    await page.click('#publish');
    await waitForState(page, 'published', seen, 60_000);
    const number = Number(/sh010_comp v(\d+)/.exec((await page.textContent('#published')) ?? '')?.[1]);
    const [version] = (await session.query(`select id from AssetVersion where asset_id is "${server.seed!.assetId}" and version is ${number}`)).data as Row[];
    const components = await versionComponents(String(version!['id']));
    expect(components.map((c) => c['name']).sort()).toEqual(['ftrackreview-mp4', 'thumbnail']);
    const mp4 = components.find((c) => c['name'] === 'ftrackreview-mp4')!;
    // A sequence is a clip at the sequence rate (24 fps), every picked frame in it.
    expect(JSON.parse(metadataOf(mp4)['ftr_meta']!)).toMatchObject({ frameIn: 0, frameOut: 12, frameRate: 24 });
    const mp4Path = join(scratch, 'sequence.mp4');
    await download(String(mp4['id']), mp4Path);
    expect(await ffprobe(mp4Path)).toMatchObject({ codec_name: 'h264', nb_read_packets: '12' });
    expect(seen.filter((line) => line.startsWith('pageerror'))).toEqual([]);
    await page.close();
  }, 300_000);

  it('removes what it uploaded when the registration batch fails, and says so', async () => {
    const short = await movie(320, 180, 24, false);
    const page = await openSignedIn(`${server.url}/web/#user=${encodeURIComponent(server.user)}&key=${encodeURIComponent(server.apiKey)}`);
    const seen = watch(page);
    await page.selectOption('#version-select', server.seed!.versionId);
    await page.setInputFiles('#media-file', short);
    await waitForState(page, 'encoded', seen);
    const before = await componentIds();
    // The registration batch is the one call that creates Metadata.
    server.faults.set({ failApiCall: { entityType: 'Metadata', status: 500 } });
    try {
      await page.click('#publish');
      await page.waitForSelector('#error:not([hidden])', { timeout: 60_000 });
    } finally {
      server.faults.clear();
    }
    expect(await page.textContent('#error .error-title')).toBe('Publishing to ftrack failed.');
    expect(await page.getAttribute('body', 'data-state')).toBe('encoded');
    expect(await page.isEnabled('#publish')).toBe(true); // the reviewer can simply try again
    await expect.poll(componentIds).toEqual(before);
    // Trying again publishes (same deterministic ids, nothing left over from the failed try).
    await page.click('#publish');
    await waitForState(page, 'published', seen, 60_000);
    const added = (await componentIds()).filter((id) => !before.includes(id));
    expect(added.length).toBeGreaterThan(0);
    await page.close();
  }, 300_000);
});
