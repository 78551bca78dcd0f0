import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body, streamed; read it, or discard() it to free the connection. */
  body: IncomingMessage;
}

export interface HttpRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

const MAX_REDIRECTS = 5;

/**
 * One request over node:http(s). Not fetch: loading undici costs the uploading process ~15 MB,
 * and once V8 optimises its WebAssembly HTTP parser ~28 MB more, a third of its memory budget
 * for a few JSON calls. Redirects of a GET are followed (ftrack may answer /component/get with
 * a signed URL elsewhere).
 */
export function sendRequest(url: string, options: HttpRequestOptions = {}, redirects = MAX_REDIRECTS): Promise<HttpResponse> {
  const method = options.method ?? 'GET';
  return new Promise<HttpResponse>((resolve, reject) => {
    const target = new URL(url);
    const headers = { ...options.headers, ...(options.body === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(options.body)) }) };
    const request = (target.protocol === 'https:' ? httpsRequest : httpRequest)(
      target,
      { method, headers, ...(options.signal ? { signal: options.signal } : {}) },
      (response) => {
        const status = response.statusCode ?? 0;
        const location = response.headers.location;
        if (method === 'GET' && location && [301, 302, 303, 307, 308].includes(status) && redirects > 0) {
          discard({ status, headers: response.headers, body: response });
          resolve(sendRequest(new URL(location, target).toString(), options, redirects - 1));
          return;
        }
        resolve({ status, headers: response.headers, body: response });
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

/** A 2xx answer. */
export const isOk = (response: HttpResponse): boolean => response.status >= 200 && response.status <= 299;

/** The whole body as text. */
export async function readText(response: HttpResponse): Promise<string> {
  response.body.setEncoding('utf8');
  let text = '';
  for await (const piece of response.body) text += piece as string;
  return text;
}

/** Drops the body (the connection goes back to the agent once it has been read). */
export function discard(response: HttpResponse): void {
  response.body.on('error', () => undefined);
  response.body.resume();
}
