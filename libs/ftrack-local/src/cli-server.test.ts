import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from '@ftrack/api';
import { describe, expect, it } from 'vitest';
import { runServerCommand } from './cli-server.js';

describe('runServerCommand', () => {
  it('prints exactly one JSON line with url, user, key, data dir and seed ids', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'ftrack-local-cli-'));
    const lines: string[] = [];
    const server = await runServerCommand({ port: 0, dataDir, seed: true, json: true }, (line) => lines.push(line));
    try {
      expect(lines).toHaveLength(1);
      const info = JSON.parse(lines[0]!);
      expect(Object.keys(info)).toEqual(['url', 'user', 'apiKey', 'dataDir', 'seed']);
      expect(Object.keys(info.seed)).toEqual(['projectId', 'shotId', 'taskId', 'assetId', 'versionId']);
      expect(info.dataDir).toBe(dataDir);
      const session = new Session(info.url, info.user, info.apiKey, { autoConnectEventHub: false });
      await session.initializing;
      const version = await session.query(`select version from AssetVersion where id is ${info.seed.versionId}`);
      expect(version.data).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('prints human-readable lines without --json and never the key twice', async () => {
    const lines: string[] = [];
    const server = await runServerCommand({ port: 0, seed: false }, (line) => lines.push(line));
    try {
      expect(lines[0]).toContain(server.url);
      expect(lines.filter((l) => l.includes(server.apiKey))).toHaveLength(1);
      expect(server.seed).toBeUndefined();
    } finally {
      await server.close();
    }
  });
});

describe('startFtrackLocal on a busy port', () => {
  it('rejects with the listen error and can be retried on the same data dir', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'ftrack-local-busy-'));
    const first = await runServerCommand({ port: 0, seed: false }, () => undefined);
    try {
      const port = Number(new URL(first.url).port);
      await expect(runServerCommand({ port, dataDir, seed: false }, () => undefined)).rejects.toMatchObject({ code: 'EADDRINUSE' });
      const retry = await runServerCommand({ port: 0, dataDir, seed: false }, () => undefined);
      await retry.close();
    } finally {
      await first.close();
    }
  });
});
