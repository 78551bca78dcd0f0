// What the write path needs to know about the schemas, in one place, on top of
// the shared SchemaModel (so writes and queries agree on types and keys).
import type { EntitySchema, PropertySchema, Relation, SchemaModel } from '../schema/index.js';

export type AttributeKind = 'scalar' | 'datetime' | 'reference' | 'collection' | 'mapped';

export class SchemaView {
  constructor(readonly model: SchemaModel) {}

  has(type: string): boolean {
    return this.model.has(type);
  }

  schema(type: string): EntitySchema {
    return this.model.require(type);
  }

  isAbstract(type: string): boolean {
    return this.model.isAbstract(type);
  }

  /** The concrete types whose rows make up `type` (itself when concrete). */
  concreteTypes(type: string): string[] {
    return this.model.has(type) ? this.model.concreteTypes(type) : [];
  }

  isA(type: string, base: string): boolean {
    return this.model.isA(type, base);
  }

  isTypedContext(type: string): boolean {
    return type !== 'TypedContext' && this.model.isA(type, 'TypedContext');
  }

  primaryKey(type: string): string[] {
    return this.model.primaryKey(type);
  }

  property(type: string, attribute: string): PropertySchema | undefined {
    return this.model.get(type)?.properties[attribute];
  }

  kind(type: string, attribute: string): AttributeKind | undefined {
    const info = this.model.has(type) ? this.model.attribute(type, attribute) : undefined;
    if (!info) return undefined;
    return info.kind === 'mapped_array' ? 'mapped' : info.kind;
  }

  isComputed(type: string, attribute: string): boolean {
    return this.model.computed(type).includes(attribute);
  }

  isImmutable(type: string, attribute: string): boolean {
    return this.model.immutable(type).includes(attribute);
  }

  relation(type: string, attribute: string): Relation | undefined {
    return this.model.relation(type, attribute);
  }

  /** Stored scalar attributes of a type (what a create result echoes). */
  scalarAttributes(type: string): string[] {
    return this.model
      .attributes(type)
      .filter((a) => (a.kind === 'scalar' || a.kind === 'datetime') && !a.computed && !a.restricted && a.name !== 'link' && a.name !== '_link')
      .map((a) => a.name);
  }

  /** Object type id a typed context type is classified by (Task, Shot, ...). */
  objectTypeId(type: string): string | undefined {
    const alias = this.model.get(type)?.alias_for;
    return typeof alias === 'object' ? alias.classifiers['object_typeid'] : undefined;
  }
}
