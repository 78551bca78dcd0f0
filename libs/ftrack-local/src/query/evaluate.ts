// Evaluates a parsed query against a QueryDataSource: through the store's index when it has
// one (indexed-select.ts), else in memory over every row of the type.
import type { Condition, Literal, Path, QueryAst } from './ast.js';
import { coerceLiteral, compareValues, formatNaiveUtc, likePattern, likeSource, valuesEqual, type Comparable } from './coerce.js';
import { Budget } from './budget.js';
import { IndexedSelect } from './indexed-select.js';
import { compareKeyed, type Selection } from './order.js';
import type { SortCache } from './types.js';
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

    const index = this.graph.index;
    const indexed =
      index === undefined
        ? undefined
        : new IndexedSelect(this.graph, this.budget, (rows, query, filter) => this.finish(rows, query, filter), this.sortCache).select(ast, index);
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
      const found = literals.some((l) => l.kind !== 'null' && valuesEqual(t.value, coerceLiteral(l, t.domain, attribute), t.domain));
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

function pathOf(path: Path): string {
  return path.steps.map((s) => s.name).join('.');
}
