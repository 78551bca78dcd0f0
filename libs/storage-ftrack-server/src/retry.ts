import { EncodeError } from '@ftrack-encode/core';
import { RetryableError } from './server-api.js';

export interface RetryPolicy {
  /** Attempts after the first. */
  retries: number;
  /** First back-off delay; doubles each attempt, plus up to 50% jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new EncodeError('E_CANCELLED', 'Cancelled.'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new EncodeError('E_CANCELLED', 'Cancelled.'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function backoffDelay(attempt: number, policy: RetryPolicy): number {
  const base = Math.min(policy.baseDelayMs * 2 ** attempt, policy.maxDelayMs);
  return Math.round(base * (1 + Math.random() * 0.5));
}

/** Runs `attempt` until it succeeds, a non-retryable error occurs, or the retries are spent. */
export async function withRetry<T>(
  attempt: (n: number) => Promise<T>,
  policy: RetryPolicy,
  signal?: AbortSignal,
  onRetry?: (error: RetryableError, n: number) => void,
): Promise<T> {
  for (let n = 0; ; n += 1) {
    if (signal?.aborted) throw new EncodeError('E_CANCELLED', 'Cancelled.');
    try {
      return await attempt(n);
    } catch (error) {
      if (signal?.aborted) throw new EncodeError('E_CANCELLED', 'Cancelled.');
      if (!(error instanceof RetryableError) || n >= policy.retries) throw error;
      onRetry?.(error, n + 1);
      await sleep(backoffDelay(n, policy), signal);
    }
  }
}
