import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { EncodeError, isAbortError } from '@ftrack-encode/core';
import { ByteBudget, PushBody } from './push-body.js';
import { putBytes, UploadRejectedError } from './put-bytes.js';
import { withRetry, type RetryPolicy } from './retry.js';
import { RetryableError, type ServerApi } from './server-api.js';
import { UploadJournal, type JournalState } from './upload-journal.js';
import type { HashedUpload, UploadJob } from './upload-job.js';

const CHUNK = 1 << 20;

export interface MultiPartOptions {
  partSize: number;
  parallelParts: number;
  /** Bytes that may wait in request bodies at once (all parts together). */
  bufferBytes: number;
  journalDir?: string;
}

/**
 * Large files: parts PUT in parallel, one sequential read of the file. The reader walks the parts
 * in order (createReadStream per part range), feeds every byte to the whole-file hash and to the
 * part's MD5, and pushes it into that part's request body — or only hashes it when a journal says
 * the part is already on the server. So a resumed run still reads each byte exactly once.
 * Retries of a failed part re-read only that part's range (its bytes are already hashed).
 */
export async function uploadMultiPart(api: ServerApi, job: UploadJob, options: MultiPartOptions, policy: RetryPolicy): Promise<HashedUpload> {
  const journal = new UploadJournal(options.journalDir, { componentId: job.componentId, size: job.size, mtimeMs: job.mtimeMs });
  const partCount = Math.ceil(job.size / options.partSize);
  const saved = await journal.load(options.partSize);
  const state: JournalState =
    saved && saved.urls.length === partCount
      ? saved
      : await startUpload(api, job, options.partSize, partCount, policy).then(async (fresh) => {
          await journal.start(fresh);
          return fresh;
        });
  try {
    const result = await sendParts(api, job, options, policy, state, journal);
    await journal.discard();
    return result;
  } catch (error) {
    if (saved && error instanceof UploadRejectedError) {
      // The journal's URLs expired or the server forgot the upload: start over, once.
      await journal.discard();
      return uploadMultiPart(api, job, options, policy);
    }
    throw error;
  }
}

async function startUpload(api: ServerApi, job: UploadJob, partSize: number, partCount: number, policy: RetryPolicy): Promise<JournalState> {
  const target = await withRetry(() => api.multiPartTarget(job.componentId, job.fileName, job.size, partCount, job.signal), policy, job.signal);
  return { componentId: job.componentId, size: job.size, mtimeMs: job.mtimeMs, partSize, uploadId: target.uploadId, urls: target.urls, done: {} };
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const fail = () => reject(new EncodeError('E_CANCELLED', 'Cancelled.'));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}

