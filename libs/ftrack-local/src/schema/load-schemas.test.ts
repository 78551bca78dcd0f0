import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadSchemas, SCHEMA_HASH, SCHEMAS_PATH } from './load-schemas.js';

/** Python's json.dumps(value, sort_keys=True) with default separators and ensure_ascii. */
function pythonDumps(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') {
    return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }
  if (Array.isArray(value)) return `[${value.map(pythonDumps).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${pythonDumps(k)}: ${pythonDumps(v)}`).join(', ')}}`;
}

describe('loadSchemas', () => {
  it('reads the 116 fixture schemas once', () => {
    const schemas = loadSchemas();
    expect(schemas).toHaveLength(116);
    expect(loadSchemas()).toBe(schemas);
    expect(schemas.map((s) => s.id)).toContain('AssetVersion');
  });

  it('SCHEMA_HASH is the MD5 of the Python-style sorted dump, as in query_server_information.json', () => {
    const digest = createHash('md5').update(pythonDumps(loadSchemas())).digest('hex');
    expect(digest).toBe(SCHEMA_HASH);
    const info = JSON.parse(readFileSync(SCHEMAS_PATH.replace('query_schemas.json', 'query_server_information.json'), 'utf8')) as {
      schema_hash: string;
    };
    expect(info.schema_hash).toBe(SCHEMA_HASH);
  });
});
