// Deterministic UUID-shaped ids for server-made reference rows, so a restart
// on the same data dir finds the same rows.
import { createHash } from 'node:crypto';

export function stableId(name: string): string {
  const h = createHash('sha1').update(`ftrack-local:${name}`).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
