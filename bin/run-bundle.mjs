import { existsSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function runBundle(name) {
  const bundle = join(root, 'dist', `${name}.mjs`);
  const sourcesPresent = existsSync(join(root, 'tools', 'build.mjs'));
  if (sourcesPresent && process.env.FTRACK_ENCODE_NO_BUILD !== '1') {
    const { buildAll, newestSourceMtime } = await import(pathToFileURL(join(root, 'tools', 'build.mjs')).href);
    const builtAt = existsSync(bundle) ? statSync(bundle).mtimeMs : 0;
    if (builtAt < (await newestSourceMtime())) await buildAll({ quiet: true });
  }
  await import(pathToFileURL(bundle).href);
}
