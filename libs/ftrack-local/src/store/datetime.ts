// Datetimes are stored as naive UTC ISO strings ("2024-01-02T03:04:05") and
// travel as {"__type__":"datetime","value":...} (protocol §4.2).

export interface WireDatetime {
  __type__: 'datetime' | 'date';
  value: string;
}

export function isWireDatetime(value: unknown): value is WireDatetime {
  return (
    typeof value === 'object' &&
    value !== null &&
    ((value as { __type__?: unknown }).__type__ === 'datetime' || (value as { __type__?: unknown }).__type__ === 'date') &&
    typeof (value as { value?: unknown }).value === 'string'
  );
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const HAS_ZONE = /(Z|[+-]\d{2}:?\d{2})$/i;

/** Parses any accepted ISO form; returns undefined when it is not a datetime. */
export function normalizeDatetime(input: string): string | undefined {
  const text = input.trim();
  let iso: string;
  if (DATE_ONLY.test(text)) iso = `${text}T00:00:00Z`;
  else if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?/.test(text)) {
    const t = text.replace(' ', 'T');
    iso = HAS_ZONE.test(t) ? t : `${t}Z`;
  } else return undefined;
  // Date parses at most milliseconds; trim longer fractions (Python microseconds).
  iso = iso.replace(/(\.\d{3})\d+/, '$1');
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return undefined;
  return formatDatetime(new Date(ms));
}

export function formatDatetime(date: Date): string {
  const full = date.toISOString(); // 2024-01-02T03:04:05.678Z
  const millis = full.slice(19, 23);
  return millis === '.000' ? full.slice(0, 19) : full.slice(0, 23);
}

export function nowDatetime(): string {
  return formatDatetime(new Date());
}

export function toWireDatetime(stored: string): WireDatetime {
  return { __type__: 'datetime', value: stored };
}
