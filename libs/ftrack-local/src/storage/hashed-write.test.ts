import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WRITE_BATCH_BYTES, writeHashed } from './hashed-write.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hashed-write-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `data` in chunks of `size` bytes, as a socket hands a request body over. */
const chunked = (data: Buffer, size: number) =>
  Readable.from(Array.from({ length: Math.ceil(data.length / size) }, (_, i) => data.subarray(i * size, (i + 1) * size)));

describe('writeHashed', () => {
  it('writes a body of many batches at its position and hashes exactly what it wrote', async () => {
    const data = randomBytes(3 * WRITE_BATCH_BYTES + 12345);
    const path = join(dir, 'data');
    const handle = await open(path, 'w');
    const stored = await writeHashed(chunked(data, 65_536 - 7), handle, 100).finally(() => handle.close());
    expect(stored).toEqual({ md5Hex: createHash('md5').update(data).digest('hex'), size: data.length });
    const file = await readFile(path);
    expect(file.length).toBe(100 + data.length);
    expect(file.subarray(0, 100).every((b) => b === 0)).toBe(true);
    expect(file.subarray(100).equals(data)).toBe(true);
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
    await expect(writeHashed(endless, handle, 0, { signal: controller.signal }).finally(() => handle.close())).rejects.toThrow(/abort/i);
    expect(endless.destroyed).toBe(true);
  });

  it('fails when the file cannot be written, and destroys the body', async () => {
    const data = randomBytes(2 * WRITE_BATCH_BYTES);
    const source = chunked(data, 65_536);
    const readOnly = await open(join(dir, 'data'), 'w').then(async (h) => (await h.close(), open(join(dir, 'data'), 'r')));
    await expect(writeHashed(source, readOnly, 0).finally(() => readOnly.close())).rejects.toThrow(/EBADF/);
    expect(source.destroyed).toBe(true);
  });
});
