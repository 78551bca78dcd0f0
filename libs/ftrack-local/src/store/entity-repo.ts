// Generic entity storage: one row per entity, keyed by concrete type and
// primary-key values, the attributes as JSON (API names, FKs as *_id,
// datetimes as naive UTC ISO strings). Ids, foreign keys and names are indexed
// in entity_attr, so lookups read only the rows they return. Reads of a whole
// type are cached in memory and invalidated on writes; a rolled-back batch drops the cache.
import type { Statement } from 'better-sqlite3';
import { indexEntries, indexText } from './attribute-index.js';
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

/** A stored row's identity and insertion order, without its data. */
export interface StoredRef {
  type: string;
  key: string;
  order: number;
}

const CHUNK = 400;
const MAX_CACHED_ROWS = 5_000;

export class EntityRepo {
  private readonly cache = new Map<string, Row[]>();
  private readonly statements = new Map<string, Statement>();
  /** Bumped on every write to a type: invalidates sorted pages. */
  private readonly generations = new Map<string, number>();
  private writes = 0;
  private changes: EntityChange[] = [];
  private inTransaction = false;

  constructor(private readonly db: Db) {}

  private statement(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Rows of the types whose indexed attribute has the value, in insertion order. */
  findBy(types: readonly string[], attribute: string, value: unknown): { type: string; row: Row }[] {
    const text = indexText(attribute, value);
    if (types.length === 0 || text === undefined) return [];
    const sql =
      `SELECT e.type AS type, e.data AS data FROM entity_attr a JOIN entity e ON e.type = a.type AND e.key = a.key ` +
      `WHERE a.type IN (${marks(types.length)}) AND a.attr = ? AND a.value = ? ORDER BY e.rowid`;
    const raw = this.statement(sql).all(...types, attribute, text) as { type: string; data: string }[];
    return raw.map((r) => ({ type: r.type, row: JSON.parse(r.data) as Row }));
  }

  /** Identities of the rows whose indexed attribute has one of the index texts (no row data read). */
  refsBy(types: readonly string[], attribute: string, texts: readonly string[]): StoredRef[] {
    if (types.length === 0) return [];
    const out: StoredRef[] = [];
    for (let i = 0; i < texts.length; i += CHUNK) {
      const chunk = texts.slice(i, i + CHUNK);
      const sql =
        `SELECT e.type AS type, e.key AS key, e.rowid AS "order" FROM entity_attr a JOIN entity e ON e.type = a.type AND e.key = a.key ` +
        `WHERE a.type IN (${marks(types.length)}) AND a.attr = ? AND a.value IN (${marks(chunk.length)})`;
      out.push(...(this.statement(sql).all(...types, attribute, ...chunk) as StoredRef[]));
    }
    return out;
  }

  /** Highest numeric value of `field` among rows whose indexed attribute has the value (SQL, no rows read). */
  maxBy(type: string, attribute: string, value: unknown, field: string): number | undefined {
    const text = indexText(attribute, value);
    if (text === undefined || !/^\w+$/.test(field)) return undefined;
    const sql =
      `SELECT MAX(json_extract(e.data, '$.${field}')) AS top FROM entity_attr a JOIN entity e ON e.type = a.type AND e.key = a.key ` +
      `WHERE a.type = ? AND a.attr = ? AND a.value = ? AND json_type(e.data, '$.${field}') IN ('integer', 'real')`;
    const top = (this.statement(sql).get(type, attribute, text) as { top: number | null }).top;
    return top === null ? undefined : top;
  }

  /** Every identity of the types with stored top-level attribute values, in one scan. */
  allValues(types: readonly string[], attributes: readonly string[]): { ref: StoredRef; values: unknown[] }[] {
    if (types.length === 0) return [];
    const columns = attributes.map((a, n) => {
      if (!/^\w+$/.test(a)) throw new Error(`Not a plain attribute name: ${a}`);
      return `json_extract(data, '$.${a}') AS v${n}`;
    });
    const sql = `SELECT type, key, rowid, ${columns.join(', ')} FROM entity WHERE type IN (${marks(types.length)})`;
    // Raw rows (arrays) are much cheaper than objects for a whole type.
    const rows = this.statement(sql)
      .raw(true)
      .all(...types) as unknown[][];
    return rows.map((r) => ({ ref: { type: String(r[0]), key: String(r[1]), order: Number(r[2]) }, values: r.slice(3) }));
  }

  /** Changes whenever a row of one of the types (of any type, for an empty list) is written. */
  generation(types: readonly string[]): string {
    if (types.length === 0) return String(this.writes);
    return types.map((t) => this.generations.get(t) ?? 0).join(',');
  }

  /** Identities of every row of the types, in insertion order. */
  allRefs(types: readonly string[]): StoredRef[] {
    if (types.length === 0) return [];
    const sql = `SELECT type, key, rowid AS "order" FROM entity WHERE type IN (${marks(types.length)}) ORDER BY rowid`;
    return this.statement(sql).all(...types) as StoredRef[];
  }

  /** Rows for identities, in the order given (missing ones are skipped). */
  load(refs: readonly StoredRef[]): { type: string; row: Row }[] {
    const found = new Map<string, Row>();
    for (const [type, keys] of groupByType(refs)) {
      for (let i = 0; i < keys.length; i += CHUNK) {
        const chunk = keys.slice(i, i + CHUNK);
        const sql = `SELECT key, data FROM entity WHERE type = ? AND key IN (${marks(chunk.length)})`;
        for (const r of this.statement(sql).all(type, ...chunk) as { key: string; data: string }[]) {
          found.set(`${type}\u0000${r.key}`, JSON.parse(r.data) as Row);
        }
      }
    }
    const out: { type: string; row: Row }[] = [];
    for (const ref of refs) {
      const row = found.get(`${ref.type}\u0000${ref.key}`);
      if (row) out.push({ type: ref.type, row });
    }
    return out;
  }

  /** Stored values of top-level attributes for identities (to sort without reading whole rows). */
  values(refs: readonly StoredRef[], attributes: readonly string[]): Map<string, unknown[]> {
    const columns = attributes.map((a) => {
      if (!/^\w+$/.test(a)) throw new Error(`Not a plain attribute name: ${a}`);
      return `json_extract(data, '$.${a}')`;
    });
    const out = new Map<string, unknown[]>();
    for (const [type, keys] of groupByType(refs)) {
      for (let i = 0; i < keys.length; i += CHUNK) {
        const chunk = keys.slice(i, i + CHUNK);
        const sql = `SELECT key, ${columns.map((c, n) => `${c} AS v${n}`).join(', ')} FROM entity WHERE type = ? AND key IN (${marks(chunk.length)})`;
        for (const r of this.statement(sql).all(type, ...chunk) as Record<string, unknown>[]) {
          out.set(
            `${type}\u0000${String(r['key'])}`,
            attributes.map((_, n) => r[`v${n}`]),
          );
        }
      }
    }
    return out;
  }

  /** Every row of a type (full scans only: lookups go through the index). Small types stay cached. */
  rows(type: string): Row[] {
    let rows = this.cache.get(type);
    if (!rows) {
      const raw = this.statement('SELECT data FROM entity WHERE type = ? ORDER BY rowid').all(type) as { data: string }[];
      rows = raw.map((r) => JSON.parse(r.data) as Row);
      // Caching a type of 100k versions would hold it in memory for good: only reference-sized types.
      if (rows.length <= MAX_CACHED_ROWS) this.cache.set(type, rows);
    }
    return rows;
  }

  get(type: string, key: readonly unknown[]): Row | undefined {
    const raw = this.statement('SELECT data FROM entity WHERE type = ? AND key = ?').get(type, encodeKey(key)) as { data: string } | undefined;
    return raw ? (JSON.parse(raw.data) as Row) : undefined;
  }

  /** Finds an entity by key among several concrete types (a base type's subtypes). */
  findAmong(types: readonly string[], key: readonly unknown[]): { type: string; row: Row } | undefined {
    if (types.length === 0) return undefined;
    const raw = this.statement(`SELECT type, data FROM entity WHERE key = ? AND type IN (${marks(types.length)}) LIMIT 1`).get(encodeKey(key), ...types) as
      { type: string; data: string } | undefined;
    return raw ? { type: raw.type, row: JSON.parse(raw.data) as Row } : undefined;
  }

  insert(type: string, key: readonly unknown[], row: Row): void {
    const encoded = encodeKey(key);
    this.statement('INSERT INTO entity(type, key, data) VALUES(?, ?, ?)').run(type, encoded, JSON.stringify(row));
    this.indexRow(type, encoded, row);
    this.changed(type);
    this.record({ action: 'add', type, key: key.map(String), after: row });
  }

  replace(type: string, key: readonly unknown[], row: Row, before: Row): void {
    const encoded = encodeKey(key);
    this.statement('UPDATE entity SET data = ? WHERE type = ? AND key = ?').run(JSON.stringify(row), type, encoded);
    this.unindexRow(type, encoded, before);
    this.indexRow(type, encoded, row);
    this.changed(type);
    this.record({ action: 'update', type, key: key.map(String), before, after: row });
  }

  remove(type: string, key: readonly unknown[], before: Row): void {
    const encoded = encodeKey(key);
    this.statement('DELETE FROM entity WHERE type = ? AND key = ?').run(type, encoded);
    this.unindexRow(type, encoded, before);
    this.changed(type);
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
      for (const type of this.generations.keys()) this.generations.set(type, (this.generations.get(type) ?? 0) + 1);
      this.writes += 1;
      throw error;
    } finally {
      this.inTransaction = false;
      this.changes = [];
    }
  }

  private changed(type: string): void {
    this.writes += 1;
    this.cache.delete(type);
    this.generations.set(type, (this.generations.get(type) ?? 0) + 1);
  }

  private indexRow(type: string, key: string, row: Row): void {
    const insert = this.statement('INSERT OR IGNORE INTO entity_attr(type, attr, value, key) VALUES(?, ?, ?, ?)');
    for (const [attr, value] of indexEntries(row)) insert.run(type, attr, value, key);
  }

  private unindexRow(type: string, key: string, row: Row): void {
    const remove = this.statement('DELETE FROM entity_attr WHERE type = ? AND attr = ? AND value = ? AND key = ?');
    for (const [attr, value] of indexEntries(row)) remove.run(type, attr, value, key);
  }

  private record(change: EntityChange): void {
    if (this.inTransaction) this.changes.push(change);
  }
}

function marks(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}

function groupByType(refs: readonly StoredRef[]): Map<string, string[]> {
  const byType = new Map<string, string[]>();
  for (const ref of refs) {
    const keys = byType.get(ref.type) ?? [];
    keys.push(ref.key);
    byType.set(ref.type, keys);
  }
  return byType;
}
