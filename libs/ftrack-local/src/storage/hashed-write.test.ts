import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileStore } from './file-store.js';
import { WRITE_BATCH_BYTES, writeHashed } from './hashed-write.js';
import { resolveWriteWorkerPath, WriteThread } from './write-thread.js';

let dir: string;
let thread: WriteThread;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hashed-write-'));
  thread = new WriteThread(resolveWriteWorkerPath());
});
afterEach(async () => {
  await thread.close();
  await rm(dir, { recursive: true, force: true });
});

/** `data` in chunks of `size` bytes, as views into it. */
const chunked = (data: Buffer, size: number) =>
  Readable.from(Array.from({ length: Math.ceil(data.length / size) }, (_, i) => data.subarray(i * size, (i + 1) * size)));

/** `data` in chunks of `size` bytes, each its own buffer, as a socket hands a request body over. */
const ownChunks = (data: Buffer, size: number) =>
  Array.from({ length: Math.ceil(data.length / size) }, (_, i) => new Uint8Array(data.subarray(i * size, (i + 1) * size)));

/** A worker script that dies on the first write it is given, after the thread has acknowledged `healthy` batches. */
async function crashingWorker(healthy: number): Promise<string> {
  const path = join(dir, 'crashing-worker.mjs');
  await writeFile(
    path,
    `import { parentPort } from 'node:worker_threads';
let seen = 0;
parentPort.on('message', (m) => {
  if (m.type !== 'write') return;
  if (seen++ >= ${healthy}) throw new Error('boom');
  parentPort.postMessage({ type: 'written', stream: m.stream });
});`,
  );
  return path;
}

