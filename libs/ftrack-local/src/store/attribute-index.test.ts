// The attribute index is rebuilt for a data dir that lacks it (an older version's),
// and lookups through it answer queries after a restart.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Session } from '@ftrack/api';
import { describe, expect, it } from 'vitest';
import { startFtrackLocal } from '../index.js';
import { indexEntries } from './attribute-index.js';
import { DB_FILE_NAME } from './sqlite.js';

describe('attribute index', () => {
  it('indexes ids and foreign keys exactly and names lower-cased', () => {
    expect(indexEntries({ id: 'A-1', asset_id: 'B', name: 'SH010', comment: 'x', version: 3, parent_id: null })).toEqual([
      ['id', 'A-1'],
      ['asset_id', 'B'],
      ['name', 'sh010'],
    ]);
  });

  it('is rebuilt at start for a data dir without it', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'ftrack-local-reindex-'));
    const first = await startFtrackLocal({ dataDir, seed: 'demo' });
    const seed = first.seed!;
    await first.close();
    const raw = new Database(join(dataDir, DB_FILE_NAME));
    raw.exec("DELETE FROM entity_attr; DELETE FROM meta WHERE name = 'attribute_index';");
    raw.close();

    const second = await startFtrackLocal({ dataDir, seed: 'demo' });
    try {
      const session = new Session(second.url, second.user, second.apiKey, { autoConnectEventHub: false });
      await session.initializing;
      const versions = await session.query(`select id from AssetVersion where asset.parent.id is "${seed.shotId}"`);
      expect(versions.data).toEqual([expect.objectContaining({ id: seed.versionId })]);
      const tasks = await session.query('select name from Task where parent.name is "SH010"');
      expect(tasks.data).toEqual([expect.objectContaining({ name: 'compositing' })]);
    } finally {
      await second.close();
    }
  });
});
