import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { EncodeError, type Checksum, type HashAlgorithm, type Hasher } from '@ftrack-encode/core';

/** ~/.cache/ftrack-encode/checksums (or $XDG_CACHE_HOME/...). */
export function defaultChecksumCacheDir(): string {
  return join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'ftrack-encode', 'checksums');
}

/** Files stat'ed at once: enough to hide latency on a share, few enough not to exhaust descriptors. */
const STAT_BATCH = 64;

/**
 * Remembers the digest of a source (a movie, or a sequence's frames in order) by what
 * identifies its files without reading them: path, size, mtime and ctime in nanoseconds,
 * inode and device. Re-publishing an unchanged 2,000-frame EXR sequence stats the frames
 * instead of reading gigabytes; touching, replacing or renaming any frame changes the key,
 * so it is read again. The digest itself is the inner hasher's (the same bytes-in-order
 * checksum the web app and earlier registrations use).
 */
export class CachingHasher implements Hasher {
  constructor(
    private readonly inner: Hasher,
    private readonly dir: string = defaultChecksumCacheDir(),
  ) {}

  /** Single files are outputs or small: not cached (their paths are fresh temp names). */
  hashFile(path: string, algorithm?: HashAlgorithm, options?: { signal?: AbortSignal; rehash?: boolean }): Promise<Checksum> {
    return this.inner.hashFile(path, algorithm, options);
  }

  async hashFiles(paths: string[], algorithm: HashAlgorithm = 'sha256', options: { signal?: AbortSignal; rehash?: boolean } = {}): Promise<Checksum> {
    const key = await this.keyOf(paths, algorithm);
    const entry = join(this.dir, `${key}.json`);
    if (!options.rehash) {
      const cached = await readFile(entry, 'utf8').then(
        (text) => JSON.parse(text) as Checksum,
        () => undefined,
      );
      if (cached?.algorithm === algorithm && typeof cached.hex === 'string') return cached;
    }
    const checksum = await this.inner.hashFiles(paths, algorithm, options.signal ? { signal: options.signal } : {});
    // A source that changed while it was read has no checksum: the digest is of bytes that are gone.
    if ((await this.keyOf(paths, algorithm)) !== key) {
      throw new EncodeError(
        'E_SOURCE_UNREADABLE',
        `The source changed while it was read (${paths.length === 1 ? paths[0] : `${paths.length} frames from ${paths[0]}`}).`,
        {
          hint: 'Publish it once it is complete (is a render or a copy still writing it?).',
        },
      );
    }
    await this.remember(entry, checksum).catch(() => undefined);
    return checksum;
  }

  private async keyOf(paths: string[], algorithm: HashAlgorithm): Promise<string> {
    const hash = createHash('sha256').update(`${algorithm}\n`);
    for (let i = 0; i < paths.length; i += STAT_BATCH) {
      const batch = paths.slice(i, i + STAT_BATCH);
      const stats = await Promise.all(batch.map((p) => stat(p, { bigint: true })));
      stats.forEach((s, j) => hash.update(`${batch[j]}\0${s.size}\0${s.mtimeNs}\0${s.ctimeNs}\0${s.ino}\0${s.dev}\n`));
    }
    return hash.digest('hex');
  }

  private async remember(entry: string, checksum: Checksum): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const temp = `${entry}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(checksum), { mode: 0o600 });
    await rename(temp, entry);
  }
}
