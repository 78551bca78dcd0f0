import { redactSecrets, redactValue } from './redact.js';

/**
 * Every failure a user can act on is an EncodeError with a stable code. The CLI maps
 * codes to exit codes (see EXIT_CODES), scripts match on `code`, never on messages.
 */
export const ERROR_CODES = {
  E_USAGE: 2,
  E_CHECK_FAILED: 3,
  E_SOURCE_NOT_FOUND: 10,
  E_SOURCE_UNREADABLE: 11,
  E_SEQUENCE_GAPS: 12,
  E_SEQUENCE_EMPTY: 13,
  E_INPUT_TOO_LARGE: 14,
  E_PROFILE_INVALID: 20,
  E_CONFIG_INVALID: 21,
  E_UNSUPPORTED: 22,
  E_ENCODER_MISSING: 30,
  E_ENCODER_FAILED: 31,
  E_OUTPUT_INVALID: 32,
  E_OUTPUT_UNWRITABLE: 33,
  E_QUALITY: 34,
  E_STORAGE_FAILED: 40,
  E_CHECKSUM_MISMATCH: 41,
  E_STORAGE_CONFLICT: 42,
  E_FTRACK_AUTH: 50,
  E_FTRACK_NOT_FOUND: 51,
  E_FTRACK_FAILED: 52,
  E_SOURCE_NOT_ACCESSIBLE: 53,
  E_QUEUE_UNAVAILABLE: 60,
  E_JOB_FAILED: 61,
  E_CANCELLED: 130,
  E_INTERNAL: 70,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface EncodeErrorOptions {
  /** What the user can do about it, e.g. "apt-get install ffmpeg". */
  hint?: string;
  /** Machine-readable details (never secrets). */
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class EncodeError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: EncodeErrorOptions = {}) {
    super(redactSecrets(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EncodeError';
    this.code = code;
    this.hint = options.hint === undefined ? undefined : redactSecrets(options.hint);
    this.details = redactValue(options.details ?? {}) as Record<string, unknown>;
  }

  get exitCode(): number {
    return ERROR_CODES[this.code];
  }

  toJSON(): { code: ErrorCode; message: string; hint?: string; details: Record<string, unknown> } {
    return { code: this.code, message: this.message, ...(this.hint ? { hint: this.hint } : {}), details: this.details };
  }
}

export function isEncodeError(error: unknown, code?: ErrorCode): error is EncodeError {
  return error instanceof EncodeError && (code === undefined || error.code === code);
}

/**
 * Wrap anything thrown into an EncodeError, keeping EncodeErrors as they are. With a signal
 * that was aborted, any failure is the cancel (ffmpeg killed by Ctrl-C fails "with exit 255").
 */
export function toEncodeError(error: unknown, fallback: ErrorCode = 'E_INTERNAL', signal?: AbortSignal): EncodeError {
  if (signal?.aborted && !isEncodeError(error, 'E_CANCELLED')) {
    const reason: unknown = signal.reason;
    return reason instanceof EncodeError && reason.code === 'E_CANCELLED' ? reason : new EncodeError('E_CANCELLED', 'Cancelled.', { cause: error });
  }
  if (error instanceof EncodeError) return error;
  if (isAbortError(error)) return new EncodeError('E_CANCELLED', 'Cancelled.', { cause: error });
  const message = error instanceof Error ? error.message : String(error);
  return new EncodeError(fallback, message, { cause: error });
}

export function isAbortError(error: unknown): boolean {
  return (error instanceof Error && (error.name === 'AbortError' || (error as { code?: string }).code === 'ABORT_ERR')) || isEncodeError(error, 'E_CANCELLED');
}

/** Throw E_CANCELLED when the signal is aborted; call between steps of a use case. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw toEncodeError(signal.reason, 'E_CANCELLED', signal);
}
