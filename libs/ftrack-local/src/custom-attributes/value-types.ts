// Which *CustomAttributeValue schema holds the values of which entity, and the
// `entity_type` string a CustomAttributeConfiguration uses for it.
import type { SchemaView } from '../store/schema-view.js';

/** Every schema type that is a view on the one stored custom attribute value table. */
export const VALUE_TYPES: ReadonlySet<string> = new Set([
  'CustomAttributeValue',
  'ContextCustomAttributeValue',
  'AssetVersionCustomAttributeValue',
  'AssetCustomAttributeValue',
  'UserCustomAttributeValue',
  'ListCustomAttributeValue',
  'ListObjectCustomAttributeValue',
]);

/** Values are stored once, under the generic type the Python client creates. */
export const STORED_VALUE_TYPE = 'CustomAttributeValue';

export function isValueType(type: string): boolean {
  return VALUE_TYPES.has(type);
}

/** Configuration `entity_type` for an entity type: task, show, assetversion, asset, user, list. */
export function configurationEntityType(view: SchemaView, type: string): string | undefined {
  if (type === 'Project') return 'show';
  if (view.isTypedContext(type)) return 'task';
  if (type === 'AssetVersion') return 'assetversion';
  if (type === 'Asset') return 'asset';
  if (type === 'User') return 'user';
  if (view.isA(type, 'List')) return 'list';
  return undefined;
}

/** The value schema an entity's `custom_attributes` collection is made of. */
export function valueTypeFor(view: SchemaView, type: string): string | undefined {
  if (view.isA(type, 'Context')) return 'ContextCustomAttributeValue';
  if (type === 'AssetVersion') return 'AssetVersionCustomAttributeValue';
  if (type === 'Asset') return 'AssetCustomAttributeValue';
  if (type === 'User') return 'UserCustomAttributeValue';
  if (view.isA(type, 'List')) return 'ListCustomAttributeValue';
  return undefined;
}

/** Hierarchical attributes apply to these kinds of entity (and inherit down them). */
export const HIERARCHICAL_ENTITY_TYPES: ReadonlySet<string> = new Set(['show', 'task', 'asset', 'assetversion']);
