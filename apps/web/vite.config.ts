// Vite build of the web app: `npx vite build` (from apps/web) -> apps/web/dist, served by
// ftrack-local at /web/. The ffmpeg.wasm traps are in docs/web.md.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { ffmpegCoreAssets } from './build/ffmpeg-core-assets.js';

const appDir = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));
const tsconfig = JSON.parse(readFileSync(`${root}tsconfig.base.json`, 'utf8')) as { compilerOptions: { paths: Record<string, string[]> } };

/** The workspace libs by their tsconfig path aliases, longest first (`ftrack-protocol` before `ftrack`). */
const aliases = Object.entries(tsconfig.compilerOptions.paths)
  .sort(([a], [b]) => b.length - a.length)
  .map(([find, [target]]) => ({ find: new RegExp(`^${find.replace(/[/]/g, '\\/')}$`), replacement: `${root}${target}` }));

/** As ftrack-local serves /web/: cross-origin isolated, so `vite dev` and `vite preview` run the multi-thread core too. */
const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  root: appDir,
  base: '/web/',
  publicDir: `${appDir}public`,
  plugins: [ffmpegCoreAssets(`${appDir}public`)],
  resolve: { alias: aliases },
  // Pre-bundling rewrites @ffmpeg/ffmpeg's `new Worker(new URL('./worker.js', import.meta.url))`.
  optimizeDeps: { exclude: ['@ffmpeg/ffmpeg', '@ffmpeg/util'] },
  worker: { format: 'es' },
  server: { headers: isolation },
  preview: { headers: isolation },
  build: {
    outDir: `${appDir}dist`,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // Never inline an ffmpeg core: the mt worker as a data: URL makes every thread fail.
    assetsInlineLimit: (file) => (/ffmpeg-core|worker/.test(file) ? false : undefined),
  },
});
