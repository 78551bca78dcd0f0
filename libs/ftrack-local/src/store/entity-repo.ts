// Generic entity storage: one row per entity, keyed by concrete type and
// primary-key values, the attributes as JSON (API names, FKs as *_id,
// datetimes as naive UTC ISO strings). Reads of a whole type are cached in
// memory and invalidated on writes; a rolled-back batch drops the cache.
import type { Db } from './sqlite.js';

export type Row = Record<string, unknown>;

export type ChangeAction = 'add' | 'update' | 'remove';

export interface EntityChange {
  action: ChangeAction;
  type: string;
  key: string[];
  before?: Row;
  after?: Row;
}

export function encodeKey(values: readonly unknown[]): string {
  return values.length === 1 ? String(values[0]) : JSON.stringify(values.map((v) => String(v)));
}

export class EntityRepo {
  private readonly cache = new Map<string, Row[]>();
  private changes: EntityChange[] = [];
  private inTransaction = false;

  constructor(private readonly db: Db) {}

  rows(type: string): Row[] {
    let rows = this.cache.get(type);
    if (!rows) {
      const raw = this.db.prepare('SELECT data FROM entity WHERE type = ? ORDER BY rowid').all(type) as { data: string }[];
      rows = raw.map((r) => JSON.parse(r.data) as Row);
      this.cache.set(type, rows);
    }
    return rows;
  }

  get(type: string, key: readonly unknown[]): Row | undefined {
    const raw = this.db.prepare('SELECT data FROM entity WHERE type = ? AND key = ?').get(type, encodeKey(key)) as
      | { data: string }
      | undefined;
    return raw ? (JSON.parse(raw.data) as Row) : undefined;
  }

  /** Finds an entity by key among several concrete types (a base type's subtypes). */
  findAmong(types: readonly string[], key: readonly unknown[]): { type: string; row: Row } | undefined {
    if (types.length === 0) return undefined;
    const marks = types.map(() => '?').join(',');
    const raw = this.db
      .prepare(`SELECT type, data FROM entity WHERE key = ? AND type IN (${marks}) LIMIT 1`)
      .get(encodeKey(key), ...types) as { type: string; data: string } | undefined;
    return raw ? { type: raw.type, row: JSON.parse(raw.data) as Row } : undefined;
  }

  insert(type: string, key: readonly unknown[], row: Row): void {
    this.db.prepare('INSERT INTO entity(type, key, data) VALUES(?, ?, ?)').run(type, encodeKey(key), JSON.stringify(row));
    this.cache.delete(type);
    this.record({ action: 'add', type, key: key.map(String), after: row });
  }

  replace(type: string, key: readonly unknown[], row: Row, before: Row): void {
    this.db.prepare('UPDATE entity SET data = ? WHERE type = ? AND key = ?').run(JSON.stringify(row), type, encodeKey(key));
    this.cache.delete(type);
    this.record({ action: 'update', type, key: key.map(String), before, after: row });
  }

  remove(type: string, key: readonly unknown[], before: Row): void {
    this.db.prepare('DELETE FROM entity WHERE type = ? AND key = ?').run(type, encodeKey(key));
    this.cache.delete(type);
    this.record({ action: 'remove', type, key: key.map(String), before });
  }

  /** Runs fn in one SQLite transaction; returns its result and the changes it made. */
  transaction<T>(fn: () => T): { result: T; changes: EntityChange[] } {
    if (this.inTransaction) return { result: fn(), changes: [] };
    this.inTransaction = true;
    this.changes = [];
    try {
      const result = this.db.transaction(fn)();
      return { result, changes: this.changes };
    } catch (error) {
      this.cache.clear();
      throw error;
    } finally {
      this.inTransaction = false;
      this.changes = [];
    }
  }

  private record(change: EntityChange): void {
    if (this.inTransaction) this.changes.push(change);
  }
}
