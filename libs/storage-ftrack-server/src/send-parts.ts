import { createReadStream } from 'node:fs';
import { EncodeError, isAbortError } from '@ftrack-encode/core';
import type { Chunk } from './chunk-pool.js';
import { CHUNK_BYTES, type UploadHashing } from './parallel-hasher.js';
import { PushBody } from './push-body.js';
import { putBytes, type BodyChunk } from './put-bytes.js';
import { partCountOf, readParts } from './read-parts.js';
import { withRetry, type RetryPolicy } from './retry.js';
import { RetryableError } from './server-api.js';
import type { UploadJob } from './upload-job.js';

export interface PartTarget {
  url: string;
  /** Headers the server asked for (single part). */
  headers?: Record<string, string>;
}

export interface SendPlan {
  /** Part size; the targets are parts 1..n of `partCountOf(size, partSize)`. */
  partSize: number;
  targets: PartTarget[];
  /** Multi-part: 200 with an ETag equal to the part's MD5. Single part: any 2xx; an MD5-like ETag is checked. */
  requireEtag: boolean;
  parallelParts: number;
  /** Parts a resume journal says are on the server (part → ETag): hashed, sent only if their MD5 differs. */
  done?: Record<string, string>;
  onPartSent?(part: number, etag: string): Promise<void>;
  /** A journalled part whose bytes changed: it is sent again. */
  onPartStale?(part: number): Promise<void>;
}

export interface SentParts {
  fileHex: string;
  etags: Map<number, string>;
  bytesRead: number;
  partsSent: number[];
  partsResumed: number[];
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T | Promise<T>): void;
}

