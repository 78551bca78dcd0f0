import { mkdtemp, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isEncodeError } from '@ftrack-encode/core';
import { NodeFileSystem, NodeHasher, StreamLogger, redactText } from './index.js';

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
