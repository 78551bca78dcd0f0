import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEncodeError } from '@ftrack-encode/core';
import { CHUNK_BYTES, hashFileInParts } from './parallel-hasher.js';

const MiB = 1024 * 1024;

/** The reference: one pass over the bytes on this thread. */
function onePass(data: Buffer, partSize: number): { fileHex: string; partMd5s: string[] } {
  const partMd5s: string[] = [];
  for (let start = 0; start < data.length || partMd5s.length === 0; start += partSize) {
    partMd5s.push(
      createHash('md5')
        .update(data.subarray(start, start + partSize))
        .digest('hex'),
    );
  }
  return { fileHex: createHash('sha256').update(data).digest('hex'), partMd5s };
}

describe('hashFileInParts (worker threads over a shared chunk pool)', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'parallel-hasher-'));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  async function fileOf(size: number): Promise<{ path: string; data: Buffer }> {
    const data = randomBytes(size);
    const path = join(work, `f-${size}-${Math.random().toString(36).slice(2)}`);
    await writeFile(path, data);
    return { path, data };
  }

  // Part sizes that divide the file, that do not, smaller than a chunk, not a multiple of a chunk,
  // larger than the file; a pool of only 4 chunks so slots are reused many times over.
  const oddSize = 9 * MiB + 4321;
  it.each([
    ['parts of 3 MiB, the last one short', oddSize, 3 * MiB],
    ['parts not dividing the file nor a multiple of a chunk', oddSize, CHUNK_BYTES + 777],
    ['parts smaller than a chunk', oddSize, 100_000],
    ['one part larger than the file', oddSize, 64 * MiB],
    ['parts that divide the file exactly', 9 * MiB, 3 * MiB],
  ])('%s: same digests as one pass', async (_name, size, partSize) => {
    const { path, data } = await fileOf(size);
    expect(await hashFileInParts(path, size, { partSize, algorithm: 'sha256', bufferBytes: 4 * MiB })).toEqual(onePass(data, partSize));
  });

  it('an empty file is one empty part', async () => {
    const { path, data } = await fileOf(0);
    const digests = await hashFileInParts(path, 0, { partSize: 8 * MiB, algorithm: 'sha256' });
    expect(digests).toEqual(onePass(data, 8 * MiB));
    expect(digests.partMd5s).toEqual(['d41d8cd98f00b204e9800998ecf8427e']);
  });

  it('the whole-file algorithm follows the configured one', async () => {
    const { path, data } = await fileOf(2 * MiB + 1);
    const digests = await hashFileInParts(path, data.length, { partSize: MiB, algorithm: 'sha1' });
    expect(digests.fileHex).toBe(createHash('sha1').update(data).digest('hex'));
  });

  it('a file shorter than announced is a clear error, not a wrong digest', async () => {
    const { path } = await fileOf(MiB);
    const error = await hashFileInParts(path, MiB + 10, { partSize: MiB, algorithm: 'sha256' }).catch((e: unknown) => e);
    expect(isEncodeError(error, 'E_STORAGE_FAILED')).toBe(true);
    expect((error as Error).message).toContain('changed while uploading');
  });

  it('a missing worker script names the file to ship', async () => {
    const { path } = await fileOf(10);
    const error = await hashFileInParts(path, 10, { partSize: MiB, algorithm: 'sha256', workerPath: join(work, 'nowhere', 'hash-worker.mjs') }).catch(
      (e: unknown) => e,
    );
    expect(isEncodeError(error, 'E_STORAGE_FAILED')).toBe(true);
    expect((error as Error).message).toContain('hash-worker.mjs');
  });
});
