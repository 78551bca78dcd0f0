// Output shaping (protocol §4): every entity object carries its concrete __entity_type__
// and all primary keys, then the projected attributes. Projected relations are nested
// entity objects (reference -> object or null, collection -> array); a relation projected
// without sub-attributes gets its target's default_projections. Full data is sent at every
// occurrence (valid for normalised and denormalised clients) and only what was asked is
// expanded, so self-referencing projections stay finite.
import type { AttributeInfo } from '../schema/index.js';
import type { Path, QueryAst } from './ast.js';
import { domainFor, formatNaiveUtc, normalizeStored } from './coerce.js';
import type { Budget } from './budget.js';
import type { EntityGraph, EntityRef } from './entity-graph.js';
import type { EntityJson, JsonValue } from './types.js';

interface ProjectionTree {
  children: Map<string, ProjectionTree>;
}

export function renderEntities(graph: EntityGraph, ast: QueryAst, refs: EntityRef[], strict: boolean, budget: Budget): EntityJson[] {
  const paths =
    ast.select === null ? graph.model.defaultProjections(ast.from).map((name): Path => ({ steps: [{ name }], position: 0 })) : ast.select.map((p) => p.path);
  const tree = buildTree(paths);
  const renderer = new Renderer(graph, strict, budget);
  return refs.map((ref) => renderer.entity(ref, tree));
}

function emptyTree(): ProjectionTree {
  return { children: new Map() };
}

function buildTree(paths: Path[]): ProjectionTree {
  const root = emptyTree();
  for (const path of paths) {
    let node = root;
    for (const step of path.steps) {
      let child = node.children.get(step.name);
      if (child === undefined) {
        child = emptyTree();
        node.children.set(step.name, child);
      }
      node = child;
    }
  }
  return root;
}

class Renderer {
  constructor(
    private readonly graph: EntityGraph,
    private readonly strict: boolean,
    private readonly budget: Budget,
  ) {}

  entity(ref: EntityRef, tree: ProjectionTree): EntityJson {
    this.budget.tick();
    const model = this.graph.model;
    const out: EntityJson = { __entity_type__: ref.type };
    for (const key of model.primaryKey(ref.type)) out[key] = this.scalar(ref, model.attribute(ref.type, key), key);
    if (!this.strict) {
      for (const name of model.systemProjections(ref.type)) out[name] = this.scalar(ref, model.attribute(ref.type, name), name);
    }
    for (const [name, subtree] of tree.children) {
      const attribute = model.attribute(ref.type, name);
      if (attribute === undefined || attribute.restricted) continue; // belongs to another subtype
      if (attribute.kind === 'scalar' || attribute.kind === 'datetime') {
        out[name] = this.scalar(ref, attribute, name);
        continue;
      }
      const related = this.graph.related(ref, name);
      if (attribute.kind === 'reference') {
        const entity = related.kind === 'reference' ? related.entity : null;
        out[name] = entity === null ? null : this.entity(entity, this.subtreeFor(entity, subtree));
      } else {
        const entities = related.kind === 'collection' ? related.entities : [];
        out[name] = entities.map((e) => this.entity(e, this.subtreeFor(e, subtree)));
      }
    }
    return out;
  }

  /** A relation projected bare (`select status`) expands to the target's scalar default projections. */
  private subtreeFor(ref: EntityRef, subtree: ProjectionTree): ProjectionTree {
    if (subtree.children.size > 0) return subtree;
    const model = this.graph.model;
    const tree = emptyTree();
    for (const name of model.defaultProjections(ref.type)) {
      const attribute = model.attribute(ref.type, name);
      if (attribute?.kind === 'scalar' || attribute?.kind === 'datetime') tree.children.set(name, emptyTree());
    }
    // A custom attribute row is its value: include it even in strict mode (no system projections).
    if (ref.type.endsWith('CustomAttributeValue') && model.attribute(ref.type, 'value') !== undefined) tree.children.set('value', emptyTree());
    return tree;
  }

  private scalar(ref: EntityRef, attribute: AttributeInfo | undefined, name: string): JsonValue {
    const raw = this.graph.value(ref, name);
    if (raw === undefined || raw === null) return null;
    if (attribute !== undefined) {
      const domain = domainFor(attribute.valueType, attribute.kind === 'datetime', attribute.isKey);
      if (domain.type === 'datetime') {
        const ms = normalizeStored(raw, domain);
        return typeof ms === 'number' ? { __type__: 'datetime', value: formatNaiveUtc(ms) } : null;
      }
      if (domain.type === 'boolean' || domain.type === 'integer' || domain.type === 'number') {
        return normalizeStored(raw, domain) ?? toJson(raw);
      }
    }
    return toJson(raw);
  }
}

/** Plain JSON copy of a stored or computed value (drops functions and undefined). */
function toJson(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return { __type__: 'datetime', value: formatNaiveUtc(value.getTime()) };
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'object') {
    const out: { [key: string]: JsonValue } = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined && typeof v !== 'function') out[k] = toJson(v);
    return out;
  }
  return null;
}
