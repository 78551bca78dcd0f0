// The browser path in real Chromium: @ftrack/api's browser build uploads
// (single- and multi-part, cross-origin with credentials) to ftrack-local; the
// review page renders a seeded version with its player.
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Session } from '@ftrack/api';
import { build } from 'esbuild';
import { execa } from 'execa';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_LOCATION_ID, startFtrackLocal, type FtrackLocalServer } from './index.js';

const LIB_DIR = fileURLToPath(new URL('..', import.meta.url));
const ARTIFACTS = join(LIB_DIR, 'test-artifacts');

const ENTRY = `
import { Session } from '@ftrack/api';
window.uploadWithFtrackApi = async ({ url, user, key, size, chunkSize }) => {
  window.FTRACK_UPLOAD_CHUNK_SIZE = chunkSize;
  const session = new Session(url, user, key, { autoConnectEventHub: false });
  await session.initializing;
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 1) bytes[i] = (i * 31 + 7) % 251;
  const file = new File([bytes], 'browser-upload.bin');
  const [created, , uploadMetadata] = await session.createComponent(file);
  return { id: created.data.id, multipart: 'urls' in uploadMetadata };
};
`;

/** The bytes ENTRY uploads, for checking the download in Node. */
function expectedBytes(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i += 1) bytes[i] = (i * 31 + 7) % 251;
  return bytes;
}

let server: FtrackLocalServer;
let pageServer: Server;
let pageOrigin: string;
let browser: Browser;
let webRoot: string;