describe('writeHashed', () => {
  it('writes a body of many batches at its position and hashes exactly what it wrote, whatever the chunking', async () => {
    const data = randomBytes(3 * WRITE_BATCH_BYTES + 12345);
    const md5Hex = createHash('md5').update(data).digest('hex');
    for (const chunkSize of [4096 - 3, 65_536 - 7, WRITE_BATCH_BYTES + 5, data.length]) {
      const path = join(dir, `data-${chunkSize}`);
      const handle = await open(path, 'w');
      const stored = await writeHashed(chunked(data, chunkSize), handle, 100, thread).finally(() => handle.close());
      expect(stored).toEqual({ md5Hex, size: data.length });
      const file = await readFile(path);
      expect(file.length).toBe(100 + data.length);
      expect(file.subarray(0, 100).every((b) => b === 0)).toBe(true);
      expect(file.subarray(100).equals(data)).toBe(true);
    }
    // One-byte chunks: batches end at 256 buffers, not at 1 MiB.
    const small = randomBytes(1000);
    const handle = await open(join(dir, 'small'), 'w');
    const stored = await writeHashed(chunked(small, 1), handle, 0, thread).finally(() => handle.close());
    expect(stored).toEqual({ md5Hex: createHash('md5').update(small).digest('hex'), size: 1000 });
    expect((await readFile(join(dir, 'small'))).equals(small)).toBe(true);
  });

  it('takes whole-buffer chunks of a body it owns without a copy, and copies views (the caller keeps them)', async () => {
    const data = randomBytes(2 * WRITE_BATCH_BYTES + 777);
    const own = ownChunks(data, 65_536);
    const views = [data.subarray(0, 10), data.subarray(10)];
    const path = join(dir, 'data');
    const handle = await open(path, 'w');
    const first = await writeHashed(Readable.from(own), handle, 0, thread, { ownsChunks: true });
    const second = await writeHashed(Readable.from(views), handle, data.length, thread, { ownsChunks: true }).finally(() => handle.close());
    expect(first.md5Hex).toBe(createHash('md5').update(data).digest('hex'));
    expect(second.md5Hex).toBe(first.md5Hex);
    expect((await readFile(path)).equals(Buffer.concat([data, data]))).toBe(true);
    expect(own.every((chunk) => chunk.byteLength === 0)).toBe(true); // transferred to the thread
    expect(views[1]!.length).toBe(data.length - 10); // copied: still the caller's
  });

  it('frees the buffers of a body it owns as soon as they are written, without waiting for a garbage collection', async () => {
    const chunk = 65_536;
    const chunks = (64 * 1024 * 1024) / chunk;
    let made = 0;
    const body = new Readable({
      read() {
        this.push(made++ < chunks ? Buffer.alloc(chunk, made) : null); // each chunk its own buffer, as a socket's
      },
    });
    const before = process.memoryUsage().arrayBuffers;
    const handle = await open(join(dir, 'data'), 'w');
    const stored = await writeHashed(body, handle, 0, thread, { ownsChunks: true }).finally(() => handle.close());
    expect(stored.size).toBe(64 * 1024 * 1024);
    // Left to the write thread's collector they would still be allocated (64 MiB here).
    expect((process.memoryUsage().arrayBuffers - before) / 1024 / 1024).toBeLessThan(16);
  });

  it('writes bodies side by side into one file at their offsets, each with its own MD5', async () => {
    const parts = [randomBytes(WRITE_BATCH_BYTES * 2 + 1), randomBytes(WRITE_BATCH_BYTES + 3), randomBytes(5000)];
    const offsets = [0, parts[0]!.length, parts[0]!.length + parts[1]!.length];
    const path = join(dir, 'data');
    await writeFile(path, '');
    const stored = await Promise.all(
      parts.map(async (part, i) => {
        const handle = await open(path, 'r+');
        return writeHashed(Readable.from(ownChunks(part, 65_536 - 11)), handle, offsets[i]!, thread, { ownsChunks: true }).finally(() => handle.close());
      }),
    );
    expect(stored.map((s) => s.md5Hex)).toEqual(parts.map((p) => createHash('md5').update(p).digest('hex')));
    expect((await readFile(path)).equals(Buffer.concat(parts))).toBe(true);
  });

  it('stops with the abort signal and leaves no write running', async () => {
    const controller = new AbortController();
    let sent = 0;
    const endless = new Readable({
      read() {
        sent += 65_536;
        if (sent > 4 * WRITE_BATCH_BYTES) controller.abort();
        this.push(Buffer.alloc(65_536, 1));
      },
    });
    const handle = await open(join(dir, 'data'), 'w');
    await expect(writeHashed(endless, handle, 0, thread, { signal: controller.signal }).finally(() => handle.close())).rejects.toThrow(/abort/i);
    expect(endless.destroyed).toBe(true);
  });

  it('fails when the file cannot be written, and destroys the body', async () => {
    const data = randomBytes(2 * WRITE_BATCH_BYTES);
    const source = chunked(data, 65_536);
    const readOnly = await open(join(dir, 'data'), 'w').then(async (h) => (await h.close(), open(join(dir, 'data'), 'r')));
    await expect(writeHashed(source, readOnly, 0, thread).finally(() => readOnly.close())).rejects.toThrow(/EBADF/);
    expect(source.destroyed).toBe(true);
    // The thread lives on for the next body.
    const handle = await open(join(dir, 'next'), 'w');
    await expect(writeHashed(chunked(data, 65_536), handle, 0, thread).finally(() => handle.close())).resolves.toMatchObject({ size: data.length });
  });

  it('fails every body in flight when the write thread dies, then starts a new thread', async () => {
    const crashing = new WriteThread(await crashingWorker(1));
    const data = randomBytes(3 * WRITE_BATCH_BYTES);
    const handle = await open(join(dir, 'data'), 'w');
    try {
      await expect(writeHashed(chunked(data, 65_536), handle, 0, crashing)).rejects.toThrow(/storage write thread (failed: boom|stopped)/);
      // A new thread (of the same script) takes the next body: its first batch is acknowledged.
      const next = crashing.stream();
      await expect(next.write(handle.fd, 0, [new Uint8Array(10)])).resolves.toBeUndefined();
      next.drop();
    } finally {
      await handle.close();
      await crashing.close();
    }
  });
});

describe('FileStore on the write thread', () => {
  it('leaves no file behind when the write thread dies during a single-part write', async () => {
    const files = new FileStore(join(dir, 'server'), await crashingWorker(0));
    await files.init();
    try {
      await expect(files.write('component-1', chunked(randomBytes(2 * WRITE_BATCH_BYTES), 65_536))).rejects.toThrow(/storage write thread/);
      expect(await files.sizeOf('component-1')).toBeUndefined();
      const { readdir } = await import('node:fs/promises');
      expect(await readdir(files.root)).toEqual([]);
    } finally {
      await files.close();
    }
  });

  it('reports a missing worker script clearly', () => {
    expect(() => new FileStore(join(dir, 'server'), join(dir, 'nowhere', 'write-worker.mjs'))).toThrow(/write worker script is missing/);
  });
});
