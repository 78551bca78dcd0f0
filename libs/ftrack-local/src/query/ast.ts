// Syntax tree of the ftrack query language (protocol §5.2). Positions are 0-based
// character offsets into the expression, for error messages.

/** One step of a path: `parent` or `parent[Project]` (a cast narrowing a polymorphic relation). */
export interface PathStep {
  name: string;
  cast?: string;
}

export interface Path {
  steps: PathStep[];
  position: number;
}

export type Projection =
  | { kind: 'path'; path: Path }
  /** `count(id)` and friends; only meaningful with `group by`. */
  | { kind: 'aggregate'; fn: string; path: Path };

/**
 * A literal as written. `bare` is an unquoted word (`sh010`, `NOT_STARTED`, a bare UUID);
 * `number` keeps its source text so `project_id is 123` can still match the string "123".
 */
export type Literal =
  /** `raw` is the text between the quotes as written (escapes kept, for `like`). */
  | { kind: 'string'; value: string; raw: string }
  | { kind: 'bare'; value: string }
  | { kind: 'number'; value: number; text: string }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' };

/** Canonical comparison operators; `operator` in the node keeps the spelling used. */
export type CompareOp = 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'like' | 'not_like';

export type Condition =
  | { kind: 'and'; operands: Condition[] }
  | { kind: 'or'; operands: Condition[] }
  | { kind: 'not'; operand: Condition }
  | { kind: 'compare'; path: Path; op: CompareOp; operator: string; value: Literal }
  | { kind: 'in'; path: Path; negated: boolean; values: Literal[] }
  | { kind: 'in_query'; path: Path; negated: boolean; query: QueryAst }
  /** `has` on a reference, `any` on a collection; `condition` null for `any ()`. */
  | { kind: 'has' | 'any'; path: Path; condition: Condition | null };

export interface SortKey {
  path: Path;
  direction: 'ascending' | 'descending';
}

export interface QueryAst {
  /** Null when the expression has no `select` (use the type's default projections). */
  select: Projection[] | null;
  from: string;
  where: Condition | null;
  orderBy: SortKey[];
  offset: number | null;
  limit: number | null;
  groupBy: Path[];
}

export function pathText(path: Path): string {
  return path.steps.map((s) => (s.cast === undefined ? s.name : `${s.name}[${s.cast}]`)).join('.');
}
