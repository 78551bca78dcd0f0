import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { EncodeError } from '@ftrack-encode/core';
import { fromFailedReason, toJobFailure } from './index.js';

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