async function bundleBrowserClient(): Promise<string> {
  const result = await build({
    stdin: { contents: ENTRY, resolveDir: LIB_DIR, loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

beforeAll(async () => {
  const script = await bundleBrowserClient();
  const html = '<!doctype html><meta charset="utf-8"><title>upload</title><script type="module" src="./client.js"></script>';
  webRoot = await mkdtemp(join(tmpdir(), 'ftrack-local-web-'));
  await writeFile(join(webRoot, 'index.html'), html);
  await writeFile(join(webRoot, 'client.js'), script);
  // A second origin for the page, so uploads are cross-origin with credentials like in production.
  pageServer = createServer((req, res) => {
    const isScript = req.url === '/client.js';
    res.writeHead(200, { 'Content-Type': isScript ? 'text/javascript' : 'text/html' });
    res.end(isScript ? script : html);
  });
  await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
  pageOrigin = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}`;
  server = await startFtrackLocal({ seed: 'demo', webRoot, corsOrigins: [pageOrigin] });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => pageServer?.close(resolve));
  await server?.close();
});

async function openUploadPage(url: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForFunction(() => typeof (window as unknown as { uploadWithFtrackApi?: unknown }).uploadWithFtrackApi === 'function');
  return page;
}

async function uploadFromBrowser(page: Page, size: number, chunkSize: number): Promise<{ id: string; multipart: boolean }> {
  return page.evaluate(
    (args) => (window as unknown as { uploadWithFtrackApi(a: unknown): Promise<{ id: string; multipart: boolean }> }).uploadWithFtrackApi(args),
    { url: server.url, user: server.user, key: server.apiKey, size, chunkSize },
  );
}

async function expectStoredIntact(id: string, size: number): Promise<void> {
  const session = new Session(server.url, server.user, server.apiKey, { autoConnectEventHub: false });
  await session.initializing;
  const located = await session.query(`select location_id, resource_identifier from ComponentLocation where component_id is ${id}`);
  expect(located.data).toHaveLength(1);
  expect((located.data[0] as Record<string, unknown>)['location_id']).toBe(SERVER_LOCATION_ID);
  const params = new URLSearchParams({ id, username: server.user, apiKey: server.apiKey });
  const downloaded = Buffer.from(await (await fetch(`${server.url}/component/get?${params.toString()}`)).arrayBuffer());
  const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
  expect(md5(downloaded)).toBe(md5(expectedBytes(size)));
}

describe('browser client', () => {
  it('uploads single-part from another origin with createComponent', async () => {
    const page = await openUploadPage(`${pageOrigin}/`);
    const result = await uploadFromBrowser(page, 100_000, 0);
    expect(result.multipart).toBe(false);
    await expectStoredIntact(result.id, 100_000);
    await page.close();
  });

  it('uploads multi-part from another origin (small chunk size forces parts)', async () => {
    const page = await openUploadPage(`${pageOrigin}/`);
    const result = await uploadFromBrowser(page, 700_001, 100_000);
    expect(result.multipart).toBe(true);
    await expectStoredIntact(result.id, 700_001);
    await page.close();
  });

  it('refuses a page from an origin that is not configured (no CORS for it)', async () => {
    // Same page server, another origin: localhost is not 127.0.0.1 to the browser.
    const page = await openUploadPage(pageOrigin.replace('127.0.0.1', 'localhost') + '/');
    // The browser blocks the response: the client sees a network failure, not an answer.
    await expect(uploadFromBrowser(page, 1_000, 0)).rejects.toThrow(/Failed to fetch/);
    await page.close();
  });

  it('serves the web root cross-origin isolated and uploads from it', async () => {
    const page = await openUploadPage(`${server.url}/web/`);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    const result = await uploadFromBrowser(page, 300_000, 100_000);
    await expectStoredIntact(result.id, 300_000);
    await page.close();
  });
});

describe('review page', () => {
  it('renders a seeded version with its player, thumbnail and metadata', async () => {
    const media = await mkdtemp(join(tmpdir(), 'ftrack-local-media-'));
    const mp4 = join(media, 'review.mp4');
    const jpg = join(media, 'thumb.jpg');
    await execa('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25:duration=1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', mp4]);
    await execa('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'smptehdbars=size=320x180', '-frames:v', '1', jpg]);
    const session = new Session(server.url, server.user, server.apiKey, { autoConnectEventHub: false });
    await session.initializing;
    const versionId = server.seed!.versionId;
    const register = async (name: string, path: string, fileType: string, meta: object) => {
      const bytes = await readFile(path);
      const id = randomUUID();
      const [, upload] = (await session.call([
        { action: 'create', entity_type: 'FileComponent', entity_data: { id, name, file_type: fileType, size: bytes.length, version_id: versionId } },
        { action: 'get_upload_metadata', component_id: id, file_name: `${name}${fileType}`, file_size: bytes.length },
      ])) as [unknown, { url: string; headers: Record<string, string> }];
      expect((await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: new Uint8Array(bytes) })).status).toBe(200);
      await session.call([
        { action: 'create', entity_type: 'ComponentLocation', entity_data: { component_id: id, location_id: SERVER_LOCATION_ID, resource_identifier: id } },
        {
          action: 'create',
          entity_type: 'Metadata',
          entity_data: { parent_id: id, parent_type: 'FileComponent', key: 'ftr_meta', value: JSON.stringify(meta) },
        },
      ]);
      return id;
    };
    const mp4Id = await register('ftrackreview-mp4', mp4, '.mp4', { frameIn: 0, frameOut: 25, frameRate: 25, width: 320, height: 180 });
    // The quality gate's figures as publish writes them.
    const quality = { 'ftrack_encode.ssim': '0.9912', 'ftrack_encode.psnr': '44.70', 'ftrack_encode.quality_frames': '0,2,5,7,10,12,14,17,19,22,24' };
    await session.call(
      Object.entries(quality).map(([key, value]) => ({
        action: 'create',
        entity_type: 'Metadata',
        entity_data: { parent_id: mp4Id, parent_type: 'FileComponent', key, value },
      })),
    );
    const thumbId = await register('thumbnail', jpg, '.jpg', { format: 'image' });
    await session.update('AssetVersion', [versionId], { thumbnail_id: thumbId });

    const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => message.type() === 'error' && pageErrors.push(`${message.text()} ${message.location().url}`));
    const fragment = new URLSearchParams({ user: server.user, key: server.apiKey }).toString();
    await page.goto(`${server.url}/review/version/${versionId}#${fragment}`);
    await page.waitForSelector('body[data-rendered="version"]', { timeout: 20_000 });
    expect(page.url()).not.toContain(server.apiKey); // the key leaves the address bar
    expect(await page.textContent('#version-title')).toBe('sh010_comp v001');
    const videoSrc = await page.getAttribute('video#player', 'src');
    expect(videoSrc).toContain('/component/get?');
    expect(videoSrc).not.toContain(server.apiKey);
    // The player really loads the media through the signed URL (Range requests).
    await page.waitForFunction(() => (document.querySelector('video#player') as HTMLVideoElement).readyState >= 1, undefined, { timeout: 20_000 });
    expect(await page.evaluate(() => (document.querySelector('video#player') as HTMLVideoElement).videoWidth)).toBe(320);
    // A usable size: the 320 px movie is shown wide, not at its pixel size.
    expect(await page.evaluate(() => (document.querySelector('video#player') as HTMLVideoElement).clientWidth)).toBeGreaterThanOrEqual(900);
    expect(await page.textContent('#quality tr[data-component="ftrackreview-mp4"] .ssim')).toBe('0.9912');
    expect(await page.textContent('#quality tr[data-component="ftrackreview-mp4"] .psnr')).toBe('44.70');
    expect(await page.textContent('#quality tr[data-component="ftrackreview-mp4"] .frames')).toBe('11');
    expect(await page.locator('#quality tr[data-component="thumbnail"]').count()).toBe(0);

    // Frame stepping at ftr_meta's 25 fps: keys and buttons move exactly one frame and pause.
    const shown = async () =>
      page.evaluate(() => {
        const video = document.querySelector('video#player') as HTMLVideoElement;
        return { frame: video.dataset['frame'], time: video.currentTime, paused: video.paused, label: document.querySelector('#frame-number')!.textContent };
      });
    const waitFrame = (n: number) =>
      page.waitForFunction((f) => (document.querySelector('video#player') as HTMLVideoElement).dataset['frame'] === String(f), n);
    await page.keyboard.press('.');
    await waitFrame(1);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await waitFrame(3);
    expect(await shown()).toEqual({ frame: '3', time: 3.5 / 25, paused: true, label: 'frame 3' });
    await page.click('#frame-prev');
    await waitFrame(2);
    await page.keyboard.press(',');
    await page.keyboard.press(',');
    await page.keyboard.press(',');
    await waitFrame(0); // never before the first frame
    expect((await shown()).time).toBeCloseTo(0.5 / 25, 6);
    await page.evaluate(() => {
      (document.querySelector('video#player') as HTMLVideoElement).currentTime = 22.5 / 25;
    });
    await waitFrame(22);
    for (let i = 0; i < 3; i += 1) await page.click('#frame-next');
    await waitFrame(24); // never past the last frame (25 frames)
    expect((await shown()).time).toBeGreaterThanOrEqual(24 / 25);
    expect((await shown()).label).toBe('frame 24');

    expect(pageErrors).toEqual([]);

    const table = await page.textContent('#components');
    expect(table).toContain('ftrackreview-mp4');
    expect(table).toContain('"frameRate":25');
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'review-version.png'), fullPage: true });

    await page.goto(`${server.url}/review/project/${server.seed!.projectId}`);
    await page.waitForSelector('a.card.version img');
    await page.screenshot({ path: join(ARTIFACTS, 'review-project.png'), fullPage: true });
    await page.close();
  });
});
