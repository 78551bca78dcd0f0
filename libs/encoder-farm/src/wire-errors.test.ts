import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { EncodeError } from '@ftrack-encode/core';
import { fromFailedReason, throttleProgress, toJobFailure } from './index.js';

describe('failure on the wire', () => {
  it('keeps code, message and hint; bad input is unrecoverable, encoder crashes are retried', () => {
    const bad = toJobFailure(new EncodeError('E_SOURCE_UNREADABLE', 'not media', { hint: 'check the file' }));
    expect(bad).toBeInstanceOf(UnrecoverableError);
    const back = fromFailedReason(bad.message, 'j1');
    expect(back.toJSON()).toMatchObject({ code: 'E_SOURCE_UNREADABLE', message: 'not media', hint: 'check the file', details: { jobId: 'j1' } });
    expect(toJobFailure(new EncodeError('E_ENCODER_FAILED', 'crash'))).not.toBeInstanceOf(UnrecoverableError);
    expect(toJobFailure(new EncodeError('E_CANCELLED', 'x'))).toBeInstanceOf(UnrecoverableError);
  });

  it('reports a BullMQ reason that is not ours as E_JOB_FAILED', () => {
    expect(fromFailedReason('job stalled more than allowable limit', 'j2').code).toBe('E_JOB_FAILED');
  });
});

describe('progress throttle', () => {
  it('sends at most one update per interval per stage and never drops the last one', async () => {
    const sent: { percent: number | undefined; at: number }[] = [];
    const throttle = throttleProgress(async (p) => void sent.push({ percent: p.percent, at: Date.now() }), 100);
    for (let i = 0; i <= 100; i++) {
      throttle.report({ stage: 'encode', percent: i });
      await new Promise((r) => setTimeout(r, 5));
    }
    throttle.report({ stage: 'validate' });
    await throttle.flush();
    const encode = sent.filter((s) => s.percent !== undefined);
    // The last one may follow closely: it is the held-back end of the stage, flushed on the stage change.
    for (let i = 1; i < encode.length - 1; i++) expect(encode[i]!.at - encode[i - 1]!.at).toBeGreaterThanOrEqual(95);
    expect(encode.at(-1)?.percent).toBe(100);
    expect(encode.length).toBeLessThan(20);
  });
});
