import { EncodeError, redactSecrets } from '@ftrack-encode/core';
import { discard, isOk, readText, sendRequest, type HttpResponse } from './http-client.js';

export interface ServerCredentials {
  serverUrl: string;
  apiUser: string;
  apiKey: string;
}

export interface SinglePartTarget {
  url: string;
  headers: Record<string, string>;
}

export interface MultiPartTarget {
  uploadId: string;
  urls: { partNumber: number; url: string }[];
}

/** Credentials out of any text about a request (core's one redaction). */
export const redactUrl = (text: string): string => redactSecrets(text);

/** The few JSON API actions the uploader needs, spoken directly over node:http (protocol §1, §3.7, §3.8). */
export class ServerApi {
  readonly serverUrl: string;

  constructor(private readonly credentials: ServerCredentials) {
    this.serverUrl = credentials.serverUrl.replace(/\/+$/, '');
  }

  /** URL of a storage endpoint authenticated by query parameters (never logged unredacted). */
  storageUrl(endpoint: 'get' | 'remove', componentId: string): string {
    const params = new URLSearchParams({ id: componentId, username: this.credentials.apiUser, apiKey: this.credentials.apiKey });
    return `${this.serverUrl}/component/${endpoint}?${params.toString()}`;
  }

  authError(): EncodeError {
    return new EncodeError('E_FTRACK_AUTH', `ftrack at ${this.serverUrl} rejected the API key of user "${this.credentials.apiUser}".`, {
      hint: 'Check FTRACK_API_USER and FTRACK_API_KEY.',
      details: { server: this.serverUrl, user: this.credentials.apiUser },
    });
  }

  async call(operations: Record<string, unknown>[], signal?: AbortSignal): Promise<unknown[]> {
    let response: HttpResponse;
    let text: string;
    try {
      response = await sendRequest(`${this.serverUrl}/api`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json',
          'ftrack-user': this.credentials.apiUser,
          'ftrack-api-key': this.credentials.apiKey,
        },
        body: JSON.stringify(operations),
        ...(signal ? { signal } : {}),
      });
      text = await readText(response);
    } catch (error) {
      if (signal?.aborted) throw new EncodeError('E_CANCELLED', 'Cancelled.');
      throw new RetryableError(`Cannot reach ftrack at ${this.serverUrl}: ${networkReason(error)}`);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      if (response.status === 401 || response.status === 403) throw this.authError();
      const message = `ftrack at ${this.serverUrl} answered HTTP ${response.status} with something that is not JSON`;
      throw response.status >= 500 ? new RetryableError(message) : new EncodeError('E_STORAGE_FAILED', message);
    }
    if (Array.isArray(body)) return body;
    const { exception, content } = (body ?? {}) as { exception?: string; content?: string };
    const detail = redactUrl(`${exception ?? 'Error'}: ${content ?? ''}`);
    if (response.status === 401 || exception === 'InvalidCredentialsError' || exception === 'FTAuthenticationError') throw this.authError();
    const message = `ftrack at ${this.serverUrl} refused ${operations.map((o) => String(o['action'])).join('+')}: ${detail}`;
    throw response.status >= 500 ? new RetryableError(message) : new EncodeError('E_STORAGE_FAILED', message);
  }

  async singlePartTarget(componentId: string, fileName: string, fileSize: number, signal?: AbortSignal): Promise<SinglePartTarget> {
    const [result] = (await this.call(
      [{ action: 'get_upload_metadata', component_id: componentId, file_name: fileName, file_size: fileSize, parts: null }],
      signal,
    )) as [{ url?: string; headers?: Record<string, string> }];
    if (!result?.url) throw new EncodeError('E_STORAGE_FAILED', `ftrack at ${this.serverUrl} gave no upload URL for ${fileName}.`);
    return { url: result.url, headers: result.headers ?? {} };
  }

  async multiPartTarget(componentId: string, fileName: string, fileSize: number, parts: number, signal?: AbortSignal): Promise<MultiPartTarget> {
    const [result] = (await this.call(
      [{ action: 'get_upload_metadata', component_id: componentId, file_name: fileName, file_size: fileSize, parts }],
      signal,
    )) as [{ upload_id?: string; urls?: { part_number: number; signed_url: string }[] }];
    if (!result?.upload_id || !Array.isArray(result.urls) || result.urls.length !== parts) {
      throw new EncodeError('E_STORAGE_FAILED', `ftrack at ${this.serverUrl} did not start a ${parts}-part upload for ${fileName}.`);
    }
    return { uploadId: result.upload_id, urls: result.urls.map((u) => ({ partNumber: u.part_number, url: u.signed_url })) };
  }

  /** Size of the file stored for a component (a one-byte ranged GET), or undefined when there is none. */
  async storedSize(componentId: string, signal?: AbortSignal): Promise<number | undefined> {
    const response = await sendRequest(this.storageUrl('get', componentId), { headers: { Range: 'bytes=0-0' }, ...(signal ? { signal } : {}) });
    discard(response);
    if (!isOk(response)) return undefined;
    const total = /\/(\d+)$/.exec(response.headers['content-range'] ?? '')?.[1];
    return total === undefined ? Number(response.headers['content-length'] ?? NaN) : Number(total);
  }

  async completeMultipart(componentId: string, uploadId: string, parts: { partNumber: number; etag: string }[], signal?: AbortSignal): Promise<void> {
    await this.call(
      [
        {
          action: 'complete_multipart_upload',
          component_id: componentId,
          upload_id: uploadId,
          parts: [...parts].sort((a, b) => a.partNumber - b.partNumber).map((p) => ({ part_number: p.partNumber, e_tag: p.etag })),
        },
      ],
      signal,
    );
  }
}

/** A failure worth another attempt (network, 5xx, a part whose ETag did not match). */
export class RetryableError extends Error {
  constructor(message: string) {
    super(redactUrl(message));
    this.name = 'RetryableError';
  }
}

export function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return redactUrl(cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error)));
}
