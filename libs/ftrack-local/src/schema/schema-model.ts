// The entity model the query evaluator and the server work from: types, inheritance,
// attribute kinds, keys, projections and relations, all derived from the schema list.
import { resolveRelation, type RelationLookup } from './relations.js';
import { buildTypeHierarchy } from './type-hierarchy.js';
import type { AttributeInfo, AttributeKind, EntitySchema, PropertySchema, Relation } from './types.js';

export class SchemaModel implements RelationLookup {
  private readonly byId = new Map<string, EntitySchema>();
  private readonly parents: ReadonlyMap<string, string>;
  private readonly children = new Map<string, string[]>();
  private readonly abstractTypes: ReadonlySet<string>;
  private readonly attributeCache = new Map<string, Map<string, AttributeInfo>>();
  private readonly relationCache = new Map<string, Relation | undefined>();
  private readonly ancestorCache = new Map<string, string[]>();
  private readonly systemProjectionCache = new Map<string, string[]>();

  constructor(schemas: readonly EntitySchema[]) {
    for (const schema of schemas) this.byId.set(schema.id, schema);
    const hierarchy = buildTypeHierarchy(schemas);
    this.parents = hierarchy.parents;
    this.abstractTypes = hierarchy.abstract;
    for (const [child, parent] of this.parents) {
      const list = this.children.get(parent) ?? [];
      list.push(child);
      this.children.set(parent, list);
    }
  }

  /** Every schema id, in fixture order. */
  get types(): string[] {
    return [...this.byId.keys()];
  }

  has(type: string): boolean {
    return this.byId.has(type);
  }

  get(type: string): EntitySchema | undefined {
    return this.byId.get(type);
  }

  /** Like get() but throws for an unknown type. */
  require(type: string): EntitySchema {
    const schema = this.byId.get(type);
    if (schema === undefined) throw new Error(`Unknown entity type "${type}".`);
    return schema;
  }

  schema(type: string): EntitySchema | undefined {
    return this.byId.get(type);
  }

  /** Direct base type (Shot -> TypedContext -> Context), if any. */
  parentType(type: string): string | undefined {
    return this.parents.get(type);
  }

  /** Bases, nearest first. */
  ancestors(type: string): string[] {
    let out = this.ancestorCache.get(type);
    if (out === undefined) {
      out = [];
      for (let t = this.parents.get(type); t !== undefined; t = this.parents.get(t)) out.push(t);
      this.ancestorCache.set(type, out);
    }
    return [...out];
  }

  /** All subtypes at any depth (not including the type itself). */
  descendants(type: string): string[] {
    const out: string[] = [];
    const walk = (t: string): void => {
      for (const child of this.children.get(t) ?? []) {
        out.push(child);
        walk(child);
      }
    };
    walk(type);
    return out;
  }

  /** True when `type` is `base` or one of its subtypes. */
  isA(type: string, base: string): boolean {
    return type === base || this.ancestors(type).includes(base);
  }

  /** Bases never stored on their own (Context, TypedContext, Component, Resource, List). */
  isAbstract(type: string): boolean {
    return this.abstractTypes.has(type);
  }

  /** Types whose rows make up a query on `type`: itself unless abstract, plus all concrete subtypes. */
  concreteTypes(type: string): string[] {
    return [type, ...this.descendants(type)].filter((t) => this.byId.has(t) && !this.abstractTypes.has(t));
  }

  primaryKey(type: string): string[] {
    return this.require(type).primary_key;
  }

  attributes(type: string): AttributeInfo[] {
    return [...this.attributeMap(type).values()];
  }

  attribute(type: string, name: string): AttributeInfo | undefined {
    return this.attributeMap(type).get(name);
  }

  /** True when the type or one of its subtypes has the attribute (polymorphic paths). */
  hasAttributeInFamily(type: string, name: string): boolean {
    return [type, ...this.descendants(type)].some((t) => this.get(t)?.properties[name] !== undefined);
  }

  defaultProjections(type: string): string[] {
    return this.require(type).default_projections ?? [...this.primaryKey(type)];
  }