function deferred<T>(): Deferred<T> {
  let resolve: (value: T | Promise<T>) => void = () => undefined;
  const promise = new Promise<T>((r) => (resolve = r));
  // Nobody may wait for it (a journalled part, a failed upload): never an unhandled rejection.
  promise.catch(() => undefined);
  return { promise, resolve };
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  const aborted = new Promise<never>((_, reject) => {
    const fail = () => reject(new EncodeError('E_CANCELLED', 'Cancelled.'));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
  aborted.catch(() => undefined);
  return aborted;
}

/**
 * Sends a file as parts with one read (the pool and hash thread are the caller's). The reader
 * walks the parts in order into the bounded chunk pool; each chunk goes to the hash thread (the
 * whole file's digest and the part's MD5) and into its part's request body, and its buffer is
 * reused once both are done with it — so memory stays flat and the main thread only reads and
 * writes sockets. Up to `parallelParts` requests are open at once; a part's MD5 is ready while
 * the next part is read and sent.
 * A part the journal says is done is only hashed. A retried part re-reads its own range and is
 * checked against the MD5 of the first read.
 */
export async function sendParts(job: UploadJob, plan: SendPlan, policy: RetryPolicy, { pool, hasher }: UploadHashing): Promise<SentParts> {
  const partCount = plan.targets.length;
  if (partCount !== partCountOf(job.size, plan.partSize)) throw new Error(`${partCount} upload targets for ${partCountOf(job.size, plan.partSize)} parts`);
  const controller = new AbortController();
  const stopAll = () => controller.abort();
  job.signal?.addEventListener('abort', stopAll, { once: true });
  const aborted = rejectOnAbort(controller.signal);

  hasher.reset();
  const md5s = new Map<number, Deferred<string>>();
  const etags = new Map<number, string>();
  const inflight = new Set<Promise<void>>();
  const resumeChecks: Promise<void>[] = [];
  const failures: unknown[] = [];
  const partsSent: number[] = [];
  const partsResumed: number[] = [];
  let bytesRead = 0;
  let body: PushBody | undefined;

  const rangeOf = (part: number) => ({ start: (part - 1) * plan.partSize, end: Math.min(job.size, part * plan.partSize) - 1 });
  const label = (part: number) => (partCount === 1 ? job.fileName : `${job.fileName} part ${part}/${partCount}`);

  /** A fresh read of one part's range for a retry (its MD5 is already known). */
  async function* reread(part: number): AsyncGenerator<BodyChunk> {
    const { start, end } = rangeOf(part);
    if (end < start) return;
    for await (const bytes of createReadStream(job.path, { start, end, highWaterMark: CHUNK_BYTES, signal: controller.signal })) {
      bytesRead += (bytes as Buffer).length;
      yield { bytes: bytes as Buffer, release: () => undefined };
    }
  }

  function launch(part: number, first?: PushBody): void {
    const { start, end } = rangeOf(part);
    const task = withRetry(
      async (attempt) => {
        const fromReader = attempt === 0 ? first : undefined;
        try {
          const etag = await putBytes({
            url: plan.targets[part - 1]!.url,
            ...(plan.targets[part - 1]!.headers ? { headers: plan.targets[part - 1]!.headers } : {}),
            body: fromReader ?? reread(part),
            length: end - start + 1,
            signal: controller.signal,
            requireEtag: plan.requireEtag,
            label: label(part),
          });
          const expected = await Promise.race([md5s.get(part)!.promise, aborted]);
          if ((plan.requireEtag || /^[0-9a-f]{32}$/i.test(etag)) && etag.toLowerCase() !== expected) {
            throw new RetryableError(`${label(part)} arrived corrupted (ETag ${etag}, expected ${expected})`);
          }
          etags.set(part, etag);
          await plan.onPartSent?.(part, etag);
        } finally {
          // Whatever the request did not take goes back to the pool; later pushes are dropped.
          fromReader?.detach();
        }
      },
      policy,
      controller.signal,
      job.onRetry,
    ).catch((error: unknown) => {
      failures.push(error);
      controller.abort();
    });
    const tracked: Promise<void> = task.finally(() => inflight.delete(tracked));
    inflight.add(tracked);
    partsSent.push(part);
  }

  try {
    await readParts(
      job.path,
      job.size,
      plan.partSize,
      pool,
      {
        async startPart(part) {
          md5s.set(part, deferred());
          if (plan.done?.[String(part)]) return;
          while (inflight.size >= plan.parallelParts) await Promise.race([...inflight, aborted]);
          body = new PushBody();
          launch(part, body);
        },
        chunk(chunk: Chunk) {
          hasher.update(chunk);
          body?.push(chunk);
          bytesRead += chunk.bytes.length;
          job.onBytes(bytesRead);
        },
        endPart(part) {
          const md5 = hasher.endPart();
          md5s.get(part)!.resolve(md5);
          body?.end();
          body = undefined;
          const journalled = plan.done?.[String(part)];
          if (!journalled) return;
          const check = md5.then(async (hex) => {
            if (journalled.toLowerCase() === hex) {
              etags.set(part, journalled);
              partsResumed.push(part);
            } else {
              await plan.onPartStale?.(part);
              launch(part);
            }
          });
          check.catch(() => undefined); // awaited below, unless the upload failed first
          resumeChecks.push(check);
        },
      },
      controller.signal,
    );
    const fileHex = await Promise.race([hasher.endFile(), aborted]);
    await Promise.race([Promise.all(resumeChecks), aborted]);
    while (inflight.size > 0) await Promise.allSettled([...inflight]);
    if (job.signal?.aborted) throw new EncodeError('E_CANCELLED', 'Cancelled.');
    const failure = failures.find((f) => !isAbortError(f)) ?? failures[0];
    if (failure !== undefined) throw failure;
    if (etags.size !== partCount) throw new EncodeError('E_STORAGE_FAILED', `${job.fileName}: ${partCount - etags.size} part(s) were not confirmed.`);
    return { fileHex, etags, bytesRead, partsSent, partsResumed };
  } catch (error) {
    controller.abort();
    await Promise.allSettled([...inflight]);
    if (job.signal?.aborted) throw new EncodeError('E_CANCELLED', 'Cancelled.');
    throw failures.find((f) => !isAbortError(f)) ?? error;
  } finally {
    body?.detach();
    job.signal?.removeEventListener('abort', stopAll);
  }
}
