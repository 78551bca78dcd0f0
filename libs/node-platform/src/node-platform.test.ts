import { mkdtemp, readdir, rename, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isEncodeError, type Hasher } from '@ftrack-encode/core';
import { CachingHasher, NodeFileSystem, NodeHasher, StreamLogger, redactText } from './index.js';

describe('node platform', () => {
  it('hashes a file in every supported algorithm', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'np-'));
    const file = join(dir, 'a b ü.bin');
    const data = Buffer.alloc(3 << 20, 7);
    await writeFile(file, data);
    for (const algorithm of ['sha256', 'md5', 'sha1'] as const) {
      const sum = await new NodeHasher().hashFile(file, algorithm);
      expect(sum.hex).toBe(createHash(algorithm).update(data).digest('hex'));
    }
  });

  it('reports an unwritable output dir with E_OUTPUT_UNWRITABLE', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'np-'));
    const file = join(dir, 'not-a-dir');
    await writeFile(file, 'x');
    const error = await new NodeFileSystem().ensureWritableDir(join(file, 'sub')).catch((e: unknown) => e);
    expect(isEncodeError(error, 'E_OUTPUT_UNWRITABLE')).toBe(true);
    expect(await readdir(dir)).toEqual(['not-a-dir']);
  });

  it('never writes an API key', () => {
    const lines: string[] = [];
    const logger = new StreamLogger({ json: true, write: (l) => lines.push(l) });
    logger.info('GET http://h/component/get?id=1&apiKey=SECRET123&username=u', { apiKey: 'SECRET123', headers: { 'ftrack-api-key': 'SECRET123' } });
    expect(lines.join('\n')).not.toContain('SECRET123');
    expect(redactText('ftrack-api-key: abc')).toBe('ftrack-api-key: [redacted]');
  });
});

describe('FilePublishLock', () => {
  it('serialises holders of the same key and takes over a dead owner', async () => {
    const { FilePublishLock } = await import('./file-publish-lock.js');
    const dir = await mkdtemp(join(tmpdir(), 'lock-'));
    const lock = new FilePublishLock(dir);
    const order: string[] = [];
    const first = await lock.acquire('k');
    const second = lock.acquire('k').then(async (release) => {
      order.push('second');
      await release();
    });
    await new Promise((r) => setTimeout(r, 300));
    order.push('first-done');
    await first();
    await second;
    expect(order).toEqual(['first-done', 'second']);
    // a lock file left by a dead process on this host is taken over
    const { hostname } = await import('node:os');
    const files = await readdir(dir);
    expect(files).toEqual([]);
    const release = await lock.acquire('dead');
    const [file] = await readdir(dir);
    await release();
    await writeFile(join(dir, file!), `${hostname()} 999999`);
    const again = await lock.acquire('dead', { timeoutMs: 2000 });
    await again();
  });
});

describe('CachingHasher', () => {
  async function frames(count: number) {
    const dir = await mkdtemp(join(tmpdir(), 'checksum-cache-'));
    const paths: string[] = [];
    for (let i = 0; i < count; i++) {
      const path = join(dir, `plate.${String(1001 + i).padStart(4, '0')}.exr`);
      await writeFile(path, `frame ${i}\n`.repeat(100));
      paths.push(path);
    }
    return { dir, paths };
  }

  function counting() {
    const inner = new NodeHasher();
    const calls = { files: 0 };
    const hasher: Hasher = {
      hashFile: (p, a, o) => inner.hashFile(p, a, o),
      hashFiles: (p, a, o) => ((calls.files += 1), inner.hashFiles(p, a, o)),
    };
    return { hasher, calls };
  }

  it('returns the same digest as one pass over the bytes, and reads an unchanged sequence only once', async () => {
    const { dir, paths } = await frames(40);
    const { hasher, calls } = counting();
    const cached = new CachingHasher(hasher, `${dir}/cache`);
    const first = await cached.hashFiles(paths);
    expect(first).toEqual(await new NodeHasher().hashFiles(paths));
    expect(await cached.hashFiles(paths)).toEqual(first);
    expect(calls.files).toBe(1);
    expect(await cached.hashFiles(paths, 'sha256', { rehash: true })).toEqual(first);
    expect(calls.files).toBe(2);
  });

  it('reads again when a frame is touched, replaced or renamed; the checksum follows the bytes', async () => {
    const { dir, paths } = await frames(10);
    const { hasher, calls } = counting();
    const cached = new CachingHasher(hasher, `${dir}/cache`);
    const original = await cached.hashFiles(paths);
    // Touched: same bytes, new mtime -> read again, same digest.
    await utimes(paths[3]!, new Date(), new Date(Date.now() + 5000));
    expect(await cached.hashFiles(paths)).toEqual(original);
    expect(calls.files).toBe(2);
    // Replaced with other bytes of the same size, mtime put back: ctime still changes.
    const before = await stat(paths[5]!);
    await writeFile(paths[5]!, `FRAME 5\n`.repeat(100));
    await utimes(paths[5]!, before.atime, before.mtime);
    const replaced = await cached.hashFiles(paths);
    expect(replaced.hex).not.toBe(original.hex);
    expect(calls.files).toBe(3);
    // Renamed frame: another path, another key.
    const moved = `${paths[7]}.moved`;
    await rename(paths[7]!, moved);
    await cached.hashFiles(paths.map((p, i) => (i === 7 ? moved : p)));
    expect(calls.files).toBe(4);
    await rename(moved, paths[7]!);
    const back = await cached.hashFiles(paths);
    // A re-render renamed over a frame (write elsewhere, then mv): same path, same size, the old
    // frame's mtime copied -> only the inode (and ctime) tell; read again, and the checksum follows.
    const rendered = join(dir, 'render.tmp');
    const old = await stat(paths[8]!);
    await writeFile(rendered, `frame X\n`.repeat(100));
    await utimes(rendered, old.atime, old.mtime);
    await rename(rendered, paths[8]!);
    expect((await stat(paths[8]!)).size).toBe(old.size);
    const rerendered = await cached.hashFiles(paths);
    expect(rerendered.hex).not.toBe(back.hex);
    expect(rerendered).toEqual(await new NodeHasher().hashFiles(paths));
    expect(calls.files).toBe(6);
  });
});
