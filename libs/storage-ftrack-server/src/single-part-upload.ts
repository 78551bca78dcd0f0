import type { UploadHashing } from './parallel-hasher.js';
import { withRetry, type RetryPolicy } from './retry.js';
import { sendParts } from './send-parts.js';
import type { ServerApi } from './server-api.js';
import type { HashedUpload, UploadJob } from './upload-job.js';

/** Small files: one PUT, hashed (the file digest + MD5, off the main thread) while the bytes stream out. */
export async function uploadSinglePart(api: ServerApi, job: UploadJob, hashing: Promise<UploadHashing>, policy: RetryPolicy): Promise<HashedUpload> {
  const target = await withRetry(() => api.singlePartTarget(job.componentId, job.fileName, job.size, job.signal), policy, job.signal);
  const sent = await sendParts(
    job,
    {
      partSize: Math.max(job.size, 1),
      targets: [target],
      requireEtag: false,
      parallelParts: 1,
    },
    policy,
    await hashing,
  );
  return { checksum: { algorithm: job.algorithm, hex: sent.fileHex }, size: job.size, bytesRead: sent.bytesRead };
}
