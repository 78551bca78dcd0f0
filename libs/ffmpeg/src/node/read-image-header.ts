import { open } from 'node:fs/promises';
import type { ImageHeaderInfo } from '@ftrack-encode/core';
import { parseImageHeader } from '../image-headers.js';

/** Enough for any EXR header we read (attributes come first) and the whole DPX header. */
const HEADER_BYTES = 256 * 1024;

/** The EXR/DPX header of a file, or undefined for other files (or when it cannot be read). */
export async function readImageHeader(path: string): Promise<ImageHeaderInfo | undefined> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return undefined;
  try {
    const buffer = Buffer.alloc(HEADER_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEADER_BYTES, 0);
    return parseImageHeader(new Uint8Array(buffer.buffer, buffer.byteOffset, bytesRead));
  } finally {
    await handle.close();
  }
}
