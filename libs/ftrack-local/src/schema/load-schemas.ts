// Reads the ftrack schema fixture that the local server serves verbatim for `query_schemas`.
import { fileURLToPath } from 'node:url';
// A JSON import, not a file read: bundlers (the CLI is one esbuild bundle) inline it.
import schemas from '../../fixtures/query_schemas.json' with { type: 'json' };
import type { EntitySchema } from './types.js';

/**
 * MD5 of Python's `json.dumps(schemas, sort_keys=True)` of the fixture (protocol §3.1);
 * identical to `schema_hash` in fixtures/query_server_information.json. Python refetches
 * schemas only when this changes; a test recomputes it.
 */
export const SCHEMA_HASH = '23a1157b8b1730fd91c76f63dcd67a8f';

/** Absolute path of libs/ftrack-local/fixtures/query_schemas.json. */
export const SCHEMAS_PATH = fileURLToPath(new URL('../../fixtures/query_schemas.json', import.meta.url));

/** The 116 schemas of the fixture. Do not mutate the result. */
export function loadSchemas(): EntitySchema[] {
  return schemas as unknown as EntitySchema[];
}
