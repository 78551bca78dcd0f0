import { build } from 'esbuild';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Bundle tools/bench/bench-lib.ts (workspace libs through tsconfig paths) and import it. */
export async function loadBenchLib() {
  const outfile = join(root, 'bench', 'tmp', 'bench-lib.mjs');
  await mkdir(dirname(outfile), { recursive: true });
  await build({
    absWorkingDir: root,
    entryPoints: ['tools/bench/bench-lib.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    tsconfig: 'tsconfig.base.json',
    logLevel: 'error',
  });
  return import(pathToFileURL(outfile).href);
}
