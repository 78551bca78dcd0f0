// Attribute paths (`status.state.short`, `parent[Project].name`): checked against the
// schema before evaluation, then walked per entity. A path crossing a collection is
// existential, so walking yields a list; an unset reference yields a null terminal so
// `asset.name is None` matches versions without an asset.
import type { SchemaModel } from '../schema/index.js';
import { pathText, type Path, type PathStep } from './ast.js';
import { domainFor, KEY_DOMAIN, normalizeStored, type Comparable, type ValueDomain } from './coerce.js';
import type { EntityGraph, EntityRef } from './entity-graph.js';
import { QueryEvaluationError } from './errors.js';

export interface Terminal {
  value: Comparable;
  domain: ValueDomain;
}

/** What a path points at, statically: the type after the last relation step, if any. */
export interface PathShape {
  /** Declared (or cast) type reached by the path when it ends on a relation. */
  relationTarget: string | undefined;
}

/** Checks every step exists (on the type or, for polymorphic relations, on a subtype). */
export function checkPath(model: SchemaModel, rootType: string, path: Path): PathShape {
  let type = rootType;
  let relationTarget: string | undefined;
  path.steps.forEach((step, i) => {
    const last = i === path.steps.length - 1;
    const attribute = findAttribute(model, type, step.name);
    if (attribute === undefined) {
      throw new QueryEvaluationError(`Unknown attribute "${step.name}" on ${type} (in "${pathText(path)}").`, {
        type,
        attribute: step.name,
      });
    }
    if (attribute.restricted) {
      throw new QueryEvaluationError(`Attribute "${step.name}" on ${type} cannot be queried or projected.`, {
        type,
        attribute: step.name,
      });
    }
    const isRelation = attribute.target !== undefined && attribute.kind !== 'scalar' && attribute.kind !== 'datetime';
    if (!isRelation) {
      if (step.cast !== undefined || !last) {
        throw new QueryEvaluationError(`"${step.name}" on ${type} is not a relation (in "${pathText(path)}").`, {
          type,
          attribute: step.name,
        });
      }
      relationTarget = undefined;
      return;
    }
    type = step.cast ?? attribute.target!;
    if (step.cast !== undefined && !model.has(step.cast)) {
      throw new QueryEvaluationError(`Unknown entity type "${step.cast}" in cast "${pathText(path)}".`, { type: step.cast });
    }
    relationTarget = type;
  });
  return { relationTarget };
}

function findAttribute(model: SchemaModel, type: string, name: string) {
  const own = model.attribute(type, name);
  if (own !== undefined) return own;
  for (const sub of model.descendants(type)) {
    const found = model.attribute(sub, name);
    if (found !== undefined) return found;
  }
  return undefined;
}

function castMatches(graph: EntityGraph, ref: EntityRef, step: PathStep): boolean {
  return step.cast === undefined || graph.model.isA(ref.type, step.cast);
}

/** Values at the end of the path for one entity (empty when a collection is empty). */
export function pathValues(graph: EntityGraph, root: EntityRef, path: Path): Terminal[] {
  const out: Terminal[] = [];
  const walk = (ref: EntityRef, index: number): void => {
    const step = path.steps[index]!;
    const last = index === path.steps.length - 1;
    const attribute = graph.model.attribute(ref.type, step.name);
    if (attribute === undefined) {
      out.push({ value: null, domain: KEY_DOMAIN }); // attribute of another subtype
      return;
    }
    if (attribute.kind === 'scalar' || attribute.kind === 'datetime') {
      const domain = domainFor(attribute.valueType, attribute.kind === 'datetime', attribute.isKey);
      out.push({ value: normalizeStored(graph.value(ref, step.name), domain), domain });
      return;
    }
    const related = graph.related(ref, step.name);
    if (related.kind === 'none') {
      out.push({ value: null, domain: KEY_DOMAIN });
      return;
    }
    const entities = (related.kind === 'reference' ? (related.entity ? [related.entity] : []) : related.entities).filter((e) => castMatches(graph, e, step));
    if (related.kind === 'reference' && entities.length === 0) {
      out.push({ value: null, domain: KEY_DOMAIN });
      return;
    }
    for (const entity of entities) {
      if (last) out.push({ value: normalizeStored(graph.idOf(entity), KEY_DOMAIN), domain: KEY_DOMAIN });
      else walk(entity, index + 1);
    }
  };
  walk(root, 0);
  return out;
}

/** Entities at the end of a relation path (for `has` / `any`). */
export function pathEntities(graph: EntityGraph, root: EntityRef, path: Path): EntityRef[] {
  let current = [root];
  for (const step of path.steps) {
    const next: EntityRef[] = [];
    for (const ref of current) {
      const related = graph.related(ref, step.name);
      if (related.kind === 'reference' && related.entity) next.push(related.entity);
      if (related.kind === 'collection') next.push(...related.entities);
    }
    current = next.filter((e) => castMatches(graph, e, step));
  }
  return current;
}
