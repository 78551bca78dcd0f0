// The ffmpeg.wasm cores are static files of this app (public/ffmpeg/, copied at build
// time by build/ffmpeg-core-assets.ts): always our own origin, never a CDN. Absolute URLs,
// because ffmpeg.wasm's worker resolves them from its own location.
import type { WasmBrowserAssets } from '@ftrack-encode/encoder-wasm/browser';

export function wasmAssets(base: string, pageUrl: string): WasmBrowserAssets {
  const url = (path: string): string => new URL(`${base}ffmpeg/${path}`, pageUrl).href;
  return {
    coreURL: url('st/ffmpeg-core.js'),
    wasmURL: url('st/ffmpeg-core.wasm'),
    mt: { coreURL: url('mt/ffmpeg-core.js'), wasmURL: url('mt/ffmpeg-core.wasm'), workerURL: url('mt/ffmpeg-core.worker.js') },
  };
}
