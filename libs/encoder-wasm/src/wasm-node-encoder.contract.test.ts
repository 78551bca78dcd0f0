import { it } from 'vitest';
import { describeEncoderContract } from '@ftrack-encode/testing';
import { WasmCore, WasmMediaProbe, WasmNodeEncoder } from './index.js';

// The wasm backend with its own probe (the ffprobe inside @ffmpeg/core): no native ffmpeg involved.
describeEncoderContract(
  it,
  async () => {
    const core = new WasmCore();
    return { encoder: new WasmNodeEncoder(core), probe: new WasmMediaProbe(core), cleanup: () => core.dispose() };
  },
  { sequences: true, cancel: true },
);
