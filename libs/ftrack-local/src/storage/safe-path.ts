// Resource identifiers come from clients; they must never escape the storage root.
import { resolve, sep } from 'node:path';

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

export class UnsafeIdentifierError extends Error {
  constructor() {
    super('Invalid resource identifier.');
    this.name = 'UnsafeIdentifierError';
  }
}

export function isSafeIdentifier(id: string): boolean {
  return SAFE_ID.test(id) && !id.includes('..');
}

/** Absolute path of `id` inside `root`; throws UnsafeIdentifierError for anything suspicious. */
export function safeJoin(root: string, id: string): string {
  if (!isSafeIdentifier(id)) throw new UnsafeIdentifierError();
  const base = resolve(root);
  const full = resolve(base, id);
  if (!full.startsWith(base + sep)) throw new UnsafeIdentifierError();
  return full;
}
