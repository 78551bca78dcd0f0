import type { DependencyContainer } from 'tsyringe';
import { TOKENS } from '@ftrack-encode/core';
import { WasmCore } from './node/wasm-core.js';
import { WasmNodeEncoder, type WasmEncoderOptions } from './node/wasm-node-encoder.js';
import { WasmMediaProbe, type WasmMediaProbeOptions } from './node/wasm-media-probe.js';
import { WasmQualityMeter } from './node/wasm-quality-meter.js';

export interface RegisterWasmEncoderOptions extends WasmEncoderOptions, WasmMediaProbeOptions {
  /** Also register TOKENS.MediaProbe with the ffprobe inside the core (for machines with no ffmpeg at all). */
  probe?: boolean;
  /**
   * wasm-worker.mjs, when this library is bundled: by default it is looked up beside the
   * module that contains this code (copy libs/encoder-wasm/src/node/wasm-worker.mjs there).
   */
  workerPath?: string;
}

/** TOKENS.Encoder = ffmpeg.wasm in a Node worker thread. Returns the encoder (dispose its core on shutdown). */
export function registerWasmEncoder(container: DependencyContainer, options: RegisterWasmEncoderOptions = {}): WasmNodeEncoder {
  const coreOptions = options.workerPath ? { workerPath: options.workerPath } : {};
  const core = new WasmCore(coreOptions);
  const encoder = new WasmNodeEncoder(core, options, () => new WasmCore(coreOptions));
  container.register(TOKENS.Encoder, { useValue: encoder });
  if (options.probe) {
    container.register(TOKENS.MediaProbe, { useValue: new WasmMediaProbe(core, options) });
    // Where wasm is the local backend (no ffmpeg installed), the quality gate measures with it too.
    container.register(TOKENS.QualityMeter, { useValue: new WasmQualityMeter(core) });
  }
  return encoder;
}
