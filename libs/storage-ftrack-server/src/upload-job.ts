import type { Checksum, HashAlgorithm } from '@ftrack-encode/core';
import type { RetryableError } from './server-api.js';

/** One file going to ftrack.server under a component id. */
export interface UploadJob {
  componentId: string;
  path: string;
  fileName: string;
  size: number;
  mtimeMs: number;
  algorithm: HashAlgorithm;
  signal?: AbortSignal;
  onBytes(done: number): void;
  onRetry?(error: RetryableError, attempt: number): void;
}

export interface HashedUpload {
  checksum: Checksum;
  size: number;
  /** Bytes read from disk: the one read that hashes and sends, plus what retried parts re-read. */
  bytesRead: number;
  /** Parts sent in this run (multi-part only). */
  partsSent?: number[];
  /** Parts skipped because a journal said they were done. */
  partsResumed?: number[];
}
