// Narrows the rows a query must look at with the store's index: `where` conditions
// that compare an id, a foreign key or a name along a chain of references
// (`asset.parent.id is X`, `name is sh010`, `task_id in (...)`) become index
// lookups walked back from the last step to the queried type. A plan is `exact`
// when it selects precisely the matching rows; otherwise the evaluator still tests
// each candidate, so planning never changes a result, only how many rows are read.
import type { SchemaModel } from '../schema/index.js';
import type { Condition, Literal, Path } from './ast.js';
import type { IndexedRef, QueryIndex } from './types.js';

export interface Plan {
  refs: Map<string, IndexedRef>;
  exact: boolean;
}

const identity = (ref: IndexedRef) => `${ref.type}\u0000${ref.key}`;

export class Planner {
  constructor(
    private readonly model: SchemaModel,
    private readonly index: QueryIndex,
  ) {}

  /** Whether every row of the type family is indexed (so a plan can stand for a full scan). */
  covers(type: string): boolean {
    return this.model.concreteTypes(type).every((t) => this.index.covers(t));
  }

  plan(type: string, condition: Condition): Plan | undefined {
    switch (condition.kind) {
      case 'and': {
        const plans = condition.operands.map((c) => this.plan(type, c));
        const narrowing = plans.filter((p): p is Plan => p !== undefined);
        if (narrowing.length === 0) return undefined;
        let refs = narrowing[0]!.refs;
        for (const other of narrowing.slice(1)) refs = new Map([...refs].filter(([id]) => other.refs.has(id)));
        return { refs, exact: narrowing.length === plans.length && narrowing.every((p) => p.exact) };
      }
      case 'or': {
        const plans = condition.operands.map((c) => this.plan(type, c));
        if (plans.some((p) => p === undefined)) return undefined;
        const refs = new Map<string, IndexedRef>();
        for (const p of plans as Plan[]) for (const [id, ref] of p.refs) refs.set(id, ref);
        return { refs, exact: (plans as Plan[]).every((p) => p.exact) };
      }
      case 'compare':
        return condition.op === 'eq' ? this.pathPlan(type, condition.path, [condition.value]) : undefined;
      case 'in':
        return condition.negated || condition.values.length === 0 ? undefined : this.pathPlan(type, condition.path, condition.values);
      default:
        return undefined;
    }
  }

  /** Rows of `type` whose path equals one of the literals, walking references backwards. */
  private pathPlan(root: string, path: Path, literals: readonly Literal[]): Plan | undefined {
    const steps = path.steps;
    // Types along the path: the family each step's rows come from.
    const families: string[] = [root];
    const localKeys: string[] = [];
    let type = root;
    for (const step of steps.slice(0, -1)) {
      const relation = this.model.attribute(type, step.name) ? this.model.relation(type, step.name) : undefined;
      if (!relation || relation.kind !== 'reference' || relation.derived || !relation.localKey) return undefined;
      if (relation.remoteKey !== undefined && relation.remoteKey !== 'id') return undefined;
      localKeys.push(relation.localKey);
      // References resolve in the target's family, else leniently in its root family (EntityGraph).
      type = step.cast ?? rootOf(this.model, relation.target);
      families.push(type);
    }
    const last = steps.at(-1)!;
    const attribute = this.model.attribute(type, last.name);
    if (last.cast !== undefined || !attribute || (attribute.kind !== 'scalar' && attribute.kind !== 'datetime')) return undefined;
    const kind = this.index.kind(last.name);
    // Numbers and datetimes compare by value (`01` is `1`), not by the indexed text.
    if (kind === undefined || attribute.kind === 'datetime' || attribute.valueType !== 'string') return undefined;
    const texts: string[] = [];
    for (const literal of literals) {
      const text = literalText(literal);
      if (text === undefined) return undefined;
      texts.push(kind === 'folded' ? text.toLowerCase() : text);
    }
    if (!families.every((f) => this.covers(f)) || localKeys.some((k) => this.index.kind(k) !== 'exact')) return undefined;

    let refs = this.index.refs(this.model.concreteTypes(type), last.name, texts);
    for (let i = localKeys.length - 1; i >= 0; i--) {
      const ids = refs.map((ref) => ref.key);
      if (refs.some((ref) => this.model.primaryKey(ref.type).length !== 1)) return undefined;
      refs = ids.length === 0 ? [] : this.index.refs(this.model.concreteTypes(families[i]!), localKeys[i]!, ids);
    }
    // Folded (case-insensitive) lookups are exact only where the evaluator also folds: non-key strings.
    const exact = kind === 'exact' || !attribute.isKey;
    return { refs: new Map(refs.map((ref) => [identity(ref), ref])), exact };
  }
}

function rootOf(model: SchemaModel, type: string): string {
  return [type, ...model.ancestors(type)].pop()!;
}

/** The text a literal compares as against an indexed string; undefined for null and booleans. */
function literalText(literal: Literal): string | undefined {
  switch (literal.kind) {
    case 'string':
    case 'bare':
      return literal.value;
    case 'number':
      return literal.text;
    default:
      return undefined;
  }
}
