// Literal and stored-value coercion: the query text is untyped (`123`, `true`, bare words,
// ISO strings), so each literal is converted to the type of the attribute it is compared
// with. Stored rows may hold SQLite-ish values (0/1 booleans) and ISO datetime strings.
import type { Literal } from './ast.js';
import { QueryEvaluationError } from './errors.js';
import { compileLike, type LikePattern } from './like.js';

/** How values of one attribute compare. */
export interface ValueDomain {
  type: 'string' | 'integer' | 'number' | 'boolean' | 'datetime' | 'other';
  /** Ids and keys compare exactly; other strings case-insensitively (ftrack's MySQL collation). */
  exact: boolean;
}

export type Comparable = string | number | boolean | null;

export const KEY_DOMAIN: ValueDomain = { type: 'string', exact: true };

export function domainFor(valueType: string | undefined, isDatetime: boolean, isKey: boolean): ValueDomain {
  if (isDatetime) return { type: 'datetime', exact: true };
  switch (valueType) {
    case 'string':
      return { type: 'string', exact: isKey };
    case 'integer':
    case 'number':
    case 'boolean':
      return { type: valueType, exact: true };
    default:
      return { type: 'other', exact: isKey };
  }
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const HAS_ZONE = /(Z|[+-]\d{2}:?\d{2})$/i;
const NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Milliseconds since the epoch for any accepted ISO form; naive and date-only mean UTC. */
export function parseInstant(text: string): number | undefined {
  const trimmed = text.trim();
  let iso: string;
  if (DATE_ONLY.test(trimmed)) iso = `${trimmed}T00:00:00Z`;
  else if (DATETIME.test(trimmed)) {
    iso = trimmed.replace(' ', 'T');
    if (!HAS_ZONE.test(iso)) iso += 'Z';
  } else return undefined;
  const ms = Date.parse(iso.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(ms) ? undefined : ms;
}

/** Naive UTC `YYYY-MM-DDTHH:MM:SS`, the wire form of protocol §4.2. */
export function formatNaiveUtc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

function wireDatetimeValue(value: unknown): string | undefined {
  if (typeof value === 'object' && value !== null && '__type__' in value && 'value' in value) {
    const inner = (value as { value: unknown }).value;
    return typeof inner === 'string' ? inner : undefined;
  }
  return undefined;
}

/** A stored attribute value in comparable form (null for missing or unparsable). */
export function normalizeStored(value: unknown, domain: ValueDomain): Comparable {
  if (value === undefined || value === null) return null;
  switch (domain.type) {
    case 'datetime': {
      const text = typeof value === 'string' ? value : wireDatetimeValue(value);
      return text === undefined ? null : (parseInstant(text) ?? null);
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 1 || value === '1' || value === 'true') return true;
      if (value === 0 || value === '0' || value === 'false') return false;
      return null;
    case 'integer':
    case 'number':
      if (typeof value === 'number') return value;
      return typeof value === 'string' && NUMERIC.test(value) ? Number(value) : null;
    case 'string':
      return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : null;
    default:
      return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : null;
  }
}

function literalText(literal: Literal): string | undefined {
  switch (literal.kind) {
    case 'string':
    case 'bare':
      return literal.value;
    case 'number':
      return literal.text;
    case 'boolean':
      return String(literal.value);
    default:
      return undefined;
  }
}

/** A literal converted to the attribute's domain; throws when it cannot be one. */
export function coerceLiteral(literal: Literal, domain: ValueDomain, attribute: string): Comparable {
  if (literal.kind === 'null') return null;
  const text = literalText(literal) ?? '';
  const invalid = (what: string): never => {
    throw new QueryEvaluationError(`Cannot compare ${what} attribute "${attribute}" with ${JSON.stringify(text)}.`, {
      attribute,
      value: text,
    });
  };
  switch (domain.type) {
    case 'datetime':
      return parseInstant(text) ?? invalid('datetime');
    case 'integer':
    case 'number':
      if (literal.kind === 'number') return literal.value;
      return NUMERIC.test(text.trim()) ? Number(text) : invalid('numeric');
    case 'boolean': {
      if (literal.kind === 'boolean') return literal.value;
      const lower = text.toLowerCase();
      if (lower === 'true' || lower === '1') return true;
      if (lower === 'false' || lower === '0') return false;
      return invalid('boolean');
    }
    case 'string':
      return text;
    default:
      return literal.kind === 'number' || literal.kind === 'boolean' ? literal.value : text;
  }
}

export function valuesEqual(a: Comparable, b: Comparable, domain: ValueDomain): boolean {
  if (a === null || b === null) return a === b;
  if (typeof a === 'string' && typeof b === 'string') {
    return domain.exact ? a === b : a.toLowerCase() === b.toLowerCase();
  }
  if (typeof a === typeof b) return a === b;
  return String(a) === String(b);
}

/** Ordering of two non-null values; strings case-insensitively unless exact. */
export function compareValues(a: Comparable, b: Comparable, domain: ValueDomain): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const x = domain.exact ? String(a) : String(a).toLowerCase();
  const y = domain.exact ? String(b) : String(b).toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

const likeCache = new Map<string, LikePattern>();

/** SQL LIKE: `%` any run, `_` one character, backslash escapes the next character. */
export function likePattern(raw: string, exact: boolean): LikePattern {
  const key = `${exact ? 1 : 0}${raw}`;
  let pattern = likeCache.get(key);
  if (pattern === undefined) {
    pattern = compileLike(raw, exact);
    if (likeCache.size > 500) likeCache.clear();
    likeCache.set(key, pattern);
  }
  return pattern;
}

/** Pattern text of a literal: quoted strings as written (escapes intact), others as text. */
export function likeSource(literal: Literal): string {
  return literal.kind === 'string' ? literal.raw : (literalText(literal) ?? '');
}
