// Storage endpoints of the ftrack.server location (protocol §8):
//   PUT /component/put        signed single-part upload (streamed, hashed, atomic) or one part of a
//                             multi-part upload (written at its offset in the upload's file)
//   GET /component/get        download (Range supported) with Content-Disposition
//   GET /component/remove     delete a stored file
//   GET /component/thumbnail  a component's image
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Transform } from 'node:stream';
import type { Authenticator } from '../http/auth.js';
import { header } from '../http/auth.js';
import { sendJson } from '../http/respond.js';
import type { Faults } from '../faults.js';
import { requestFaults } from '../http/request-faults.js';
import type { Db } from '../store/sqlite.js';
import type { EntityRepo, Row } from '../store/entity-repo.js';
import { LOCATION_IDS } from '../store/reference-data.js';
import type { SchemaView } from '../store/schema-view.js';
import { contentTypeFor } from './content-type.js';
import { ChecksumMismatchError, type FileStore } from './file-store.js';
import { SupersededError, type LatestWins } from './latest-wins.js';
import { isSafeIdentifier } from './safe-path.js';
import type { SignedTokens } from './tokens.js';

export interface StorageDeps {
  db: Db;
  repo: EntityRepo;
  view: SchemaView;
  files: FileStore;
  /** One writer per multi-part part at a time (a retried part supersedes the attempt still writing). */
  partWriters: LatestWins;
  tokens: SignedTokens;
  auth: Authenticator;
  faults: Faults;
  /** Whether the x-ftrack-local-fault header is honoured. */
  faultHeader: boolean;
  log: (line: string) => void;
}

function fail(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { exception: status === 401 ? 'InvalidCredentialsError' : 'ServerError', content: message, error_code: null });
}

export async function handleStorage(req: IncomingMessage, res: ServerResponse, url: URL, deps: StorageDeps): Promise<void> {
  const route = url.pathname.replace(/^\/+/, '/');
  const id = url.searchParams.get('id') ?? '';
  if (!isSafeIdentifier(id)) return fail(res, 400, 'Invalid resource identifier.');
  if (route === '/component/put' && req.method === 'PUT') return handlePut(req, res, url, id, deps);
  if (req.method !== 'GET' && req.method !== 'HEAD') return fail(res, 405, 'Method not allowed.');
  const readAllowed = deps.auth.fromQuery(url.searchParams) !== undefined || deps.tokens.verify({ op: 'get', componentId: id }, url.searchParams.get('token'));
  if (route === '/component/get') {
    if (!readAllowed) return fail(res, 401, 'The supplied API key is not valid.');
    return serveFile(req, res, id, deps, 'attachment');
  }
  if (route === '/component/thumbnail') {
    if (!readAllowed) return fail(res, 401, 'The supplied API key is not valid.');
    const resource = serverResource(deps, id) ?? id;
    return serveFile(req, res, resource, deps, 'inline');
  }
  if (route === '/component/remove') {
    if (!deps.auth.fromQuery(url.searchParams)) return fail(res, 401, 'The supplied API key is not valid.');
    const removed = await deps.files.remove(id);
    return removed ? sendJson(res, 200, { removed: id }) : fail(res, 404, 'No such file.');
  }
  return fail(res, 404, 'Not found.');
}

/** Resource identifier of a component's file in ftrack.server. */
function serverResource(deps: StorageDeps, componentId: string): string | undefined {
  const location = deps.repo
    .findBy(['ComponentLocation'], 'component_id', componentId)
    .map((found) => found.row)
    .find((r) => r['location_id'] === LOCATION_IDS.server);
  const resource = location?.['resource_identifier'];
  return typeof resource === 'string' && isSafeIdentifier(resource) ? resource : undefined;
}

function componentFor(deps: StorageDeps, resource: string): Row | undefined {
  // Resource identifiers in ftrack.server are component ids: look there first, then scan.
  const isServerFile = (r: Row) => r['resource_identifier'] === resource && r['location_id'] === LOCATION_IDS.server;
  const location =
    deps.repo
      .findBy(['ComponentLocation'], 'component_id', resource)
      .map((found) => found.row)
      .find(isServerFile) ?? deps.repo.rows('ComponentLocation').find(isServerFile);
  const componentId = typeof location?.['component_id'] === 'string' ? location['component_id'] : resource;
  return deps.repo.findAmong(deps.view.concreteTypes('Component'), [componentId])?.row;
}

