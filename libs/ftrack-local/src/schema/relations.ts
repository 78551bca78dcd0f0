// Resolves relation attributes to the keys that store them.
//
// References: `<attr>_id` when it exists; else the FK whose backend alias is the
// reference's alias + "id" (Note.author alias "user" -> user_id alias "userid"); else the
// only FK whose description ("Foreign key(s): X.id") names the target, one of its bases or
// one of its subtypes (Asset.parent -> context_id). Collections: resolved on the topmost base
// that declares the same attribute (Project.children is Context.children -> parent_id), then
// the only FK on the target naming that owner exactly, then a polymorphic `parent_id` +
// `parent_type` pair (Note, Metadata, StatusChange), then the only FK naming a base of the
// owner. The OVERRIDES table holds what the data cannot say.
import type { EntitySchema, PropertySchema, Relation } from './types.js';

export interface RelationLookup {
  schema(type: string): EntitySchema | undefined;
  /** Bases of a type, nearest first. */
  ancestors(type: string): string[];
  /** All subtypes of a type, any depth. */
  descendants(type: string): string[];
}

type Override = Partial<Relation>;

/** Keyed by `<declaring type>.<attribute>`; applies to every subtype inheriting the attribute. */
const OVERRIDES: Readonly<Record<string, Override>> = {
  // Status has no FK column for its state in the schema; the store keeps `state_id`.
  'Status.state': { localKey: 'state_id' },
  'Asset.latest_version': { derived: 'latest_version' },
  'TypedContext.ancestors': { derived: 'ancestors' },
  'TypedContext.descendants': { derived: 'descendants' },
  'TypedContext.incoming_links': { remoteKey: 'to_id' },
  'TypedContext.outgoing_links': { remoteKey: 'from_id' },
  'AssetVersion.incoming_links': { remoteKey: 'to_id' },
  'AssetVersion.outgoing_links': { remoteKey: 'from_id' },
  // Direction of "uses" through AssetVersionLink (from = used, to = user) is (unverified).
  'AssetVersion.uses_versions': { through: { type: 'AssetVersionLink', ownerKey: 'to_id', targetKey: 'from_id' } },
  'AssetVersion.used_in_versions': { through: { type: 'AssetVersionLink', ownerKey: 'from_id', targetKey: 'to_id' } },
  'AssetVersion.lists': { through: { type: 'ListObject', ownerKey: 'entity_id', targetKey: 'list_id' } },
  'TypedContext.lists': { through: { type: 'ListObject', ownerKey: 'entity_id', targetKey: 'list_id' } },
  'AssetVersionList.items': { through: { type: 'ListObject', ownerKey: 'list_id', targetKey: 'entity_id' } },
  'TypedContextList.items': { through: { type: 'ListObject', ownerKey: 'list_id', targetKey: 'entity_id' } },
  'WorkflowSchema.statuses': {
    through: { type: 'WorkflowSchemaStatus', ownerKey: 'workflow_schema_id', targetKey: 'status_id' },
  },
  'TaskTypeSchema.types': { through: { type: 'TaskTypeSchemaType', ownerKey: 'task_type_schema_id', targetKey: 'type_id' } },
  'ProjectSchema.object_types': {
    through: { type: 'ProjectSchemaObjectType', ownerKey: 'project_schema_id', targetKey: 'object_type_id' },
  },
  'ObjectType.project_schemas': {
    through: { type: 'ProjectSchemaObjectType', ownerKey: 'object_type_id', targetKey: 'project_schema_id' },
  },
  'Context.assignments': { filter: { type: 'assignment' } },
  'Context.allocations': { filter: { type: 'allocation' } },
  'Resource.assignments': { filter: { type: 'assignment' } },
  'Resource.allocations': { filter: { type: 'allocation' } },
};

const FK_TARGET = /Foreign key\(s\):\s*([A-Za-z_]\w*)\./;

function fkTarget(property: PropertySchema): string | undefined {
  if (property.format !== 'foreign_key') return undefined;
  return FK_TARGET.exec(property.description ?? '')?.[1];
}

