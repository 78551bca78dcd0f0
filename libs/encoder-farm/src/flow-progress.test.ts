import { expect, it } from 'vitest';
import type { Progress } from '@ftrack-encode/core';
import { FLOW_SEGMENTS_DONE, flowRunProgress, runFraction, shownPercent } from './flow-progress.js';

it('places a publish run report by its stage, then by the stage own percent', () => {
  expect(runFraction({ stage: 'locate' })).toBe(0);
  expect(runFraction({ stage: 'encode', percent: 0 })).toBeLessThan(runFraction({ stage: 'encode', percent: 50 }));
  expect(runFraction({ stage: 'encode', percent: 100 })).toBe(runFraction({ stage: 'validate' }));
  expect(runFraction({ stage: 'announce', percent: 100 })).toBe(1);
});

it('maps a run into its share of the flow bar, from what the bar shows, never going back', () => {
  const seen: Progress[] = [];
  // The join run: the children left the bar at 87 %.
  const report = flowRunProgress((p) => seen.push(p), { from: FLOW_SEGMENTS_DONE, to: 100 }, 87);
  for (const p of [
    { stage: 'check', percent: 100 },
    { stage: 'check', percent: 0 }, // a second pass of a stage
    { stage: 'encode', percent: 0, message: '2 segments' },
    { stage: 'encode', percent: 97 },
    { stage: 'validate' },
    { stage: 'store', percent: 40 },
    { stage: 'register' },
  ] as Progress[])
    report(p);
  const percents = seen.map((p) => p.percent!);
  expect(percents[0]).toBeGreaterThanOrEqual(FLOW_SEGMENTS_DONE);
  expect(percents.every((p, i) => i === 0 || p >= percents[i - 1]!)).toBe(true);
  expect(percents.at(-1)).toBeLessThanOrEqual(100);
  expect(seen[2]).toMatchObject({ stage: 'encode', message: '2 segments' });
  // A bar already past the run's start is never taken back.
  const late: number[] = [];
  flowRunProgress((p) => late.push(p.percent!), { from: 0, to: 50 }, 60)({ stage: 'locate' });
  expect(late).toEqual([60]);
  expect(shownPercent({ stage: 'encode', percent: 42 })).toBe(42);
  expect(shownPercent(0)).toBe(0);
  expect(shownPercent(undefined)).toBe(0);
});
