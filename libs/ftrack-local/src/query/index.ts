/**
 * The ftrack query language (protocol §5) for ftrack-local.
 *
 * - `parseQuery(expression): QueryAst` — tokenizer + recursive-descent parser of the full
 *   grammar (select/from/where/order by/offset/limit/group by, has/any, in with lists and
 *   sub-queries, casts `rel[Type]`, every quirk clients emit). Throws `QuerySyntaxError`
 *   (`position`, `near`, message `Expected "from" at position 14 near "where"`).
 * - `executeQuery(ast, source, { strict? }): QueryResult` — evaluates in memory over a
 *   `QueryDataSource` (the model + rows of each concrete type + optional computed values)
 *   and returns `{ data: EntityJson[], metadata: { next: { offset } } }`, the `query`
 *   result without `action`. Throws `QueryEvaluationError` for unknown types/attributes,
 *   uncoercible literals and `group by` (parsed, not evaluated).
 * Both errors extend `QueryError` (an EncodeError with code E_USAGE); map them to
 * `{"exception": "ServerError", "content": error.message, "error_code": null}`.
 */
export { parseQuery } from './parser.js';
export { executeQuery } from './evaluate.js';
export { QueryError, QueryEvaluationError, QuerySyntaxError } from './errors.js';
export { Budget, QueryBudgetError } from './budget.js';
export { formatNaiveUtc, parseInstant } from './coerce.js';
export { pathText } from './ast.js';
export type { CompareOp, Condition, Literal, Path, PathStep, Projection, QueryAst, SortKey } from './ast.js';
export type { EntityJson, ExecuteOptions, IndexedRef, JsonValue, QueryDataSource, QueryIndex, QueryResult, Row, SortCache } from './types.js';
