// One server per data dir, and a data dir private to its owner.
import { spawnSync } from 'node:child_process';
import { mkdtemp, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataDirInUseError, startFtrackLocal } from '../index.js';
import { LOCK_FILE_NAME } from './data-dir.js';
import { DB_FILE_NAME } from './sqlite.js';

const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe('data dir', () => {
  it('refuses a second server on the same dir, naming the running one, until it closes', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'ftrack-local-lock-'));
    const first = await startFtrackLocal({ dataDir });
    try {
      const second = startFtrackLocal({ dataDir });
      await expect(second).rejects.toBeInstanceOf(DataDirInUseError);
      await expect(second).rejects.toMatchObject({ url: first.url, pid: process.pid, code: 'E_USAGE' });
      await expect(second).rejects.toThrow(first.url);
    } finally {
      await first.close();
    }
    const again = await startFtrackLocal({ dataDir });
    expect(again.apiKey).toBe(first.apiKey);
    await again.close();
  });

  it('takes over the lock of a process that is gone', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'ftrack-local-stale-'));
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
    await writeFile(join(dataDir, LOCK_FILE_NAME), JSON.stringify({ pid: deadPid, url: 'http://127.0.0.1:1', startedAt: '' }));
    const server = await startFtrackLocal({ dataDir });
    await server.close();
  });

  it('creates the dir 0700 and the database and lock files 0600', async () => {
    const dataDir = join(await mkdtemp(join(tmpdir(), 'ftrack-local-perm-')), 'nested', 'data');
    const server = await startFtrackLocal({ dataDir, seed: 'demo' });
    try {
      expect(await mode(dataDir)).toBe(0o700);
      expect(await mode(join(dataDir, DB_FILE_NAME))).toBe(0o600);
      expect(await mode(join(dataDir, `${DB_FILE_NAME}-wal`))).toBe(0o600);
      expect(await mode(join(dataDir, LOCK_FILE_NAME))).toBe(0o600);
      expect(await mode(join(dataDir, 'storage'))).toBe(0o700);
    } finally {
      await server.close();
    }
  });
});
