import { UnrecoverableError } from 'bullmq';
import { ERROR_CODES, EncodeError, toEncodeError, type ErrorCode } from '@ftrack-encode/core';

/**
 * Failures that another attempt cannot fix (bad input, bad profile, a codec no worker has,
 * a cancel): thrown as BullMQ UnrecoverableError so the job fails once, without retries.
 * Everything else (encoder crash, storage or ftrack hiccup, a lost worker) is retried.
 */
export const UNRECOVERABLE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'E_USAGE',
  'E_SOURCE_NOT_FOUND',
  'E_SOURCE_UNREADABLE',
  'E_SOURCE_NOT_ACCESSIBLE',
  'E_SEQUENCE_GAPS',
  'E_SEQUENCE_EMPTY',
  'E_INPUT_TOO_LARGE',
  'E_PROFILE_INVALID',
  'E_CONFIG_INVALID',
  'E_UNSUPPORTED',
  'E_FTRACK_NOT_FOUND',
  'E_FTRACK_AUTH',
  'E_CANCELLED',
]);

interface WireError {
  code: ErrorCode;
  message: string;
  hint?: string;
  details?: Record<string, unknown>;
}

/**
 * The Error a processor throws: its message is the EncodeError as JSON (BullMQ keeps it as
 * failedReason). `final`: no retry whatever the code (a flow whose segment failed for good).
 */
export function toJobFailure(error: unknown, options: { final?: boolean } = {}): Error {
  const encodeError = toEncodeError(error, 'E_ENCODER_FAILED');
  const message = JSON.stringify(encodeError.toJSON());
  return options.final || UNRECOVERABLE_CODES.has(encodeError.code) ? new UnrecoverableError(message) : new Error(message);
}

/** Turn a job's failedReason back into the worker's EncodeError (its code, message and hint). */
export function fromFailedReason(reason: string | undefined, jobId: string): EncodeError {
  try {
    const parsed = JSON.parse(reason ?? '') as Partial<WireError>;
    if (parsed && typeof parsed.code === 'string' && parsed.code in ERROR_CODES && typeof parsed.message === 'string') {
      return new EncodeError(parsed.code, parsed.message, {
        ...(parsed.hint ? { hint: parsed.hint } : {}),
        details: { ...(parsed.details ?? {}), jobId },
      });
    }
  } catch {
    // not ours (e.g. "job stalled more than allowable limit"): reported as a job failure below
  }
  return new EncodeError('E_JOB_FAILED', `Farm job ${jobId} failed: ${reason ?? 'no reason given'}`, {
    hint: 'Check the daemon logs for this job id.',
    details: { jobId },
  });
}
