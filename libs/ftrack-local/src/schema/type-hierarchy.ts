// Which entity types are subtypes of which, derived from the schema data.
//
// The fixture has no `$mixin`, so inheritance is read from three signals:
// 1. Classifier aliases: `Shot.alias_for = {id: "Task", classifiers: {object_typeid}}` means
//    "a row of the Task table with that classifier"; the schema whose table alias is "Task"
//    is TypedContext, so Shot/Task/Sequence/... are TypedContexts. Same for
//    TypedContextList/AssetVersionList -> List.
// 2. Joined-table inheritance: `FileComponent.id` is a foreign key to `Component.id`.
// 3. EXPLICIT_PARENTS for what the data only implies: Project and TypedContext carry every
//    Context attribute (Context has no table of its own), SequenceComponent is a
//    ContainerComponent (its members point at it through `container_id`, a FK to
//    ContainerComponent.id), User and Group are Resources (Appointment.resource_id).
import type { EntitySchema } from './types.js';

const EXPLICIT_PARENTS: Readonly<Record<string, string>> = {
  TypedContext: 'Context',
  Project: 'Context',
  SequenceComponent: 'ContainerComponent',
  User: 'Resource',
  Group: 'Resource',
};

/** Bases without rows of their own; a query on them returns rows of their subtypes. */
const EXPLICIT_ABSTRACT = ['Context', 'Component', 'Resource'];

const FK_TARGET = /Foreign key\(s\):\s*([A-Za-z_]\w*)\.\w+/;

export interface TypeHierarchy {
  parents: ReadonlyMap<string, string>;
  abstract: ReadonlySet<string>;
}

export function buildTypeHierarchy(schemas: readonly EntitySchema[]): TypeHierarchy {
  const ids = new Set(schemas.map((s) => s.id));
  const byTableAlias = new Map<string, string>();
  for (const schema of schemas) {
    if (typeof schema.alias_for === 'string') byTableAlias.set(schema.alias_for, schema.id);
  }

  const parents = new Map<string, string>();
  const abstract = new Set<string>(EXPLICIT_ABSTRACT.filter((id) => ids.has(id)));
  for (const schema of schemas) {
    const alias = schema.alias_for;
    if (alias !== undefined && typeof alias === 'object') {
      const base = byTableAlias.get(alias.id) ?? (ids.has(alias.id) ? alias.id : undefined);
      if (base !== undefined && base !== schema.id) {
        parents.set(schema.id, base);
        abstract.add(base); // the classifier-less base row is never stored on its own
      }
      continue;
    }
    const idTarget = FK_TARGET.exec(schema.properties['id']?.description ?? '')?.[1];
    if (idTarget !== undefined && idTarget !== schema.id && ids.has(idTarget)) parents.set(schema.id, idTarget);
  }
  for (const [child, parent] of Object.entries(EXPLICIT_PARENTS)) {
    if (ids.has(child) && ids.has(parent)) parents.set(child, parent);
  }
  return { parents, abstract };
}
