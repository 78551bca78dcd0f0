import { describe, expect, it } from 'vitest';
import { mp4MoovBeforeMdat, readAtomHeader } from './mp4-atoms.js';

function atom(type: string, payload = 0, size64 = false): Uint8Array {
  const header = size64 ? 16 : 8;
  const bytes = new Uint8Array(header + payload);
  const view = new DataView(bytes.buffer);
  if (size64) {
    view.setUint32(0, 1);
    view.setBigUint64(8, BigInt(header + payload));
  } else view.setUint32(0, header + payload);
  for (let i = 0; i < 4; i++) bytes[4 + i] = type.charCodeAt(i);
  return bytes;
}

const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
};

describe('mp4 atoms', () => {
  it('finds moov before mdat (faststart)', () => {
    expect(mp4MoovBeforeMdat(concat(atom('ftyp', 16), atom('moov', 100), atom('mdat', 1000)))).toBe(true);
  });

  it('finds mdat first, also with a 64-bit size and a free box between', () => {
    expect(mp4MoovBeforeMdat(concat(atom('ftyp', 16), atom('free', 4), atom('mdat', 40, true), atom('moov', 8)))).toBe(false);
  });

  it('is undefined when the head ends before either box, or is not mp4', () => {
    expect(mp4MoovBeforeMdat(concat(atom('ftyp', 16), atom('wide', 0)).subarray(0, 30))).toBeUndefined();
    expect(mp4MoovBeforeMdat(new TextEncoder().encode('this is a text file, not a movie'))).toBeUndefined();
    expect(mp4MoovBeforeMdat(new Uint8Array(0))).toBeUndefined();
  });

  it('reads a header at an offset relative to a buffer base', () => {
    const bytes = concat(atom('ftyp', 16), atom('moov', 4));
    expect(readAtomHeader(bytes.subarray(24), 24, 24)).toEqual({ type: 'moov', offset: 24, size: 12, headerSize: 8 });
  });
});
