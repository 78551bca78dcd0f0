// Query selection through the store's index (see planner.ts): read only candidate
// rows, and when the plan is exact, sort by stored values and read only the rows of
// the page. Sorted identities of whole types and exact plans are kept in the caller's
// SortCache until the next write, so the pages of a walk reuse them.
import type { AttributeInfo, SchemaModel } from '../schema/index.js';
import type { Path, QueryAst } from './ast.js';
import type { Budget } from './budget.js';
import { domainFor, normalizeStored } from './coerce.js';
import type { EntityGraph, EntityRef } from './entity-graph.js';
import { compareKeyed, type Selection } from './order.js';
import type { Terminal } from './paths.js';
import { Planner } from './planner.js';
import type { IndexedRef, QueryIndex, SortCache } from './types.js';

const SORT_CACHE_SIZE = 4;

/** In-memory filtering, sorting and paging of candidate rows (the Evaluator's). */
export type Finish = (candidates: EntityRef[], ast: QueryAst, filter: boolean) => Selection;

export class IndexedSelect {
  constructor(
    private readonly graph: EntityGraph,
    private readonly budget: Budget,
    private readonly finish: Finish,
    private readonly sortCache?: SortCache,
  ) {}

  /**
   * With a store index: read only candidate rows (planner), and when the plan is exact,
   * sort by stored values and read only the rows of the page.
   */
  select(ast: QueryAst, index: QueryIndex): Selection | undefined {
    const model = this.graph.model;
    const planner = new Planner(model, index);
    if (!planner.covers(ast.from)) return undefined;
    const offset = ast.offset ?? 0;
    const end = ast.limit === null ? undefined : offset + ast.limit;
    const load = (some: IndexedRef[]) => this.graph.adopt(index.load(some));
    const attributes = ast.orderBy.map((k) => storedSortAttribute(model, ast.from, k.path));
    const sortable = attributes.every((a) => a !== undefined);
    const types = model.concreteTypes(ast.from);
    if (ast.where === null && sortable) {
      const ordered = this.sortedWhole(types, ast, attributes as AttributeInfo[], index);
      return { page: load(ordered.slice(offset, end)), total: ordered.length, offset };
    }
    // An exact, sortable plan is kept until the next write: the pages of a walk reuse it.
    const memo = sortable && ast.where !== null ? `plan|${ast.from}|${JSON.stringify(ast.where)}|${JSON.stringify(ast.orderBy)}` : undefined;
    const generation = index.generation([]);
    const hit = memo === undefined ? undefined : this.sortCache?.get(memo);
    if (hit !== undefined && hit.generation === generation) {
      return { page: load(hit.refs.slice(offset, end)), total: hit.refs.length, offset };
    }
    const plan =
      ast.where === null ? { refs: new Map(index.all(types).map((r) => [`${r.type}\u0000${r.key}`, r])), exact: true } : planner.plan(ast.from, ast.where);
    if (plan === undefined) return undefined;
    const refs = [...plan.refs.values()].sort((a, b) => a.order - b.order);
    if (!plan.exact) return this.finish(load(refs), ast, true);
    if (!sortable) return this.finish(load(refs), ast, false);
    const names = (attributes as AttributeInfo[]).map((a) => a.name);
    const values = names.length > 0 ? index.values(refs, names) : new Map<string, unknown[]>();
    const ordered = this.sortRefs(refs, attributes as AttributeInfo[], ast, (ref) => values.get(`${ref.type}\u0000${ref.key}`) ?? []);
    if (memo !== undefined) this.remember(memo, generation, ordered);
    return { page: load(ordered.slice(offset, end)), total: refs.length, offset };
  }

  private remember(memo: string, generation: string, refs: IndexedRef[]): void {
    if (this.sortCache === undefined) return;
    this.sortCache.delete(memo);
    if (this.sortCache.size >= SORT_CACHE_SIZE) this.sortCache.delete(this.sortCache.keys().next().value!);
    this.sortCache.set(memo, { generation, refs });
  }

  /** Every row of the types in query order; kept per write generation, since a paged walk asks again for each page. */
  private sortedWhole(types: string[], ast: QueryAst, attributes: AttributeInfo[], index: QueryIndex): IndexedRef[] {
    const generation = index.generation(types);
    const memo = `${types.join(',')}|${ast.orderBy.map((k) => `${pathOf(k.path)} ${k.direction}`).join(',')}`;
    const hit = this.sortCache?.get(memo);
    if (hit !== undefined && hit.generation === generation) return hit.refs;
    let refs: IndexedRef[];
    if (attributes.length === 0) refs = index.all(types);
    else {
      const rows = index.allValues(
        types,
        attributes.map((a) => a.name),
      );
      // Ties keep insertion order: the row's order stands in for its position.
      refs = this.sortRefs(
        rows.map((r) => r.ref),
        attributes,
        ast,
        (_, position) => rows[position]!.values,
        (ref) => ref.order,
      );
    }
    this.remember(memo, generation, refs);
    return refs;
  }

  /** Stable sort of identities by stored values, with the evaluator's comparison rules. */
  private sortRefs(
    refs: IndexedRef[],
    attributes: AttributeInfo[],
    ast: QueryAst,
    stored: (ref: IndexedRef, position: number) => unknown[],
    tieBreak: (ref: IndexedRef, position: number) => number = (_, position) => position,
  ): IndexedRef[] {
    if (attributes.length === 0) return refs;
    const domains = attributes.map((a) => domainFor(a.valueType, a.kind === 'datetime', a.isKey));
    const keyed = refs.map((ref, position) => {
      this.budget.tick();
      const values = stored(ref, position);
      return {
        ref,
        index: tieBreak(ref, position),
        keys: domains.map((domain, i): Terminal | null => {
          const value = normalizeStored(values[i], domain);
          return value === null ? null : { value, domain };
        }),
      };
    });
    keyed.sort((a, b) => compareKeyed(a, b, ast.orderBy));
    return keyed.map((k) => k.ref);
  }
}

/** The attribute of a one-step `order by` key when it is stored on the rows (not computed). */
function storedSortAttribute(model: SchemaModel, type: string, path: Path): AttributeInfo | undefined {
  const step = path.steps.length === 1 ? path.steps[0]! : undefined;
  if (step === undefined || step.cast !== undefined) return undefined;
  const attribute = model.attribute(type, step.name);
  if (!attribute || attribute.computed || (attribute.kind !== 'scalar' && attribute.kind !== 'datetime')) return undefined;
  // Every concrete type must store it the same way (a subtype may redefine it).
  const same = model.concreteTypes(type).every((t) => {
    const own = model.attribute(t, step.name);
    return own !== undefined && !own.computed && own.kind === attribute.kind && own.valueType === attribute.valueType;
  });
  return same ? attribute : undefined;
}

function pathOf(path: Path): string {
  return path.steps.map((s) => s.name).join('.');
}
