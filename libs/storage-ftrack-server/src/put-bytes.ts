import { EncodeError } from '@ftrack-encode/core';
import { networkReason, RetryableError, redactUrl } from './server-api.js';

export interface PutOptions {
  url: string;
  body: AsyncIterable<Uint8Array>;
  length: number;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Multi-part needs 200 + ETag (protocol §8.1); single part accepts any status < 400. */
  requireEtag: boolean;
  /** What the upload is, for messages. */
  label: string;
}

/** One streamed PUT. Returns the ETag without quotes ('' when none and none required). */
export async function putBytes(options: PutOptions): Promise<string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (name.toLowerCase() !== 'content-length') headers[name] = String(value);
  }
  // An explicit length: S3-style signed URLs refuse chunked uploads.
  headers['Content-Length'] = String(options.length);
  let response: Response;
  try {
    response = await fetch(options.url, {
      method: 'PUT',
      headers,
      body: options.body as unknown as BodyInit,
      duplex: 'half',
      // Not cosmetic: with any other redirect mode undici tee()s the body to replay it after a
      // redirect and keeps the unread branch — the whole file ends up in memory.
      redirect: 'error',
      ...(options.signal ? { signal: options.signal } : {}),
    } as RequestInit);
  } catch (error) {
    if (options.signal?.aborted) throw new EncodeError('E_CANCELLED', 'Cancelled.');
    throw new RetryableError(`Upload of ${options.label} was interrupted: ${networkReason(error)}`);
  }
  await response.body?.cancel().catch(() => undefined);
  const etag = (response.headers.get('etag') ?? '').replace(/"/g, '');
  if (response.status >= 500 || response.status === 408 || response.status === 429) {
    throw new RetryableError(`Upload of ${options.label} failed with HTTP ${response.status}`);
  }
  if (response.status >= 400 || (options.requireEtag && (response.status !== 200 || !etag))) {
    throw new UploadRejectedError(
      response.status,
      redactUrl(`Upload of ${options.label} was refused with HTTP ${response.status}${options.requireEtag && !etag ? ' (no ETag)' : ''}`),
    );
  }
  return etag;
}

/** A 4xx on an upload URL: not worth retrying the same URL (expired, unknown upload, refused). */
export class UploadRejectedError extends EncodeError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super('E_STORAGE_FAILED', message, { details: { status } });
  }
}
