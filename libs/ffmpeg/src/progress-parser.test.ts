import { describe, expect, it } from 'vitest';
import { ProgressParser } from './progress-parser.js';

const block = (frame: number, us: number | 'N/A', speed: string, end = false) =>
  `frame=${frame}\nfps=24.0\nbitrate=N/A\ntotal_size=1234\nout_time_us=${us}\nout_time_ms=${us}\nout_time=00:00:01.000000\ndup_frames=0\ndrop_frames=0\nspeed=${speed}\nprogress=${end ? 'end' : 'continue'}\n`;

describe('ProgressParser', () => {
  it('parses blocks split across chunks at arbitrary points', () => {
    const text = block(12, 500_000, '2x') + block(24, 1_000_000, '2.5x') + block(48, 2_000_000, '3x', true);
    for (const size of [1, 3, 7, 64, text.length]) {
      const parser = new ProgressParser({ expectedDurationSeconds: 2 });
      const out = [];
      for (let i = 0; i < text.length; i += size) out.push(...parser.push(text.slice(i, i + size)));
      expect(out.map((p) => p.frame)).toEqual([12, 24, 48]);
      expect(out.map((p) => p.percent)).toEqual([25, 50, 100]);
      expect(out[1]).toMatchObject({ outTimeSeconds: 1, speed: 2.5, done: false, etaSeconds: 0.4 });
      expect(out[2]).toMatchObject({ done: true, etaSeconds: 0 });
    }
  });

  it('holds percent below 100 until progress=end and never goes backwards', () => {
    const parser = new ProgressParser({ expectedDurationSeconds: 1 });
    const out = parser.push(block(30, 1_200_000, '1x') + block(30, 900_000, '1x') + block(30, 1_300_000, '1x', true));
    expect(out[0]!.percent).toBeLessThan(100);
    expect(out[1]!.percent).toBe(out[0]!.percent);
    expect(out[2]!.percent).toBe(100);
  });

  it('handles N/A values and falls back to frames for sequences', () => {
    const parser = new ProgressParser({ expectedDurationSeconds: 2, expectedFrames: 40, preferFrames: true });
    const [p] = parser.push(block(10, 'N/A', 'N/A'));
    expect(p).toEqual({ frame: 10, percent: 25, done: false });
    const time = new ProgressParser({ expectedDurationSeconds: 2, expectedFrames: 40 });
    expect(time.push(block(10, 'N/A', 'N/A'))[0]!.percent).toBe(25);
  });

  it('reports no percent when nothing is known, and flushes a last line without newline', () => {
    const parser = new ProgressParser();
    expect(parser.push('frame=3\r\nprogress=continue\r\n')).toEqual([{ frame: 3, done: false }]);
    expect(parser.push('frame=4\nprogress=end')).toEqual([]);
    expect(parser.end()).toEqual([{ frame: 4, percent: 100, etaSeconds: 0, done: true }]);
  });
});
