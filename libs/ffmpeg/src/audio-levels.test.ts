import { describe, expect, it } from 'vitest';
import { audioLevelArgs, LEVEL_WINDOW_SECONDS, scanAudioLevels, withAudioLevels } from './audio-levels.js';

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

describe('scanAudioLevels', () => {
  const loud = '[Parsed_volumedetect_0 @ 0x1] max_volume: -3.0 dB\n[Parsed_volumedetect_1 @ 0x2] max_volume: -5.0 dB\n';
  const firstSilent = '[Parsed_volumedetect_0 @ 0x1] max_volume: -inf dB\n[Parsed_volumedetect_1 @ 0x2] max_volume: -5.0 dB\n';
  function scanner(logs: (string | undefined)[]) {
    const calls: { seconds?: number }[] = [];
    return { calls, scan: async (window: { seconds?: number }) => (calls.push(window), logs[calls.length - 1]) };
  }

  it('decodes only the window when every track is heard in it', async () => {
    const { calls, scan } = scanner([loud]);
    expect((await scanAudioLevels(tracks, 7200, scan)).map((t) => t.silent)).toEqual([undefined, undefined]);
    expect(calls).toEqual([{ seconds: LEVEL_WINDOW_SECONDS }]);
    expect(audioLevelArgs('/a.mov', 1, { seconds: 30 }).join(' ')).toContain('-t 30 -i /a.mov');
  });

  it('a track silent in the window of a longer source is decided by the whole file', async () => {
    const { calls, scan } = scanner([firstSilent, loud]);
    expect((await scanAudioLevels(tracks, 7200, scan)).map((t) => t.silent)).toEqual([undefined, undefined]);
    expect(calls).toEqual([{ seconds: LEVEL_WINDOW_SECONDS }, {}]);
    const again = scanner([firstSilent, firstSilent]);
    expect((await scanAudioLevels(tracks, Number.NaN, again.scan)).map((t) => t.silent)).toEqual([true, undefined]);
    expect(again.calls).toHaveLength(2);
  });

  it('a source no longer than the window is scanned once; a failed scan marks nothing', async () => {
    const { calls, scan } = scanner([firstSilent]);
    expect((await scanAudioLevels(tracks, LEVEL_WINDOW_SECONDS, scan)).map((t) => t.silent)).toEqual([true, undefined]);
    expect(calls).toHaveLength(1);
    expect(await scanAudioLevels(tracks, 10, scanner([undefined]).scan)).toEqual(tracks);
    // A window scan the caller started already is used, not repeated.
    const started = scanner([]);
    expect((await scanAudioLevels(tracks, 10, started.scan, Promise.resolve(firstSilent))).map((t) => t.silent)).toEqual([true, undefined]);
    expect(started.calls).toEqual([]);
  });
});
