// A small review page: projects -> versions (thumbnails) -> a version with an
// HTML5 player and each component's metadata. No framework; the API key stays
// in sessionStorage (taken once from the URL fragment, which never reaches the server).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { REVIEW_HTML } from './page-html.js';
import { REVIEW_SCRIPT } from './page-script.js';

const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; media-src 'self'; connect-src 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

function send(res: ServerResponse, type: string, body: string): void {
  res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Answers the review page routes; returns false for any other path. */
export function handleReviewPage(req: IncomingMessage, res: ServerResponse, path: string): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (path === '/review/app.js') {
    send(res, 'text/javascript; charset=utf-8', REVIEW_SCRIPT);
    return true;
  }
  if (path === '/' || path === '/review' || path === '/review/' || /^\/review\/(project|version)\/[A-Za-z0-9-]+\/?$/.test(path)) {
    send(res, 'text/html; charset=utf-8', REVIEW_HTML);
    return true;
  }
  return false;
}
