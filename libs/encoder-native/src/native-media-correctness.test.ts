import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'vitest';
import { describeMediaCorrectness } from '@ftrack-encode/testing';
import { OcioBaker } from '@ftrack-encode/node-platform';
import { NativeEncoder, NativeMediaProbe } from './index.js';

describeMediaCorrectness(
  it,
  async () => ({ encoder: new NativeEncoder({}), probe: new NativeMediaProbe({}), baker: new OcioBaker({ cacheDir: mkdtempSync(join(tmpdir(), 'luts-')) }) }),
  { videoColour: true, sceneReferred: true, ocio: true, timing: true, audio: true, exrDetails: true, silence: true },
);
