// Which attributes of a stored row are indexed for lookups (entity_attr): ids and
// foreign keys (`id`, `*_id`) by their exact text, `name` lower-cased — ftrack
// compares names case-insensitively. Relations, cascades and query planning
// find rows through these instead of reading whole types.
import type { Row } from './entity-repo.js';

export type IndexKind = 'exact' | 'folded';

export function indexKind(attribute: string): IndexKind | undefined {
  if (attribute === 'id' || attribute.endsWith('_id')) return 'exact';
  if (attribute === 'name') return 'folded';
  return undefined;
}

/** The index text of a value, or undefined when the value is not indexable. */
export function indexText(attribute: string, value: unknown): string | undefined {
  const kind = indexKind(attribute);
  if (kind === undefined || value === null || value === undefined) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return undefined;
  return kind === 'folded' ? String(value).toLowerCase() : String(value);
}

export function indexEntries(row: Row): [attribute: string, text: string][] {
  const entries: [string, string][] = [];
  for (const [attribute, value] of Object.entries(row)) {
    const text = indexText(attribute, value);
    if (text !== undefined) entries.push([attribute, text]);
  }
  return entries;
}
