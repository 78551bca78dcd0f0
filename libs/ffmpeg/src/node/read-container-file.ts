import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { readContainer, type ContainerFacts } from '../container-readers/index.js';

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
