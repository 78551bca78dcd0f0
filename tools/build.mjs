#!/usr/bin/env node
// Bundles the Node apps into dist/ with esbuild so `ftrack-encode` starts in ~100 ms
// (no TypeScript transform at run time). npm packages stay external.
import { build } from 'esbuild';
import { cp, mkdir, rm, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const entries = [
  { in: 'apps/cli/src/main.ts', out: 'cli' },
  { in: 'apps/daemon/src/main.ts', out: 'daemon' },
].filter((e) => existsSync(join(root, e.in)));

/** Files loaded at run time by path (worker scripts), copied beside the bundles. */
const assets = [
  { from: 'libs/encoder-wasm/src/node/wasm-worker.mjs', to: 'wasm-worker.mjs' },
  // The upload hash threads of storage-ftrack-server.
  { from: 'libs/storage-ftrack-server/src/hash-worker.mjs', to: 'hash-worker.mjs' },
  // The burn-in font for ffmpeg.wasm on machines without fonts-dejavu-core.
  { from: 'libs/encoder-wasm/src/node/DejaVuSans.ttf', to: 'DejaVuSans.ttf' },
];

export async function buildAll({ quiet = false } = {}) {
  await rm(join(root, 'dist'), { recursive: true, force: true });
  await mkdir(join(root, 'dist'), { recursive: true });
  await build({
    absWorkingDir: root,
    entryPoints: entries.map((e) => ({ in: e.in, out: e.out })),
    outdir: 'dist',
    outExtension: { '.js': '.mjs' },
    bundle: true,
    // Commands import adapters lazily; splitting turns those imports into chunks loaded on use.
    // Chunks sit beside the entries so import.meta.url-relative assets (the worker scripts) resolve.
    splitting: true,
    chunkNames: 'chunk-[hash]',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    tsconfig: 'tsconfig.base.json',
    sourcemap: 'linked',
    logLevel: quiet ? 'error' : 'warning',
  });
  for (const asset of assets) {
    const from = join(root, asset.from);
    if (existsSync(from)) await cp(from, join(root, 'dist', asset.to));
  }
}

/** Newest mtime of any source the bundles are made of. */
export async function newestSourceMtime() {
  const { readdir } = await import('node:fs/promises');
  let newest = 0;
  async function walk(dir) {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (/\.(ts|mjs|json)$/.test(entry.name) && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, (await stat(path)).mtimeMs);
    }
  }
  for (const top of ['libs', 'apps/cli/src', 'apps/daemon/src']) if (existsSync(join(root, top))) await walk(join(root, top));
  return newest;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildAll();
}
