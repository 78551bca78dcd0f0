import { it } from 'vitest';
import { describeEncoderContract } from '@ftrack-encode/testing';
import { WasmCore, WasmMediaProbe, WasmNodeEncoder } from './index.js';

// The wasm backend with its own probe (the ffprobe inside @ffmpeg/core): no native ffmpeg involved.
describeEncoderContract(
  it,
  async () => {
    const core = new WasmCore();
    // Segments run on two worker threads of their own, each with its own ffmpeg.wasm core.
    const encoder = new WasmNodeEncoder(core, { segmentWorkers: 2 });
    return { encoder, probe: new WasmMediaProbe(core), cleanup: () => encoder.dispose() };
  },
  { sequences: true, cancel: true, segments: true },
);
