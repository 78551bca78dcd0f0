import type { Checksum, HashAlgorithm } from '../domain/encode-plan.js';

export interface Hasher {
  /** Stream the file once; never loads it whole. */
  hashFile(path: string, algorithm?: HashAlgorithm, options?: { signal?: AbortSignal }): Promise<Checksum>;
  /**
   * One digest over the files' bytes in order (a source's checksum: a movie, or a sequence's
   * frames). May come from a cache keyed by the files' identity; `rehash` reads them anyway.
   */
  hashFiles(paths: string[], algorithm?: HashAlgorithm, options?: { signal?: AbortSignal; rehash?: boolean }): Promise<Checksum>;
}