async function serveFile(req: IncomingMessage, res: ServerResponse, resource: string, deps: StorageDeps, disposition: string): Promise<void> {
  const path = deps.files.pathOf(resource);
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a file');
    size = info.size;
  } catch {
    return fail(res, 404, 'No such file.');
  }
  const component = componentFor(deps, resource);
  const fileName = `${String(component?.['name'] ?? resource)}${String(component?.['file_type'] ?? '')}`.replace(/["\\\r\n]/g, '_');
  const headers: Record<string, string | number> = {
    'Content-Type': contentTypeFor(fileName),
    'Content-Disposition': `${disposition}; filename="${fileName}"`,
    'Accept-Ranges': 'bytes',
    'Cache-Control': 'private, max-age=60',
  };
  const range = parseRange(req.headers.range, size);
  if (range === 'invalid') {
    res.writeHead(416, { 'Content-Range': `bytes */${size}` });
    res.end();
    return;
  }
  const [start, end] = range ?? [0, size - 1];
  headers['Content-Length'] = size === 0 ? 0 : end - start + 1;
  if (range) headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
  res.writeHead(range ? 206 : 200, headers);
  if (req.method === 'HEAD' || size === 0) {
    res.end();
    return;
  }
  const stream = createReadStream(path, { start, end });
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

function parseRange(value: string | undefined, size: number): [number, number] | 'invalid' | undefined {
  if (!value) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(value.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (match[1] === '') {
    start = Math.max(0, size - Number(match[2]));
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start > end || start >= size) return 'invalid';
  return [start, end];
}

async function handlePut(req: IncomingMessage, res: ServerResponse, url: URL, id: string, deps: StorageDeps): Promise<void> {
  const uploadId = url.searchParams.get('upload');
  const partText = url.searchParams.get('part');
  const token = url.searchParams.get('token');
  const contentMd5 = header(req, 'content-md5');
  const byKey = deps.auth.fromQuery(url.searchParams) !== undefined;
  const perRequest = requestFaults(req, deps.faultHeader);
  const dropAfter = perRequest.dropAfterBytes ?? deps.faults.takeUploadDrop();
  const bytesPerSecond = perRequest.bytesPerSecond ?? deps.faults.storageBytesPerSecond();
  const body = dropAfter === undefined ? req : req.pipe(dropAfterBytes(req, dropAfter));
  // The request's body chunks are its own fresh buffers: the write thread takes them without a copy.
  const options = { ownsChunks: true, ...(bytesPerSecond ? { bytesPerSecond } : {}) };
  try {
    if (uploadId !== null || partText !== null) {
      const part = Number(partText);
      if (!uploadId || !isSafeIdentifier(uploadId) || !Number.isInteger(part) || part < 1) return fail(res, 400, 'Invalid upload part.');
      if (!byKey && !deps.tokens.verify({ op: 'put', componentId: id, uploadId, part }, token)) return fail(res, 403, 'Invalid or expired upload URL.');
      const session = deps.db.prepare('SELECT component_id, parts, size FROM upload_session WHERE upload_id = ?').get(uploadId) as
        { component_id: string; parts: number; size: number | null } | undefined;
      // Sessions from before positioned part writes have no size: the client starts a new upload.
      if (!session || session.component_id !== id || part > session.parts || session.size === null) return fail(res, 404, 'Unknown upload.');
      const length = Number(req.headers['content-length'] ?? NaN);
      if (!Number.isSafeInteger(length) || length < 0) return fail(res, 411, 'An upload part needs a Content-Length.');
      // Parts 1..n-1 share one size and the last one ends the file (as in every ftrack client),
      // so the length alone places a part; completion checks that the parts tile the file.
      const offset = part < session.parts ? (part - 1) * length : session.size - length;
      if (offset < 0 || offset + length > session.size) {
        return fail(res, 400, `Part ${part} (${length} bytes) does not fit a ${session.size}-byte upload of ${session.parts} parts.`);
      }
      const stored = await deps.partWriters.run(`${uploadId}/${part}`, async (signal) => {
        // Forgotten first: a part whose bytes are being rewritten is not uploaded until it is whole.
        deps.db.prepare('DELETE FROM upload_part WHERE upload_id = ? AND part_number = ?').run(uploadId, part);
        const written = await deps.files.writePart(uploadId, offset, body, { ...options, signal });
        if (written.size !== length) throw new Error(`part ${part} ended after ${written.size} of ${length} bytes`);
        deps.db
          .prepare('INSERT INTO upload_part(upload_id, part_number, md5, size, offset) VALUES(?, ?, ?, ?, ?)')
          .run(uploadId, part, written.md5Hex, written.size, offset);
        return written;
      });
      if (deps.faults.takeUploadResponseDrop({ part: true })) return void req.socket.destroy();
      res.writeHead(200, { ETag: `"${stored.md5Hex}"`, 'Content-Length': 0 });
      res.end();
      return;
    }
    if (!byKey && !deps.tokens.verify({ op: 'put', componentId: id, ...(contentMd5 ? { md5: contentMd5 } : {}) }, token)) {
      return fail(res, 403, 'Invalid or expired upload URL.');
    }
    const stored = await deps.files.write(id, body, { ...options, ...(contentMd5 ? { expectedMd5Base64: contentMd5 } : {}) });
    if (deps.faults.takeUploadResponseDrop({ part: false })) return void req.socket.destroy();
    res.writeHead(200, { ETag: `"${stored.md5Hex}"`, 'Content-Length': 0 });
    res.end();
  } catch (error) {
    if (error instanceof ChecksumMismatchError) return fail(res, 400, error.message);
    if (req.destroyed || res.destroyed) return; // client went away (or a drop fault): nothing to answer
    if (error instanceof SupersededError) return fail(res, 409, error.message);
    deps.log(`PUT /component/put failed: ${(error as Error).message}`);
    fail(res, 500, 'Upload failed.');
  }
}

/** Drop-connection fault: destroys the socket once `limit` body bytes have passed. */
function dropAfterBytes(req: IncomingMessage, limit: number): Transform {
  let seen = 0;
  const transform = new Transform({
    transform(chunk: Buffer, _enc, done) {
      const room = limit - seen;
      seen += chunk.length;
      if (seen <= limit) return done(null, chunk);
      if (room > 0) this.push(chunk.subarray(0, room));
      req.socket.destroy();
      done(new Error('connection dropped by fault injection'));
    },
  });
  // The consumer may attach its pipeline only after an await (e.g. creating the part's
  // directory); the drop must never become an uncaught error in between.
  transform.on('error', () => undefined);
  return transform;
}
