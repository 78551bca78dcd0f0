// Evaluates a parsed query against a QueryDataSource, in memory (the local store is small).
import type { Condition, Literal, Path, QueryAst } from './ast.js';
import {
  coerceLiteral,
  compareValues,
  formatNaiveUtc,
  likePattern,
  likeSource,
  valuesEqual,
  type Comparable,
} from './coerce.js';
import type { AttributeInfo, SchemaModel } from '../schema/index.js';
import type { SortKey } from './ast.js';
import { Budget } from './budget.js';
import { domainFor, normalizeStored } from './coerce.js';
import { Planner } from './planner.js';
import type { IndexedRef, QueryIndex, SortCache } from './types.js';

const SORT_CACHE_SIZE = 4;
import { EntityGraph, type EntityRef } from './entity-graph.js';
import { likeMatches } from './like.js';
import { QueryEvaluationError } from './errors.js';
import { checkPath, pathEntities, pathValues, type Terminal } from './paths.js';
import { renderEntities } from './project.js';
import type { ExecuteOptions, QueryDataSource, QueryResult } from './types.js';

/** Runs a query; returns ftrack's `query` result body minus `action`. */
export function executeQuery(ast: QueryAst, source: QueryDataSource, options: ExecuteOptions = {}): QueryResult {
  const graph = new EntityGraph(source);
  if (ast.groupBy.length > 0 || ast.select?.some((p) => p.kind === 'aggregate')) {
    throw new QueryEvaluationError('"group by" and aggregate projections such as count() are not supported by ftrack-local.');
  }
  const budget = options.budget ?? Budget.unlimited();
  const { page, total, offset } = new Evaluator(graph, budget, options.sortCache).select(ast);
  const next = ast.limit !== null && ast.limit > 0 && offset + page.length < total ? offset + page.length : null;
  return { data: renderEntities(graph, ast, page, options.strict === true, budget), metadata: { next: { offset: next } } };
}

interface Selection {
  page: EntityRef[];
  total: number;
  offset: number;
}

class Evaluator {
  /** Sub-query results, computed once per query. */
  private readonly subqueries = new Map<QueryAst, Comparable[]>();

  constructor(
    private readonly graph: EntityGraph,
    private readonly budget: Budget,
    private readonly sortCache?: SortCache,
  ) {}

  select(ast: QueryAst): Selection {
    const model = this.graph.model;
    if (!model.has(ast.from)) throw new QueryEvaluationError(`Unknown entity type "${ast.from}".`, { type: ast.from });
    for (const projection of ast.select ?? []) checkPath(model, ast.from, projection.path);
    for (const key of ast.orderBy) checkPath(model, ast.from, key.path);
    if (ast.where !== null) this.check(ast.from, ast.where);

    const indexed = this.graph.index === undefined ? undefined : this.selectIndexed(ast, this.graph.index);
    if (indexed !== undefined) return indexed;
    return this.finish(this.graph.all(ast.from), ast, true);
  }

  /** Filters (unless already known to match), sorts and pages rows in memory. */
  private finish(candidates: EntityRef[], ast: QueryAst, filter: boolean): Selection {
    const where = ast.where;
    let rows = candidates;
    if (filter && where !== null) rows = rows.filter((ref) => this.test(ref, where));
    if (ast.orderBy.length > 0) rows = this.sorted(rows, ast);
    const offset = ast.offset ?? 0;
    const page = rows.slice(offset, ast.limit === null ? undefined : offset + ast.limit);
    return { page, total: rows.length, offset };
  }

