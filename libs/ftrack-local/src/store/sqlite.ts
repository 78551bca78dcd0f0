// Opens the SQLite file that holds every entity and server-side bookkeeping.
// Entities live in one generic table; entity_attr indexes their ids, foreign keys
// and names (see attribute-index.ts) so lookups never read a whole type.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { indexEntries } from './attribute-index.js';

export type Db = Database.Database;

export const DB_FILE_NAME = 'ftrack-local.sqlite';

export function openDatabase(dataDir: string): Db {
  const db = new Database(join(dataDir, DB_FILE_NAME));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // 64 MB of page cache (the default is 2 MB): a 200k-entity store's indexes stay in memory.
  db.pragma('cache_size = -65536');
  db.pragma('temp_store = MEMORY');
  db.exec(`
    CREATE TABLE IF NOT EXISTS entity (
      type TEXT NOT NULL,
      key  TEXT NOT NULL,
      data TEXT NOT NULL,
      PRIMARY KEY (type, key)
    );
    CREATE INDEX IF NOT EXISTS entity_key ON entity(key);
    CREATE TABLE IF NOT EXISTS entity_attr (
      type  TEXT NOT NULL,
      attr  TEXT NOT NULL,
      value TEXT NOT NULL,
      key   TEXT NOT NULL,
      PRIMARY KEY (type, attr, value, key)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS meta (
      name  TEXT PRIMARY KEY,
      value TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS api_user (
      username TEXT PRIMARY KEY,
      api_key  TEXT NOT NULL,
      user_id  TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS upload_session (
      upload_id    TEXT PRIMARY KEY,
      component_id TEXT NOT NULL,
      parts        INTEGER NOT NULL,
      created_at   TEXT NOT NULL,
      size         INTEGER
    );
    CREATE TABLE IF NOT EXISTS upload_part (
      upload_id   TEXT NOT NULL,
      part_number INTEGER NOT NULL,
      md5         TEXT NOT NULL,
      size        INTEGER NOT NULL,
      offset      INTEGER,
      PRIMARY KEY (upload_id, part_number)
    );
  `);
  addColumn(db, 'upload_session', 'size', 'INTEGER');
  addColumn(db, 'upload_part', 'offset', 'INTEGER');
  ensureAttributeIndex(db);
  return db;
}

/** Columns added after a table's first release (data dirs created before get them empty). */
function addColumn(db: Db, table: string, column: string, type: string): void {
  const columns = db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[];
  if (!columns.some((c) => c.name === column)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
}

const ATTRIBUTE_INDEX_VERSION = '1';

/** Data dirs from before entity_attr (or an older index format) are indexed once at open. */
function ensureAttributeIndex(db: Db): void {
  if (readMeta(db, 'attribute_index') === ATTRIBUTE_INDEX_VERSION) return;
  const insert = db.prepare('INSERT OR IGNORE INTO entity_attr(type, attr, value, key) VALUES(?, ?, ?, ?)');
  db.transaction(() => {
    db.exec('DELETE FROM entity_attr');
    // In pages by rowid: better-sqlite3 cannot write while a read is still iterating.
    const page = db.prepare('SELECT rowid AS id, type, key, data FROM entity WHERE rowid > ? ORDER BY rowid LIMIT 5000');
    for (let after = 0; ;) {
      const rows = page.all(after) as { id: number; type: string; key: string; data: string }[];
      if (rows.length === 0) break;
      for (const row of rows) {
        for (const [attr, value] of indexEntries(JSON.parse(row.data) as Record<string, unknown>)) insert.run(row.type, attr, value, row.key);
      }
      after = rows.at(-1)!.id;
    }
    writeMeta(db, 'attribute_index', ATTRIBUTE_INDEX_VERSION);
  })();
}

export function readMeta(db: Db, name: string): string | undefined {
  const row = db.prepare('SELECT value FROM meta WHERE name = ?').get(name) as { value: string } | undefined;
  return row?.value;
}

export function writeMeta(db: Db, name: string, value: string): void {
  db.prepare('INSERT INTO meta(name, value) VALUES(?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value').run(name, value);
}
