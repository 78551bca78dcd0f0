import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { injectable } from 'tsyringe';
import type { Checksum, HashAlgorithm, Hasher } from '@ftrack-encode/core';

async function feed(hash: Hash, path: string, signal: AbortSignal | undefined): Promise<void> {
  const stream = createReadStream(path, { highWaterMark: 1 << 20, ...(signal ? { signal } : {}) });
  for await (const chunk of stream) hash.update(chunk as Buffer);
}

/** Streams files through node:crypto; memory stays flat whatever the size. */
@injectable()
export class NodeHasher implements Hasher {
  async hashFile(path: string, algorithm: HashAlgorithm = 'sha256', options: { signal?: AbortSignal } = {}): Promise<Checksum> {
    return this.hashFiles([path], algorithm, options);
  }

  async hashFiles(paths: string[], algorithm: HashAlgorithm = 'sha256', options: { signal?: AbortSignal } = {}): Promise<Checksum> {
    const hash = createHash(algorithm);
    for (const path of paths) await feed(hash, path, options.signal);
    return { algorithm, hex: hash.digest('hex') };
  }
}
