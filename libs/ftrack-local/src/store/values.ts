// Converts incoming attribute values to stored form and checks their types
// against the schema; turns stored rows back into wire entities.
import { validationError } from '../http/errors.js';
import { isWireDatetime, normalizeDatetime, toWireDatetime } from './datetime.js';
import type { Row } from './entity-repo.js';
import type { SchemaView } from './schema-view.js';

export type WireEntity = Record<string, unknown> & { __entity_type__: string };

/** A scalar or datetime attribute value as stored; throws ValidationError on a wrong type. */
export function toStoredValue(view: SchemaView, type: string, attribute: string, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  const prop = view.property(type, attribute)!;
  const kind = view.kind(type, attribute);
  const wrong = () =>
    validationError(`Invalid value for attribute '${attribute}' on '${type}': expected ${prop.format === 'date-time' ? 'datetime' : (prop.type ?? 'value')}.`);
  if (kind === 'datetime') {
    const text = isWireDatetime(value) ? value.value : typeof value === 'string' ? value : undefined;
    const normalized = text === undefined ? undefined : normalizeDatetime(text);
    if (normalized === undefined) throw wrong();
    return normalized;
  }
  // JS 1.11 turns any ISO-looking string into a datetime object, even for string attributes.
  const plain = isWireDatetime(value) ? value.value : value;
  switch (prop.type) {
    case 'string':
      if (typeof plain !== 'string') throw wrong();
      return plain;
    case 'integer':
      if (typeof plain !== 'number' || !Number.isInteger(plain)) throw wrong();
      return plain;
    case 'number':
      if (typeof plain !== 'number' || !Number.isFinite(plain)) throw wrong();
      return plain;
    case 'boolean':
      if (typeof plain !== 'boolean') throw wrong();
      return plain;
    default:
      return plain; // variable / object / untyped foreign keys
  }
}

/** Wire form of a stored row: type, primary key and stored scalar attributes. */
export function toWireEntity(view: SchemaView, type: string, row: Row, only?: readonly string[]): WireEntity {
  const entity: WireEntity = { __entity_type__: type };
  const attributes = only ? [...new Set([...view.primaryKey(type), ...only])] : view.scalarAttributes(type);
  for (const name of attributes) {
    if (!(name in row)) continue;
    const value = row[name];
    entity[name] = view.kind(type, name) === 'datetime' && typeof value === 'string' ? toWireDatetime(value) : value;
  }
  for (const pk of view.primaryKey(type)) entity[pk] = row[pk];
  return entity;
}

export interface EntityReference {
  type: string;
  data: Record<string, unknown>;
}

export function asReference(value: unknown): EntityReference | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const type = (value as { __entity_type__?: unknown }).__entity_type__;
  return typeof type === 'string' ? { type, data: value as Record<string, unknown> } : undefined;
}
