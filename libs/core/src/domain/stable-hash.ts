/** JSON with sorted keys, so equal data always serialises (and hashes) the same. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
}

/**
 * FNV-1a 64-bit of the stable JSON: a dependency-free content hash for profiles and
 * plans (identity, not security — file checksums use the Hasher port).
 */
export function stableHash(value: unknown): string {
  let hash = 0xcbf29ce484222325n;
  const text = stableStringify(value);
  for (let i = 0; i < text.length; i++) {
    hash ^= BigInt(text.charCodeAt(i));
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
}

/**
 * A UUID-shaped id that is the same for the same inputs: a re-run of an interrupted
 * publish reuses its component ids, so an upload journal keyed by component id resumes.
 */
export function deterministicUuid(...parts: string[]): string {
  const hex = `${stableHash(parts)}${stableHash([...parts, '#2'])}`;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
