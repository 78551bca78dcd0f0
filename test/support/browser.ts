// Real Chromium for end-to-end tests (the system's /usr/bin/chromium; never downloaded),
// the web app's Vite build, and a plain static server for pages that must NOT be
// cross-origin isolated.
import { existsSync, statSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { chromium, type BrowserContext } from 'playwright-core';
import chromiumArgs from '../../tools/chromium-args.json' with { type: 'json' };

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const WEB_APP_DIR = join(REPO_ROOT, 'apps/web');
export const WEB_DIST = join(WEB_APP_DIR, 'dist');

export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Chromium with a fresh user-data dir, removed on close. */
export async function launchChromium(): Promise<TestBrowser> {
  if (!existsSync('/usr/bin/chromium')) throw new Error('/usr/bin/chromium is missing: run tools/ensure-system-deps.sh');
  const userDataDir = await mkdtemp(join(tmpdir(), 'ftrack-encode-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    // One list for the tests and the benchmarks.
    args: chromiumArgs,
    headless: true,
    viewport: { width: 1100, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Newest mtime of the files the web build is made of (the app and the libs it bundles). */
function newestInput(): number {
  let newest = 0;
  const walk = (path: string): void => {
    if (!existsSync(path)) return;
    const info = statSync(path);
    if (info.isDirectory()) {
      for (const entry of readdirSync(path)) if (entry !== 'node_modules' && entry !== 'dist' && entry !== 'public') walk(join(path, entry));
    } else if (!path.endsWith('.test.ts')) newest = Math.max(newest, info.mtimeMs);
  };
  for (const top of [
    'apps/web/src',
    'apps/web/build',
    'apps/web/index.html',
    'apps/web/vite.config.ts',
    'libs/core/src',
    'libs/ffmpeg/src',
    'libs/encoder-wasm/src',
    'libs/ftrack/src/registration',
  ]) {
    walk(join(REPO_ROOT, top));
  }
  return newest;
}

/** Build apps/web with Vite when dist is missing or older than its sources. */
export async function ensureWebBuild(): Promise<string> {
  const built = join(WEB_DIST, 'index.html');
  const stale = !existsSync(built) || !existsSync(join(WEB_DIST, 'ffmpeg/mt/ffmpeg-core.worker.js')) || statSync(built).mtimeMs < newestInput();
  if (stale) await execa(join(REPO_ROOT, 'node_modules/.bin/vite'), ['build', '--logLevel', 'warn'], { cwd: WEB_APP_DIR });
  return WEB_DIST;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
};

export interface StaticServer {
  origin: string;
  close(): Promise<void>;
}

/** Listen on a free loopback port; close() also drops kept-alive browser connections. */
export async function listenOnLoopback(server: Server): Promise<StaticServer> {
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

/**
 * Serves `dir` under `prefix` WITHOUT COOP/COEP: a page from here is not cross-origin
 * isolated (no SharedArrayBuffer), like a site that cannot set those headers.
 */
export async function serveWithoutIsolation(dir: string, prefix = '/web/'): Promise<StaticServer> {
  const base = resolve(dir);
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (!path.startsWith(prefix)) return void res.writeHead(404).end();
    let file = resolve(base, `.${sep}${path.slice(prefix.length)}`);
    if (file !== base && !file.startsWith(base + sep)) return void res.writeHead(404).end();
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    readFile(file).then(
      (body) => res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  return listenOnLoopback(server);
}
