// Sorting rules shared by in-memory and indexed evaluation: stable, by each
// `order by` key, nulls last in both directions.
import type { SortKey } from './ast.js';
import { compareValues } from './coerce.js';
import type { EntityRef } from './entity-graph.js';
import type { Terminal } from './paths.js';

/** What a query selected: the page, the total count and the offset of the page. */
export interface Selection {
  page: EntityRef[];
  total: number;
  offset: number;
}

export interface Keyed {
  index: number;
  keys: (Terminal | null)[];
}

/** Stable, by each key; nulls last in both directions. */
export function compareKeyed(a: Keyed, b: Keyed, orderBy: readonly SortKey[]): number {
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
