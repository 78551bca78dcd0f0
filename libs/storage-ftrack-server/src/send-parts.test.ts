// The sender against a plain HTTP endpoint (below the storage port): parts arrive whole with the
// right ETag check, a dropped part is re-read and sent again, and a refused request gives every
// pooled buffer back (a leaked buffer would stall the next read forever).
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHashing, stopHashing } from './parallel-hasher.js';
import { UploadRejectedError } from './put-bytes.js';
import { sendParts } from './send-parts.js';
import type { UploadJob } from './upload-job.js';

const MiB = 1024 * 1024;
const PART = 2 * MiB;
const noRetryDelay = { retries: 2, baseDelayMs: 1, maxDelayMs: 1 };

describe('sendParts', () => {
  let work: string;
  let data: Buffer;
  let path: string;
  let server: Server;
  let base = '';
  /** What the endpoint does with the next PUT of a part: store it, drop it mid-way, or refuse it at once. */
  let behaviour: (part: number, attempt: number) => 'store' | 'drop' | 'refuse' = () => 'store';
  const received = new Map<number, Buffer>();
  const attempts = new Map<number, number>();

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'send-parts-'));
    data = randomBytes(4 * PART + 12345);
    path = join(work, 'plate.bin');
    await writeFile(path, data);
    server = createServer((req, res) => {
      const part = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('part'));
      const attempt = attempts.get(part) ?? 0;
      attempts.set(part, attempt + 1);
      const action = behaviour(part, attempt);
      if (action === 'refuse') {
        res.writeHead(403, { Connection: 'close' });
        res.end();
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (action === 'drop' && size > MiB / 2) req.socket.destroy();
      });
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        received.set(part, body);
        res.writeHead(200, { ETag: `"${createHash('md5').update(body).digest('hex')}"`, 'Content-Length': 0 });
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address() as { port: number };
    base = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(work, { recursive: true, force: true });
  });

  const job = (): UploadJob => ({
    componentId: 'c',
    path,
    fileName: 'plate.bin',
    size: data.length,
    mtimeMs: 0,
    algorithm: 'sha256',
    onBytes: () => undefined,
  });
  const plan = () => ({
    partSize: PART,
    targets: Array.from({ length: 5 }, (_, i) => ({ url: `${base}/put?part=${i + 1}` })),
    requireEtag: true,
    parallelParts: 2,
  });

  it('sends every part whole, checks its ETag and hashes the file once', async () => {
    behaviour = (part, attempt) => (part === 2 && attempt === 0 ? 'drop' : 'store');
    received.clear();
    attempts.clear();
    const hashing = startHashing(4 * MiB, 'sha256');
    try {
      const sent = await sendParts(job(), plan(), noRetryDelay, await hashing);
      expect(sent.fileHex).toBe(createHash('sha256').update(data).digest('hex'));
      // Buffer.equals: a deep toEqual of 8 MiB takes minutes.
      expect(Buffer.concat([1, 2, 3, 4, 5].map((p) => received.get(p)!)).equals(data)).toBe(true);
      expect([...sent.etags.keys()].sort()).toEqual([1, 2, 3, 4, 5]);
      expect(attempts.get(2)).toBe(2);
      // The dropped part was read again; everything else once.
      expect(sent.bytesRead).toBe(data.length + PART);
    } finally {
      await stopHashing(hashing);
    }
  });

  it('a refused part fails the upload and leaves every pooled buffer free', async () => {
    behaviour = (part) => (part === 3 ? 'refuse' : 'store');
    attempts.clear();
    const hashing = startHashing(4 * MiB, 'sha256');
    try {
      const { pool } = await hashing;
      const error = await sendParts(job(), plan(), noRetryDelay, await hashing).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UploadRejectedError);
      expect((error as UploadRejectedError).status).toBe(403);
      const all = Promise.all(pool.buffers.map(() => pool.take()));
      const stalled = new Promise<'stalled'>((resolve) => setTimeout(() => resolve('stalled'), 5_000).unref());
      expect(await Promise.race([all.then(() => 'free'), stalled])).toBe('free');
    } finally {
      await stopHashing(hashing);
    }
  });
});
