import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import type { MediaInfo } from '@ftrack-encode/core';
import { readContainer, type ContainerFacts } from '../container-readers/index.js';
import { parseProbe } from '../probe.js';

/** readContainer on a file on disk (positioned reads, no process). */
export async function readContainerFile(path: string): Promise<ContainerFacts | undefined> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const read = async (offset: number, length: number) => {
      const buffer = new Uint8Array(Math.max(0, Math.min(length, size - offset)));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
      return buffer.subarray(0, bytesRead);
    };
    return await readContainer({ size, read }, basename(path));
  } finally {
    await handle.close();
  }
}

/**
 * An encoded output's MediaInfo from its container's headers, as ffprobe would give it (no process:
 * a native ffprobe costs ~0.09 s of CPU however small the file, a wasm one far more). Undefined, so
 * the caller runs ffprobe, for a file the readers do not know or find broken.
 */
export async function mediaInfoFromHeaders(path: string): Promise<MediaInfo | undefined> {
  try {
    const facts = await readContainerFile(path);
    if (!facts) return undefined;
    const info = parseProbe(facts.json, { path });
    return facts.moovBeforeMdat === undefined ? info : { ...info, moovBeforeMdat: facts.moovBeforeMdat };
  } catch {
    return undefined;
  }
}
