import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  tsconfig: 'tsconfig.base.json',
  logLevel: 'error',
  // esbuild may hoist the external tsyringe import above the library's own polyfill import:
  // load reflect-metadata first, whatever the bundle's order.
  banner: { js: "import 'reflect-metadata';" },
};

/**
 * Bundle tools/bench/bench-lib.ts (workspace libs through tsconfig paths) and import it; the
 * write thread of ftrack-local's storage is copied beside it (as tools/build.mjs does for dist/).
 */
export async function loadBenchLib() {
  const outfile = join(root, 'bench', 'tmp', 'bench-lib.mjs');
  await mkdir(dirname(outfile), { recursive: true });
  await build({ ...common, entryPoints: ['tools/bench/bench-lib.ts'], outfile });
  await copyFile(join(root, 'libs', 'ftrack-local', 'src', 'storage', 'write-worker.mjs'), join(dirname(outfile), 'write-worker.mjs'));
  return import(pathToFileURL(outfile).href);
}

/**
 * Bundle a few lines of TypeScript (e.g. one re-export) to bench/tmp/<name>.mjs and return its
 * path: for child processes that must load only what they measure.
 */
export async function buildBenchEntry(name, contents) {
  const outfile = join(root, 'bench', 'tmp', `${name}.mjs`);
  await mkdir(dirname(outfile), { recursive: true });
  await build({ ...common, stdin: { contents, resolveDir: join(root, 'tools', 'bench'), sourcefile: `${name}.ts`, loader: 'ts' }, outfile });
  return outfile;
}
