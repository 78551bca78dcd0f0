import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'vitest';
import { describeMediaCorrectness } from '@ftrack-encode/testing';
import { OcioBaker } from '@ftrack-encode/node-platform';
import { WasmCore, WasmMediaProbe, WasmNodeEncoder } from './index.js';

// The same pictures and timing on ffmpeg.wasm: the LUTs the host bakes are copied into its file system.
// Capabilities say what this backend is held to: all of it (the wasm build has lut3d, bwdif, volumedetect).
describeMediaCorrectness(
  it,
  async () => {
    const core = new WasmCore();
    return {
      encoder: new WasmNodeEncoder(core),
      probe: new WasmMediaProbe(core),
      baker: new OcioBaker({ cacheDir: mkdtempSync(join(tmpdir(), 'luts-')) }),
      cleanup: () => core.dispose(),
    };
  },
  { videoColour: true, sceneReferred: true, ocio: true, timing: true, audio: true, exrDetails: true, silence: true },
);