  /**
   * Extra attributes the real server adds when not strict (protocol §4.4), as API names:
   * `system_projections` backend names mapped through `alias_for` (showid -> project_id),
   * plus the classifier columns of aliased types (object_typeid -> object_type_id).
   * Backend names with no API attribute (`_casted_value`, `topid`) are dropped.
   */
  systemProjections(type: string): string[] {
    let names = this.systemProjectionCache.get(type);
    if (names === undefined) {
      names = this.computeSystemProjections(type);
      this.systemProjectionCache.set(type, names);
    }
    return [...names];
  }

  private computeSystemProjections(type: string): string[] {
    const schema = this.require(type);
    const backend = [...(schema.system_projections ?? [])];
    if (typeof schema.alias_for === 'object') backend.push(...Object.keys(schema.alias_for.classifiers));
    const names = new Set<string>();
    for (const name of backend) {
      const api = this.apiName(type, name);
      if (api !== undefined) names.add(api);
    }
    return [...names];
  }

  /** API attribute name for a backend column name, or the name itself when it is an attribute. */
  apiName(type: string, backendName: string): string | undefined {
    const properties = this.require(type).properties;
    const aliased = Object.entries(properties).find(([, p]) => p.alias_for === backendName && isScalar(p));
    if (aliased !== undefined) return aliased[0];
    const direct = properties[backendName];
    if (direct !== undefined && isScalar(direct)) return backendName;
    // `_casted_value` (custom attribute values) is the column `value` aliases as `casted_value`.
    return backendName.startsWith('_') ? this.apiName(type, backendName.slice(1)) : undefined;
  }

  required(type: string): string[] {
    return this.require(type).required ?? [];
  }

  immutable(type: string): string[] {
    return this.require(type).immutable ?? [];
  }

  /** Server-computed attributes (thumbnail_url, url, latest_version, time_logged, ...). */
  computed(type: string): string[] {
    return this.require(type).computed ?? [];
  }

  /** Schema defaults with `{uid}` replaced by `newId()`. */
  defaults(type: string, newId: () => string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, p] of Object.entries(this.require(type).properties)) {
      if (p.default === undefined) continue;
      out[name] = p.default === '{uid}' ? newId() : p.default;
    }
    return out;
  }

  relation(type: string, attribute: string): Relation | undefined {
    const key = `${type}.${attribute}`;
    if (!this.relationCache.has(key)) this.relationCache.set(key, resolveRelation(this, type, attribute));
    return this.relationCache.get(key);
  }

  private attributeMap(type: string): Map<string, AttributeInfo> {
    let map = this.attributeCache.get(type);
    if (map === undefined) {
      const schema = this.require(type);
      map = new Map();
      for (const [name, p] of Object.entries(schema.properties)) map.set(name, describe(schema, name, p));
      this.attributeCache.set(type, map);
    }
    return map;
  }
}

function isScalar(p: PropertySchema): boolean {
  return kindOf(p) === 'scalar' || kindOf(p) === 'datetime';
}

function kindOf(p: PropertySchema): AttributeKind {
  if (p.type === undefined && p.$ref !== undefined) return 'reference';
  if (p.type === 'array') return 'collection';
  if (p.type === 'mapped_array') return 'mapped_array';
  if (p.type === 'string' && p.format === 'date-time') return 'datetime';
  return 'scalar';
}

function describe(schema: EntitySchema, name: string, p: PropertySchema): AttributeInfo {
  const kind = kindOf(p);
  return {
    name,
    kind,
    valueType: kind === 'scalar' || kind === 'datetime' ? (p.type ?? 'string') : undefined,
    format: p.format,
    target: p.$ref ?? p.items?.$ref,
    isKey: schema.primary_key.includes(name) || p.format === 'foreign_key' || name === 'id' || name.endsWith('_id'),
    required: schema.required?.includes(name) ?? false,
    immutable: schema.immutable?.includes(name) ?? false,
    computed: schema.computed?.includes(name) ?? false,
    restricted: p.restricted_projection === true,
    default: p.default,
    backendName: p.alias_for ?? name,
  };
}
