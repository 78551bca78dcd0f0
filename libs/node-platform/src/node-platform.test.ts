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
