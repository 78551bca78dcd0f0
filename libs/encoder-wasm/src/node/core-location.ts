import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EncodeError } from '@ftrack-encode/core';

export interface CoreLocation {
  /** file: URL of @ffmpeg/core's ESM build (the worker imports it). */
  coreUrl: string;
  wasmPath: string;
  /** @ffmpeg/core package version, e.g. 0.12.10. */
  packageVersion: string;
}

/** Find @ffmpeg/core from this module (works from TS sources and from a bundle beside node_modules). */
export function locateCore(): CoreLocation {
  let wasmPath: string;
  try {
    // The package exports only "." and "./wasm"; "./wasm" resolves to dist/<umd|esm>/ffmpeg-core.wasm.
    wasmPath = createRequire(import.meta.url).resolve('@ffmpeg/core/wasm');
  } catch (error) {
    throw new EncodeError('E_ENCODER_MISSING', 'The wasm backend needs the @ffmpeg/core package, which is not installed.', {
      hint: 'npm install @ffmpeg/core@0.12.10, or use --backend native.',
      cause: error,
    });
  }
  const dist = dirname(dirname(wasmPath));
  const esmJs = join(dist, 'esm', 'ffmpeg-core.js');
  const esmWasm = join(dist, 'esm', 'ffmpeg-core.wasm');
  const pkg = JSON.parse(readFileSync(join(dist, '..', 'package.json'), 'utf8')) as { version?: string };
  return {
    coreUrl: pathToFileURL(esmJs).href,
    wasmPath: existsSync(esmWasm) ? esmWasm : wasmPath,
    packageVersion: pkg.version ?? 'unknown',
  };
}

/**
 * The worker script is a plain .mjs beside this module (see wasm-worker.mjs for why).
 * A bundle that inlines this module must ship wasm-worker.mjs next to itself, or pass workerPath.
 */
export function resolveWorkerPath(override?: string): string {
  const path = override ?? fileURLToPath(new URL('./wasm-worker.mjs', import.meta.url));
  if (!existsSync(path)) {
    throw new EncodeError('E_ENCODER_MISSING', `The ffmpeg.wasm worker script is missing: ${path}.`, {
      hint: 'Copy libs/encoder-wasm/src/node/wasm-worker.mjs next to the bundled entry point, or set workerPath in registerWasmEncoder.',
      details: { workerPath: path },
    });
  }
  return path;
}
