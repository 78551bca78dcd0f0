// Reads the ftrack schema fixture that the local server serves verbatim for `query_schemas`.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { EntitySchema } from './types.js';

/**
 * MD5 of Python's `json.dumps(schemas, sort_keys=True)` of the fixture (protocol §3.1);
 * identical to `schema_hash` in fixtures/query_server_information.json. Python refetches
 * schemas only when this changes; a test recomputes it.
 */
export const SCHEMA_HASH = '23a1157b8b1730fd91c76f63dcd67a8f';

/** Absolute path of libs/ftrack-local/fixtures/query_schemas.json. */
export const SCHEMAS_PATH = fileURLToPath(new URL('../../fixtures/query_schemas.json', import.meta.url));

let cached: EntitySchema[] | undefined;

/** The 116 schemas of the fixture, parsed once per process. Do not mutate the result. */
export function loadSchemas(): EntitySchema[] {
  cached ??= JSON.parse(readFileSync(SCHEMAS_PATH, 'utf8')) as EntitySchema[];
  return cached;
}
