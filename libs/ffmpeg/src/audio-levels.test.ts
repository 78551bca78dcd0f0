import { describe, expect, it } from 'vitest';
import { audioLevelArgs, withAudioLevels } from './audio-levels.js';

const tracks = [
  { index: 1, codec: 'aac', channels: 2, sampleRate: 48000 },
  { index: 2, codec: 'aac', channels: 1, sampleRate: 48000 },
];

describe('audio levels (volumedetect)', () => {
  it('measures every track in one pass', () => {
    expect(audioLevelArgs('/a.mov', 2).join(' ')).toContain('-filter_complex [0:a:0]volumedetect[l0];[0:a:1]volumedetect[l1] -map [l0] -map [l1] -f null -');
  });

  it('marks tracks whose loudest sample is under -80 dBFS, from native stderr or the wasm log', () => {
    const native = '[Parsed_volumedetect_1 @ 0x1] max_volume: -17.2 dB\n[Parsed_volumedetect_0 @ 0x2] max_volume: -91.0 dB\n';
    expect(withAudioLevels(tracks, native).map((t) => t.silent)).toEqual([true, undefined]);
    const wasm = 'n_samples: 79872\nmax_volume: -inf dB\nn_samples: 36864\nmax_volume: -3.0 dB\n';
    expect(withAudioLevels(tracks, wasm).map((t) => t.silent)).toEqual([true, undefined]);
    expect(withAudioLevels(tracks, 'nothing measured')).toEqual(tracks);
  });
});
