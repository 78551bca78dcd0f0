import { open } from 'node:fs/promises';
import { readAtomHeader } from '../mp4-atoms.js';

/**
 * moov-before-mdat for a whole file without reading it: hop from box header to box header
 * (16-byte reads), so a moov at the end of a 50 GB file costs a few reads.
 */
export async function mp4MoovBeforeMdatInFile(path: string): Promise<boolean | undefined> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const header = new Uint8Array(16);
    let offset = 0;
    for (let hops = 0; hops < 10_000 && offset + 8 <= size; hops++) {
      const { bytesRead } = await handle.read(header, 0, 16, offset);
      const atom = readAtomHeader(header.subarray(0, bytesRead), 0);
      if (!atom) return undefined;
      if (atom.type === 'moov') return true;
      if (atom.type === 'mdat') return false;
      if (!Number.isFinite(atom.size)) return undefined;
      offset += atom.size;
    }
    return undefined;
  } finally {
    await handle.close();
  }
}
