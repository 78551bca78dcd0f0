// What the write path needs to know about the schemas, in one place: kinds of
// attributes, concrete subtypes, defaults. Relations come from the shared
// schema model so writes and queries agree on foreign keys.

export interface RawProperty {
  type?: string;
  format?: string;
  default?: unknown;
  $ref?: string;
  items?: { $ref?: string };
  alias_for?: unknown;
}

export interface RawSchema {
  id: string;
  properties: Record<string, RawProperty>;
  primary_key?: string[];
  required?: string[];
  immutable?: string[];
  computed?: string[];
  default_projections?: string[];
  alias_for?: string | { id: string; classifiers?: Record<string, string> };
}

export type AttributeKind = 'scalar' | 'datetime' | 'reference' | 'collection' | 'mapped';

export interface RelationInfo {
  kind: 'reference' | 'collection';
  target: string;
  localKey?: string;
  remoteKey?: string;
}

export type RelationLookup = (type: string, attribute: string) => RelationInfo | undefined;

const COMPONENT_TYPES = ['FileComponent', 'SequenceComponent', 'ContainerComponent'];

export class SchemaView {
  private readonly byId = new Map<string, RawSchema>();
  private readonly subtypes = new Map<string, string[]>();

  constructor(
    schemas: readonly RawSchema[],
    private readonly relationLookup: RelationLookup,
  ) {
    for (const schema of schemas) this.byId.set(schema.id, schema);
    const typed = schemas.filter((s) => typeof s.alias_for === 'object' && s.alias_for?.id === 'Task').map((s) => s.id);
    this.subtypes.set('TypedContext', typed);
    this.subtypes.set('Context', ['Project', ...typed]);
    this.subtypes.set('Component', COMPONENT_TYPES.filter((t) => this.byId.has(t)));
    // Other polymorphic tables (List, CustomAttributeValue, ...): alias_for {id: <base or its table>}.
    for (const schema of schemas) {
      if (this.subtypes.has(schema.id)) continue;
      const table = typeof schema.alias_for === 'string' ? schema.alias_for : schema.id;
      const subs = schemas
        .filter((s) => s.id !== schema.id && typeof s.alias_for === 'object' && (s.alias_for.id === schema.id || s.alias_for.id === table))
        .map((s) => s.id);
      if (subs.length > 0 && schema.id !== 'Task') this.subtypes.set(schema.id, subs);
    }
  }

  has(type: string): boolean {
    return this.byId.has(type);
  }

  schema(type: string): RawSchema {
    const schema = this.byId.get(type);
    if (!schema) throw new Error(`Unknown entity type ${type}`);
    return schema;
  }

  isAbstract(type: string): boolean {
    return (this.subtypes.get(type)?.length ?? 0) > 0;
  }

  /** The concrete types whose rows make up `type` (itself when concrete). */
  concreteTypes(type: string): string[] {
    const subs = this.subtypes.get(type);
    return subs && subs.length > 0 ? subs : this.byId.has(type) ? [type] : [];
  }

  isA(type: string, base: string): boolean {
    return type === base || this.concreteTypes(base).includes(type);
  }

  isTypedContext(type: string): boolean {
    return this.isA(type, 'TypedContext') && type !== 'TypedContext';
  }

  primaryKey(type: string): string[] {
    return this.schema(type).primary_key ?? ['id'];
  }

  property(type: string, attribute: string): RawProperty | undefined {
    return this.byId.get(type)?.properties[attribute];
  }

  kind(type: string, attribute: string): AttributeKind | undefined {
    const prop = this.property(type, attribute);
    if (!prop) return undefined;
    if (prop.type === 'array') return 'collection';
    if (prop.type === 'mapped_array') return 'mapped';
    if (!prop.type && prop.$ref) return 'reference';
    if (prop.type === 'string' && prop.format === 'date-time') return 'datetime';
    return 'scalar';
  }

  isComputed(type: string, attribute: string): boolean {
    return this.schema(type).computed?.includes(attribute) ?? false;
  }

  isImmutable(type: string, attribute: string): boolean {
    return this.schema(type).immutable?.includes(attribute) ?? false;
  }

  relation(type: string, attribute: string): RelationInfo | undefined {
    return this.relationLookup(type, attribute);
  }

  /** Stored scalar attributes of a type (what a create result echoes). */
  scalarAttributes(type: string): string[] {
    const schema = this.schema(type);
    return Object.keys(schema.properties).filter((name) => {
      const kind = this.kind(type, name);
      return (kind === 'scalar' || kind === 'datetime') && !schema.computed?.includes(name) && name !== 'link' && name !== '_link';
    });
  }

  /** Object type id a typed context type is classified by (Task, Shot, ...). */
  objectTypeId(type: string): string | undefined {
    const alias = this.byId.get(type)?.alias_for;
    return typeof alias === 'object' ? alias.classifiers?.['object_typeid'] : undefined;
  }
}
