// Build step: copy the ffmpeg.wasm cores from node_modules into public/ffmpeg/{st,mt}/ so
// the page loads them as plain static files from its own origin (never a CDN). Served as
// static assets they work in `vite dev` too, where an imported mt worker breaks.
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'vite';

const CORES = [
  { pkg: '@ffmpeg/core', dir: 'st', files: ['ffmpeg-core.js', 'ffmpeg-core.wasm'] },
  { pkg: '@ffmpeg/core-mt', dir: 'mt', files: ['ffmpeg-core.js', 'ffmpeg-core.wasm', 'ffmpeg-core.worker.js'] },
];

function upToDate(from: string, to: string): boolean {
  try {
    const a = statSync(from);
    const b = statSync(to);
    return a.size === b.size && b.mtimeMs >= a.mtimeMs;
  } catch {
    return false;
  }
}

/** Copies what is missing or stale; returns the files written. */
export function copyFfmpegCores(publicDir: string, resolveFrom: string): string[] {
  const require = createRequire(resolveFrom);
  const written: string[] = [];
  for (const core of CORES) {
    // The package's "exports" hide package.json; the esm entry sits beside the other files.
    const esmDir = dirname(require.resolve(core.pkg).replace(/[\\/]umd[\\/]/, '/esm/'));
    const target = join(publicDir, 'ffmpeg', core.dir);
    mkdirSync(target, { recursive: true });
    for (const file of core.files) {
      const from = join(esmDir, file);
      const to = join(target, file);
      if (upToDate(from, to)) continue;
      copyFileSync(from, to);
      written.push(to);
    }
  }
  return written;
}

export function ffmpegCoreAssets(publicDir: string): Plugin {
  return {
    name: 'ftrack-encode:ffmpeg-core-assets',
    // `config` runs before Vite copies publicDir (build) or starts serving it (dev).
    config() {
      copyFfmpegCores(publicDir, join(publicDir, '..', 'package.json'));
    },
  };
}
