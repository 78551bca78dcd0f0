import type { Checksum, HashAlgorithm } from '../domain/encode-plan.js';

export interface Hasher {
  /** Stream the file once; never loads it whole. */
  hashFile(path: string, algorithm?: HashAlgorithm, options?: { signal?: AbortSignal }): Promise<Checksum>;
  /** One digest over the files' bytes in order (an image sequence's checksum). */
  hashFiles(paths: string[], algorithm?: HashAlgorithm, options?: { signal?: AbortSignal }): Promise<Checksum>;
}
