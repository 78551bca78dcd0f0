import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built web app (`npm run build` makes apps/web/dist), served by ftrack-local at /web/. */
export function webAppRoot(): string | undefined {
  // The CLI runs as dist/cli.mjs at the repo root.
  const root = fileURLToPath(new URL('../apps/web/dist/', import.meta.url));
  return existsSync(`${root}index.html`) ? root : undefined;
}
