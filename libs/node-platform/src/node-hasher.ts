import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { injectable } from 'tsyringe';
import type { Checksum, HashAlgorithm, Hasher } from '@ftrack-encode/core';

/** Streams the file through node:crypto; memory stays flat whatever the size. */
@injectable()
export class NodeHasher implements Hasher {
  async hashFile(path: string, algorithm: HashAlgorithm = 'sha256', options: { signal?: AbortSignal } = {}): Promise<Checksum> {
    const hash = createHash(algorithm);
    const stream = createReadStream(path, { highWaterMark: 1 << 20, ...(options.signal ? { signal: options.signal } : {}) });
    for await (const chunk of stream) hash.update(chunk as Buffer);
    return { algorithm, hex: hash.digest('hex') };
  }
}
