// Serves the web app's static files at /web/ with the cross-origin isolation
// headers ffmpeg.wasm (SharedArrayBuffer) needs.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { sendText } from './respond.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
};

export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export async function serveStatic(req: IncomingMessage, res: ServerResponse, root: string, relativePath: string): Promise<void> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(relativePath);
  } catch {
    return sendText(res, 400, 'Bad path');
  }
  if (decoded.includes('\0')) return sendText(res, 400, 'Bad path');
  const base = resolve(root);
  let path = resolve(base, `.${sep}${decoded}`);
  if (path !== base && !path.startsWith(base + sep)) return sendText(res, 404, 'Not found');
  try {
    let info = await stat(path);
    if (info.isDirectory()) {
      path = resolve(path, 'index.html');
      info = await stat(path);
    }
    if (!info.isFile()) throw new Error('not a file');
    res.writeHead(200, {
      ...ISOLATION_HEADERS,
      'Content-Type': TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': info.size,
      'Cache-Control': 'no-cache',
    });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(path).pipe(res);
  } catch {
    sendText(res, 404, 'Not found');
  }
}
