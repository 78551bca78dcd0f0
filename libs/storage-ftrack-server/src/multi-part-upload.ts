import type { UploadHashing } from './parallel-hasher.js';
import { UploadRejectedError } from './put-bytes.js';
import { partCountOf } from './read-parts.js';
import { withRetry, type RetryPolicy } from './retry.js';
import { sendParts } from './send-parts.js';
import type { ServerApi } from './server-api.js';
import { UploadJournal, type JournalState } from './upload-journal.js';
import type { HashedUpload, UploadJob } from './upload-job.js';

export interface MultiPartOptions {
  partSize: number;
  parallelParts: number;
  journalDir?: string;
}

/**
 * Large files: parts PUT in parallel with one sequential read of the file (sendParts), a resume
 * journal of confirmed parts, then complete_multipart_upload. A resumed run still reads (and
 * hashes) each byte once but sends only the parts the journal does not vouch for.
 */
export async function uploadMultiPart(
  api: ServerApi,
  job: UploadJob,
  hashing: Promise<UploadHashing>,
  options: MultiPartOptions,
  policy: RetryPolicy,
): Promise<HashedUpload> {
  const journal = new UploadJournal(options.journalDir, { componentId: job.componentId, size: job.size, mtimeMs: job.mtimeMs });
  const partCount = partCountOf(job.size, options.partSize);
  const saved = await journal.load(options.partSize);
  const state: JournalState =
    saved && saved.urls.length === partCount
      ? saved
      : await startUpload(api, job, options.partSize, partCount, policy).then(async (fresh) => {
          await journal.start(fresh);
          return fresh;
        });
  try {
    const result = await sendAndComplete(api, job, await hashing, options, policy, state, journal);
    await journal.discard();
    return result;
  } catch (error) {
    if (saved && error instanceof UploadRejectedError) {
      // The journal's URLs expired or the server forgot the upload: start over, once.
      await journal.discard();
      return uploadMultiPart(api, job, hashing, options, policy);
    }
    throw error;
  }
}

async function startUpload(api: ServerApi, job: UploadJob, partSize: number, partCount: number, policy: RetryPolicy): Promise<JournalState> {
  const target = await withRetry(() => api.multiPartTarget(job.componentId, job.fileName, job.size, partCount, job.signal), policy, job.signal);
  return { componentId: job.componentId, size: job.size, mtimeMs: job.mtimeMs, partSize, uploadId: target.uploadId, urls: target.urls, done: {} };
}

async function sendAndComplete(
  api: ServerApi,
  job: UploadJob,
  hashing: UploadHashing,
  options: MultiPartOptions,
  policy: RetryPolicy,
  state: JournalState,
  journal: UploadJournal,
): Promise<HashedUpload> {
  const byPart = new Map(state.urls.map((u) => [u.partNumber, u.url]));
  const sent = await sendParts(
    job,
    {
      partSize: options.partSize,
      targets: state.urls.map((_, i) => ({ url: byPart.get(i + 1) ?? '' })),
      requireEtag: true,
      parallelParts: options.parallelParts,
      done: { ...state.done },
      onPartSent: (part, etag) => journal.markDone(part, etag),
      onPartStale: (part) => journal.forget(part),
    },
    policy,
    hashing,
  );
  const parts = [...sent.etags.entries()].map(([partNumber, etag]) => ({ partNumber, etag }));
  try {
    await withRetry(() => api.completeMultipart(job.componentId, state.uploadId, parts, job.signal), policy, job.signal);
  } catch (error) {
    // A completion whose answer was lost has happened: the retry then hears "unknown upload".
    // The assembled file of the right size is the proof (every part's MD5 was checked on its PUT).
    if ((await api.storedSize(job.componentId, job.signal).catch(() => undefined)) !== job.size) throw error;
  }
  return {
    checksum: { algorithm: job.algorithm, hex: sent.fileHex },
    size: job.size,
    bytesRead: sent.bytesRead,
    partsSent: sent.partsSent,
    partsResumed: sent.partsResumed,
  };
}
