import { open } from 'node:fs/promises';
import { checkImageSupport, type ImageHeaderInfo, type MediaInfo } from '@ftrack-encode/core';
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

/**
 * When ffprobe cannot read an image, its header may say why in words a user can act on (deep
 * EXR: E_UNSUPPORTED). Rethrows the original error otherwise.
 */
export async function explainUnreadableImage(path: string, error: unknown): Promise<never> {
  const header = await readImageHeader(path).catch(() => undefined);
  if (header?.deep) checkImageSupport({ codec: 'exr', imageHeader: header } as MediaInfo);
  throw error;
}
