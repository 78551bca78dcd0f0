// Benchmarks in real Chromium (the system's /usr/bin/chromium, never downloaded): a page script
// bundled with esbuild (WasmBrowserEncoder and @ffmpeg/ffmpeg included), our own @ffmpeg cores and
// the clip served from loopback with COOP/COEP (so the multi-thread core can run), one fresh browser
// context per run. Used by wasm.bench.mjs and segments.bench.mjs.
import { createReadStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { build } from 'esbuild';
import CHROMIUM_ARGS from '../chromium-args.json' with { type: 'json' };
import { root } from './bench-support.mjs';

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.mp4': 'video/mp4' };

/** Where the page finds the cores and @ffmpeg/ffmpeg's worker (the page script builds its assets from these). */
export const PAGE_ASSETS = {
  coreURL: '/core/ffmpeg-core.js',
  wasmURL: '/core/ffmpeg-core.wasm',
  mt: { coreURL: '/core-mt/ffmpeg-core.js', wasmURL: '/core-mt/ffmpeg-core.wasm', workerURL: '/core-mt/ffmpeg-core.worker.js' },
  classWorkerURL: '/ffmpeg/worker.js',
};

/**
 * `promise`, or a rejection after `ms`. The timer is cleared either way: a pending 240 s timer
 * kept the finished bench alive (it wrote its results, then did not exit).
 */
export async function withTimeout(promise, ms, detail) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s ${detail()}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Serve `pageEntry` (TypeScript that sets `globalThis[fn]`) and `clip` (at /clip.mp4), start Chromium,
 * and hand `body` a `run(args)` that calls `fn(args)` in a fresh tab and returns its result.
 */
export async function withChromiumPage({ pageEntry, sourcefile, fn, clip, work, timeoutMs = 240_000 }, body) {
  const { chromium } = await import('playwright-core');
  const appJs = join(work, 'web', 'app.js');
  await build({
    absWorkingDir: root,
    stdin: { contents: pageEntry, resolveDir: join(root, 'tools', 'bench'), sourcefile, loader: 'ts' },
    outfile: appJs,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    tsconfig: join(root, 'tsconfig.base.json'),
    logLevel: 'error',
  });
  const modules = join(root, 'node_modules', '@ffmpeg');
  const routes = {
    '/app.js': appJs,
    '/clip.mp4': clip,
    '/ffmpeg/': join(modules, 'ffmpeg', 'dist', 'esm'),
    '/core/': join(modules, 'core', 'dist', 'esm'),
    '/core-mt/': join(modules, 'core-mt', 'dist', 'esm'),
  };
  const page = '<!doctype html><meta charset="utf-8"><title>bench</title><script type="module" src="/app.js"></script>';
  const server = createServer(async (req, res) => {
    // Cross-origin isolation: SharedArrayBuffer (the multi-thread core) needs both headers.
    const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cache-Control': 'no-store' };
    const path = new URL(req.url, 'http://local').pathname;
    if (path === '/') {
      res.writeHead(200, { ...headers, 'Content-Type': 'text/html' });
      return res.end(page);
    }
    let file = routes[path];
    if (!file) {
      const prefix = Object.keys(routes).find((p) => p.endsWith('/') && path.startsWith(p));
      const rest = prefix && normalize(path.slice(prefix.length));
      if (rest && !rest.startsWith('..')) file = join(routes[prefix], rest);
    }
    if (!file || !existsSync(file)) {
      res.writeHead(404, headers);
      return res.end();
    }
    const { size } = await stat(file);
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': size });
    createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/`;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  const run = async (args) => {
    const context = await browser.newContext();
    try {
      const tab = await context.newPage();
      const errors = [];
      tab.on('pageerror', (e) => errors.push(String(e)));
      await tab.goto(url);
      await tab.waitForFunction((name) => typeof globalThis[name] === 'function', fn, { timeout: 30_000 });
      return await withTimeout(
        tab.evaluate(([name, a]) => globalThis[name](a), [fn, args]),
        timeoutMs,
        () => errors.join('; '),
      );
    } finally {
      await context.close();
    }
  };
  try {
    return await body({ run, version: browser.version() });
  } finally {
    await browser.close();
    await new Promise((resolve) => server.close(resolve));
  }
}