  /**
   * With a store index: read only candidate rows (planner), and when the plan is exact,
   * sort by stored values and read only the rows of the page.
   */
  private selectIndexed(ast: QueryAst, index: QueryIndex): Selection | undefined {
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
    const plan = ast.where === null ? { refs: new Map(index.all(types).map((r) => [`${r.type}\u0000${r.key}`, r])), exact: true } : planner.plan(ast.from, ast.where);
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
      const rows = index.allValues(types, attributes.map((a) => a.name));
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

  /** Validates every path of a condition before any row is touched. */
  private check(type: string, condition: Condition): void {
    const model = this.graph.model;
    switch (condition.kind) {
      case 'and':
      case 'or':
        condition.operands.forEach((c) => this.check(type, c));
        return;
      case 'not':
        this.check(type, condition.operand);
        return;
      case 'has':
      case 'any': {
        const { relationTarget } = checkPath(model, type, condition.path);
        if (relationTarget === undefined) {
          throw new QueryEvaluationError(`"${condition.kind}" needs a relation, got an attribute in "${pathOf(condition.path)}".`);
        }
        if (condition.condition !== null) this.check(relationTarget, condition.condition);
        return;
      }
      case 'in_query': {
        checkPath(model, type, condition.path);
        const projections = condition.query.select;
        if (projections === null || projections.length !== 1 || projections[0]!.kind !== 'path') {
          throw new QueryEvaluationError('A sub-query in "in (...)" must select exactly one attribute.');
        }
        return;
      }
      default:
        checkPath(model, type, condition.path);
    }
  }

  private test(ref: EntityRef, condition: Condition): boolean {
    this.budget.tick();
    switch (condition.kind) {
      case 'and':
        return condition.operands.every((c) => this.test(ref, c));
      case 'or':
        return condition.operands.some((c) => this.test(ref, c));
      case 'not':
        return !this.test(ref, condition.operand);
      case 'has':
      case 'any': {
        const related = pathEntities(this.graph, ref, condition.path);
        const inner = condition.condition;
        return inner === null ? related.length > 0 : related.some((r) => this.test(r, inner));
      }
      case 'compare':
        return this.compare(pathValues(this.graph, ref, condition.path), condition.op, condition.value, condition.path);
      case 'in':
        return this.member(pathValues(this.graph, ref, condition.path), condition.values, condition.negated, condition.path);
      case 'in_query': {
        const values = this.subqueryValues(condition.query);
        const terminals = pathValues(this.graph, ref, condition.path).filter((t) => t.value !== null);
        return terminals.some((t) => values.some((v) => valuesEqual(t.value, v, t.domain)) !== condition.negated);
      }
    }
  }

  private compare(terminals: Terminal[], op: string, literal: Literal, path: Path): boolean {
    if (literal.kind === 'null' && (op === 'eq' || op === 'ne')) {
      return terminals.some((t) => (op === 'eq') === (t.value === null));
    }
    const attribute = pathOf(path);
    return terminals.some((t) => {
      if (t.value === null) return false; // SQL: comparisons with NULL are never true
      if (op === 'like' || op === 'not_like') {
        const text = t.domain.type === 'datetime' ? formatNaiveUtc(t.value as number) : String(t.value);
        return likeMatches(likePattern(likeSource(literal), t.domain.exact), text) === (op === 'like');
      }
      const value = coerceLiteral(literal, t.domain, attribute);
      if (value === null) return false;
      const order = () => compareValues(t.value, value, t.domain);
      switch (op) {
        case 'eq':
          return valuesEqual(t.value, value, t.domain);
        case 'ne':
          return !valuesEqual(t.value, value, t.domain);
        case 'gt':
          return order() > 0;
        case 'gte':
          return order() >= 0;
        case 'lt':
          return order() < 0;
        default:
          return order() <= 0;
      }
    });
  }

  /** `in ()` is false and `not_in ()` true; otherwise existential over the path's values. */
  private member(terminals: Terminal[], literals: Literal[], negated: boolean, path: Path): boolean {
    if (literals.length === 0) return negated;
    const attribute = pathOf(path);
    const matchesNull = literals.some((l) => l.kind === 'null');
    return terminals.some((t) => {
      if (t.value === null) return matchesNull && !negated;
      const found = literals.some(
        (l) => l.kind !== 'null' && valuesEqual(t.value, coerceLiteral(l, t.domain, attribute), t.domain),
      );
      return found !== negated;
    });
  }

  private subqueryValues(query: QueryAst): Comparable[] {
    let values = this.subqueries.get(query);
    if (values === undefined) {
      const projection = query.select![0]!;
      const { page } = this.select(query);
      values = page.flatMap((ref) => pathValues(this.graph, ref, projection.path).map((t) => t.value)).filter((v) => v !== null);
      this.subqueries.set(query, values);
    }
    return values;
  }

  /** Stable sort by each key; nulls last in both directions. */
  private sorted(rows: EntityRef[], ast: QueryAst): EntityRef[] {
    const keyed = rows.map((ref, index) => {
      this.budget.tick();
      return {
        ref,
        index,
        keys: ast.orderBy.map((k) => pathValues(this.graph, ref, k.path).find((t) => t.value !== null) ?? null),
      };
    });
    keyed.sort((a, b) => compareKeyed(a, b, ast.orderBy));
    return keyed.map((k) => k.ref);
  }
}

interface Keyed {
  index: number;
  keys: (Terminal | null)[];
}

/** Stable, by each key; nulls last in both directions. */
function compareKeyed(a: Keyed, b: Keyed, orderBy: readonly SortKey[]): number {
  for (let i = 0; i < orderBy.length; i++) {
    const x = a.keys[i]!;
    const y = b.keys[i]!;
    if (x === null || y === null) {
      if (x !== y) return x === null ? 1 : -1;
      continue;
    }
    const c = compareValues(x.value, y.value, x.domain);
    if (c !== 0) return orderBy[i]!.direction === 'descending' ? -c : c;
  }
  return a.index - b.index;
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