async function sendParts(
  api: ServerApi,
  job: UploadJob,
  options: MultiPartOptions,
  policy: RetryPolicy,
  state: JournalState,
  journal: UploadJournal,
): Promise<HashedUpload> {
  const { partSize } = options;
  const partCount = state.urls.length;
  const controller = new AbortController();
  const stopAll = () => controller.abort();
  job.signal?.addEventListener('abort', stopAll, { once: true });
  const aborted = rejectOnAbort(controller.signal);
  aborted.catch(() => undefined);

  const budget = new ByteBudget(options.bufferBytes);
  const etags = new Map<number, string>();
  const inflight = new Set<Promise<void>>();
  const failures: unknown[] = [];
  const partsSent: number[] = [];
  const partsResumed: number[] = [];
  const fileHash = createHash(job.algorithm);
  let bytesRead = 0;

  const rangeOf = (part: number) => ({ start: (part - 1) * partSize, end: Math.min(job.size, part * partSize) - 1 });
  const urlOf = (part: number) => state.urls.find((u) => u.partNumber === part)?.url ?? '';

  /** A fresh read of one part's range for a retry, hashing MD5 for the ETag check. */
  function rereadPart(part: number): { body: AsyncIterable<Uint8Array>; md5(): string } {
    const { start, end } = rangeOf(part);
    const md5 = createHash('md5');
    let digest = '';
    async function* body(): AsyncGenerator<Uint8Array> {
      for await (const chunk of createReadStream(job.path, { start, end, highWaterMark: CHUNK, signal: controller.signal })) {
        md5.update(chunk as Buffer);
        yield chunk as Buffer;
      }
      digest = md5.digest('hex');
    }
    return { body: body(), md5: () => digest };
  }

  function launch(part: number, first?: { body: PushBody; md5: Promise<string> }): void {
    const { start, end } = rangeOf(part);
    const label = `${job.fileName} part ${part}/${partCount}`;
    const task = withRetry(
      async (attempt) => {
        const fresh = attempt === 0 && first ? undefined : rereadPart(part);
        try {
          const etag = await putBytes({
            url: urlOf(part),
            body: fresh ? fresh.body : (first as { body: PushBody }).body,
            length: end - start + 1,
            signal: controller.signal,
            requireEtag: true,
            label,
          });
          const expected = fresh ? fresh.md5() : await Promise.race([(first as { md5: Promise<string> }).md5, aborted]);
          if (etag.toLowerCase() !== expected) throw new RetryableError(`${label} arrived corrupted (ETag ${etag}, expected ${expected})`);
          etags.set(part, etag);
          await journal.markDone(part, etag);
        } catch (error) {
          if (!fresh) first?.body.detach();
          throw error;
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
    for (let part = 1; part <= partCount && !controller.signal.aborted; part += 1) {
      const { start, end } = rangeOf(part);
      const journalEtag = state.done[String(part)];
      let first: { body: PushBody; md5: Promise<string> } | undefined;
      let resolveMd5: (hex: string) => void = () => undefined;
      if (!journalEtag) {
        while (inflight.size >= options.parallelParts) await Promise.race([...inflight, aborted]);
        first = { body: new PushBody(budget), md5: new Promise<string>((resolve) => (resolveMd5 = resolve)) };
        launch(part, first);
      }
      const md5 = createHash('md5');
      for await (const chunk of createReadStream(job.path, { start, end, highWaterMark: CHUNK, signal: controller.signal })) {
        const bytes = chunk as Buffer;
        fileHash.update(bytes);
        md5.update(bytes);
        bytesRead += bytes.length;
        job.onBytes(bytesRead);
        if (first) await first.body.push(bytes);
      }
      first?.body.end();
      const md5Hex = md5.digest('hex');
      resolveMd5(md5Hex);
      if (journalEtag) {
        if (journalEtag.toLowerCase() === md5Hex) {
          etags.set(part, journalEtag);
          partsResumed.push(part);
        } else {
          // The file under this journal changed in place: this part must go again.
          await journal.forget(part);
          launch(part);
        }
      }
    }
  } catch (error) {
    if (!isAbortError(error)) failures.push(error);
    controller.abort();
  } finally {
    await Promise.allSettled([...inflight]);
    job.signal?.removeEventListener('abort', stopAll);
  }

  if (job.signal?.aborted) throw new EncodeError('E_CANCELLED', 'Cancelled.');
  const failure = failures.find((f) => !isAbortError(f)) ?? failures[0];
  if (failure !== undefined) throw failure;
  if (bytesRead !== job.size || etags.size !== partCount) {
    throw new EncodeError('E_STORAGE_FAILED', `${job.fileName} changed while uploading (read ${bytesRead} of ${job.size} bytes).`, {
      hint: 'Publish files that are complete; re-run once the file is final.',
    });
  }
  const parts = [...etags.entries()].map(([partNumber, etag]) => ({ partNumber, etag }));
  try {
    await withRetry(() => api.completeMultipart(job.componentId, state.uploadId, parts, job.signal), policy, job.signal);
  } catch (error) {
    // A completion whose answer was lost has happened: the retry then hears "unknown upload".
    // The assembled file of the right size is the proof (every part's MD5 was checked on its PUT).
    if ((await api.storedSize(job.componentId, job.signal).catch(() => undefined)) !== job.size) throw error;
  }
  return { checksum: { algorithm: job.algorithm, hex: fileHash.digest('hex') }, size: bytesRead, bytesRead, partsSent, partsResumed };
}
