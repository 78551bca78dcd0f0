// CORS for browser clients that send credentials: echo the exact Origin (protocol §1.3).
import type { IncomingMessage, ServerResponse } from 'node:http';

export const ALLOWED_HEADERS = [
  'content-type',
  'accept',
  'ftrack-user',
  'ftrack-api-key',
  'ftrack-clienttoken',
  'ftrack-pushtoken',
  'ftrack-strict-api',
  'ftrack-api-options',
  'content-disposition',
  'content-md5',
  'x-ftrack-local-fault',
].join(', ');

export function applyCors(req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin;
  if (!origin) return;
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Access-Control-Allow-Credentials', 'true');
  res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
  res.setHeader('Access-Control-Allow-Methods', 'POST, GET, PUT, OPTIONS');
  res.setHeader('Access-Control-Expose-Headers', 'ETag, Content-Disposition, Content-Length, Content-Range');
  res.setHeader('Vary', 'Origin');
}

export function answerPreflight(req: IncomingMessage, res: ServerResponse): void {
  applyCors(req, res);
  res.setHeader('Access-Control-Max-Age', '600');
  res.writeHead(204);
  res.end();
}
