import { it } from 'vitest';
import { describeEncoderContract } from '@ftrack-encode/testing';
import { NativeEncoder, NativeMediaProbe } from './index.js';

describeEncoderContract(it, async () => ({ encoder: new NativeEncoder({}), probe: new NativeMediaProbe({}) }), {
  sequences: true,
  cancel: true,
  segments: true,
});