function foreignKeysTo(schema: EntitySchema, types: ReadonlySet<string>): string[] {
  return Object.entries(schema.properties)
    .filter(([, p]) => {
      const target = fkTarget(p);
      return target !== undefined && types.has(target);
    })
    .map(([name]) => name);
}

export function resolveRelation(lookup: RelationLookup, type: string, attribute: string): Relation | undefined {
  const property = lookup.schema(type)?.properties[attribute];
  if (property === undefined || property.restricted_projection) return undefined;
  if (property.type === undefined && property.$ref !== undefined) {
    return resolveReference(lookup, type, attribute, property, property.$ref);
  }
  if ((property.type === 'array' || property.type === 'mapped_array') && property.items?.$ref !== undefined) {
    return resolveCollection(lookup, type, attribute, property, property.items.$ref);
  }
  return undefined;
}

/** The topmost type (the given one or a base) declaring the same attribute with the same target. */
function declaringType(lookup: RelationLookup, type: string, attribute: string, target: string): string {
  const chain = [...lookup.ancestors(type)].reverse();
  for (const candidate of chain) {
    const p = lookup.schema(candidate)?.properties[attribute];
    if (p !== undefined && (p.$ref ?? p.items?.$ref) === target) return candidate;
  }
  return type;
}

function overrideFor(lookup: RelationLookup, owner: string, attribute: string): Override | undefined {
  for (const candidate of [owner, ...lookup.ancestors(owner)]) {
    const found = OVERRIDES[`${candidate}.${attribute}`];
    if (found !== undefined) return found;
  }
  return undefined;
}

function resolveReference(lookup: RelationLookup, type: string, attribute: string, property: PropertySchema, target: string): Relation | undefined {
  const schema = lookup.schema(type);
  if (schema === undefined) return undefined;
  const base: Relation = { kind: 'reference', target };
  const override = overrideFor(lookup, type, attribute);
  if (override !== undefined) return { ...base, ...override };

  if (schema.properties[`${attribute}_id`] !== undefined) return { ...base, localKey: `${attribute}_id` };

  if (property.alias_for !== undefined) {
    const wanted = `${property.alias_for}id`.toLowerCase();
    const byAlias = Object.entries(schema.properties).find(([, p]) => p.format === 'foreign_key' && p.alias_for?.toLowerCase() === wanted);
    if (byAlias !== undefined) return { ...base, localKey: byAlias[0] };
  }

  const related = new Set([target, ...lookup.ancestors(target), ...lookup.descendants(target)]);
  const candidates = foreignKeysTo(schema, related);
  if (candidates.length === 1) return { ...base, localKey: candidates[0] };
  return undefined;
}

function resolveCollection(lookup: RelationLookup, type: string, attribute: string, property: PropertySchema, target: string): Relation | undefined {
  // Values exist per applicable configuration (defaults and inherited values too): computed.
  if (attribute === 'custom_attributes' && target.endsWith('CustomAttributeValue')) {
    return { kind: 'collection', target, mapped: true, derived: 'custom_attributes' };
  }
  const owner = declaringType(lookup, type, attribute, target);
  const base: Relation = { kind: 'collection', target, ...(property.type === 'mapped_array' ? { mapped: true } : {}) };
  const override = overrideFor(lookup, owner, attribute);
  if (override?.through !== undefined || override?.derived !== undefined || override?.remoteKey !== undefined) {
    return { ...base, ...override };
  }
  const targetSchema = lookup.schema(target);
  if (targetSchema === undefined) return undefined;
  const extra: Override = override ?? {};

  const exact = foreignKeysTo(targetSchema, new Set([owner]));
  if (exact.length === 1) return { ...base, ...extra, remoteKey: exact[0] };
  if (exact.length > 1) return undefined;

  const props = targetSchema.properties;
  if (props['parent_id'] !== undefined && props['parent_type'] !== undefined && fkTarget(props['parent_id']) === undefined) {
    return { ...base, ...extra, remoteKey: 'parent_id' };
  }

  const viaBase = foreignKeysTo(targetSchema, new Set(lookup.ancestors(owner)));
  if (viaBase.length === 1) return { ...base, ...extra, remoteKey: viaBase[0] };
  return undefined;
}
