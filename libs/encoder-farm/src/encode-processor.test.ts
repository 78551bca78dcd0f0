import { describe, expect, it } from 'vitest';
import type { Progress } from '@ftrack-encode/core';
import { throttleProgress } from './encode-processor.js';

/** What an encode job reports: ffmpeg's encode progress rising to 100, then validation per output. */
const burst: Progress[] = [
  ...[0, 12.5, 25, 37.5, 50, 62.5, 75, 87.5, 100].map((percent) => ({ stage: 'encode' as const, percent })),
  ...[0, 25, 50, 75, 100].map((percent) => ({ stage: 'validate' as const, percent })),
];

/** Feeds the burst synchronously (no time passes) and returns what reached `send`. */
async function throttled(intervalMs: number): Promise<Progress[]> {
  const sent: Progress[] = [];
  const throttle = throttleProgress(async (p) => void sent.push(p), intervalMs);
  for (const p of burst) throttle.report(p);
  await throttle.flush();
  return sent;
}

function percentsOf(sent: Progress[], stage: Progress['stage']): number[] {
  return sent.filter((p) => p.stage === stage).map((p) => p.percent ?? -1);
}

describe('progress throttle', () => {
  it('within one interval sends each stage start, the held-back end of each stage and the final update', async () => {
    const sent = await throttled(60_000);
    expect(sent).toEqual([
      { stage: 'encode', percent: 0 },
      { stage: 'encode', percent: 100 },
      { stage: 'validate', percent: 0 },
      { stage: 'validate', percent: 100 },
    ]);
  });

  it('with no interval forwards every update, in order', async () => {
    expect(await throttled(0)).toEqual(burst);
  });

  it('never goes backwards within a stage and always ends at 100', async () => {
    for (const interval of [0, 1, 60_000]) {
      const sent = await throttled(interval);
      for (const stage of ['encode', 'validate'] as const) {
        const percents = percentsOf(sent, stage);
        expect(percents).toEqual([...percents].sort((a, b) => a - b));
        expect(percents.at(-1)).toBe(100);
      }
      expect(sent.at(-1)).toEqual({ stage: 'validate', percent: 100 });
    }
  });
});
