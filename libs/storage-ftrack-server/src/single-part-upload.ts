import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { putBytes } from './put-bytes.js';
import { withRetry, type RetryPolicy } from './retry.js';
import { RetryableError, type ServerApi } from './server-api.js';
import type { HashedUpload, UploadJob } from './upload-job.js';

const CHUNK = 1 << 20;

/** Small files: one PUT, hashed (sha256 + MD5) while the bytes stream out. */
export async function uploadSinglePart(api: ServerApi, job: UploadJob, policy: RetryPolicy): Promise<HashedUpload> {
  const target = await withRetry(() => api.singlePartTarget(job.componentId, job.fileName, job.size, job.signal), policy, job.signal);
  return withRetry(
    async () => {
      const fileHash = createHash(job.algorithm);
      const md5 = createHash('md5');
      let done = 0;
      async function* body(): AsyncGenerator<Uint8Array> {
        for await (const chunk of createReadStream(job.path, { highWaterMark: CHUNK, ...(job.signal ? { signal: job.signal } : {}) })) {
          const bytes = chunk as Buffer;
          fileHash.update(bytes);
          md5.update(bytes);
          done += bytes.length;
          job.onBytes(done);
          yield bytes;
        }
      }
      const etag = await putBytes({
        url: target.url,
        headers: target.headers,
        body: body(),
        length: job.size,
        signal: job.signal,
        requireEtag: false,
        label: job.fileName,
      });
      if (done !== job.size) throw new RetryableError(`${job.fileName} changed size while uploading`);
      const md5Hex = md5.digest('hex');
      if (etag && /^[0-9a-f]{32}$/i.test(etag) && etag.toLowerCase() !== md5Hex) {
        throw new RetryableError(`Upload of ${job.fileName} arrived corrupted (ETag ${etag}, expected ${md5Hex})`);
      }
      return { checksum: { algorithm: job.algorithm, hex: fileHash.digest('hex') }, size: done, bytesRead: done };
    },
    policy,
    job.signal,
    job.onRetry,
  );
}
