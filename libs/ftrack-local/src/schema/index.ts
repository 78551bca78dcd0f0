/**
 * Schema loading and the relation model of ftrack-local.
 *
 * - `loadSchemas()` — the 116 ftrack schemas of fixtures/query_schemas.json (cached); serve
 *   them verbatim for `query_schemas`. `SCHEMA_HASH` is their Python-style MD5 for
 *   `query_server_information.schema_hash`.
 * - `new SchemaModel(loadSchemas())` / `defaultSchemaModel()` — types and inheritance
 *   (`isA`, `concreteTypes`, `isAbstract`), attributes (`attribute(type, name)` -> kind
 *   scalar | datetime | reference | collection | mapped_array, keys, defaults),
 *   `primaryKey`, `defaultProjections`, `systemProjections` (API names), `computed`,
 *   `apiName` (backend -> API name) and `relation(type, attr)`.
 * - `relation(type, attr)` — how a relation is stored: reference -> `localKey` (the FK on
 *   the owner, e.g. AssetVersion.asset -> asset_id); collection -> `remoteKey` (the FK on the
 *   target pointing back, e.g. AssetVersion.components -> Component.version_id), or
 *   `through` a link table, or `derived` (ancestors/descendants/latest_version).
 *   Undefined when the attribute is not a relation or cannot be resolved.
 */
import { loadSchemas } from './load-schemas.js';
import { SchemaModel } from './schema-model.js';
import type { Relation } from './types.js';

export { loadSchemas, SCHEMA_HASH, SCHEMAS_PATH } from './load-schemas.js';
export { SchemaModel } from './schema-model.js';
export type { AttributeInfo, AttributeKind, ClassifierAlias, EntitySchema, PropertySchema, Relation } from './types.js';

let defaultModel: SchemaModel | undefined;

/** The model of the bundled fixture schemas, built once. */
export function defaultSchemaModel(): SchemaModel {
  defaultModel ??= new SchemaModel(loadSchemas());
  return defaultModel;
}

/** `defaultSchemaModel().relation(type, attribute)`. */
export function relation(type: string, attribute: string): Relation | undefined {
  return defaultSchemaModel().relation(type, attribute);
}
