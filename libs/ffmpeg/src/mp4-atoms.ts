/** A top-level ISO-BMFF (MP4/MOV) box header. */
export interface AtomHeader {
  type: string;
  /** Offset of the box in the file. */
  offset: number;
  /** Whole box size in bytes; Infinity when the box runs to the end of the file (size 0). */
  size: number;
  /** Bytes of header (8, or 16 with a 64-bit size). */
  headerSize: number;
}

/**
 * Parse the box header at `offset` of `bytes` (bytes[0] is file offset `base`).
 * Undefined when fewer than the needed header bytes are available or the header is invalid.
 */
export function readAtomHeader(bytes: Uint8Array, offset: number, base = 0): AtomHeader | undefined {
  const at = offset - base;
  if (at < 0 || at + 8 > bytes.length) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size32 = view.getUint32(at);
  const type = String.fromCharCode(bytes[at + 4]!, bytes[at + 5]!, bytes[at + 6]!, bytes[at + 7]!);
  if (!/^[\x20-\x7e]{4}$/.test(type)) return undefined;
  if (size32 === 1) {
    if (at + 16 > bytes.length) return undefined;
    const size = Number(view.getBigUint64(at + 8));
    return size >= 16 ? { type, offset, size, headerSize: 16 } : undefined;
  }
  if (size32 === 0) return { type, offset, size: Number.POSITIVE_INFINITY, headerSize: 8 };
  return size32 >= 8 ? { type, offset, size: size32, headerSize: 8 } : undefined;
}

/**
 * Whether `moov` precedes `mdat` among the top-level boxes in `head` (the first bytes of the file).
 * Undefined when the head ends (or is not MP4) before either box is reached.
 */
export function mp4MoovBeforeMdat(head: Uint8Array): boolean | undefined {
  let offset = 0;
  for (;;) {
    const atom = readAtomHeader(head, offset);
    if (!atom) return undefined;
    if (atom.type === 'moov') return true;
    if (atom.type === 'mdat') return false;
    if (!Number.isFinite(atom.size)) return undefined;
    offset += atom.size;
  }
}
