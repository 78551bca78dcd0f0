#!/usr/bin/env node
// Bundles the Node apps into dist/ with esbuild so `ftrack-encode` starts in ~100 ms
// (no TypeScript transform at run time). The small pure-JS packages every command loads are
// bundled in too (BUNDLED); other npm packages stay external.
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
  // The write thread of ftrack-local's storage (`ftrack-encode server`).
  { from: 'libs/ftrack-local/src/storage/write-worker.mjs', to: 'write-worker.mjs' },
  // The burn-in font for ffmpeg.wasm on machines without fonts-dejavu-core.
  { from: 'libs/encoder-wasm/src/node/DejaVuSans.ttf', to: 'DejaVuSans.ttf' },
];

/**
 * Pure-JS packages bundled into dist/: loaded from node_modules they are ~350 module files (zod
 * ~100, execa with its dependencies ~160, tsyringe ~35), and Node's ESM loader resolves, reads and
 * compiles each one, which cost `encode` ~0.15 s of CPU before its first ffprobe. Native modules
 * (better-sqlite3) and the large packages only some commands load (@ftrack/api, BullMQ) stay external.
 */
const BUNDLED = new Set(['commander', 'execa', 'reflect-metadata', 'tsyringe', 'zod']);

/** Bare imports stay external unless their package is in BUNDLED (or is one of their dependencies). */
const externalPackages = {
  name: 'external-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('@ftrack-encode/')) return undefined; // workspace libs: tsconfig paths
      const name = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0];
      const fromBundled = /[\\/]node_modules[\\/]/.test(args.importer);
      return BUNDLED.has(name) || fromBundled ? undefined : { path: args.path, external: true };
    });
  },
};

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
    plugins: [externalPackages],
    // The bundled CommonJS packages (commander, tsyringe) require Node built-ins: give ESM a require.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
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
