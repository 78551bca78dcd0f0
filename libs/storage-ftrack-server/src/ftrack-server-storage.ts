import { randomUUID } from 'node:crypto';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  EncodeError,
  isAbortError,
  silentLogger,
  type Checksum,
  type HashAlgorithm,
  type Logger,
  type RunOptions,
  type StorageAccessor,
  type StorageContext,
  type StoredFile,
} from '@ftrack-encode/core';
import { SERVER_LOCATION_ID, SERVER_LOCATION_NAME } from '@ftrack-encode/ftrack-protocol';
import { discard, isOk, sendRequest, type HttpResponse } from './http-client.js';
import { uploadMultiPart } from './multi-part-upload.js';
import { startHashing, stopHashing } from './parallel-hasher.js';
import { partSizeFor } from './part-size.js';
import type { RetryPolicy } from './retry.js';
import { networkReason, redactUrl, ServerApi } from './server-api.js';
import { uploadSinglePart } from './single-part-upload.js';
import type { HashedUpload, UploadJob } from './upload-job.js';

/** The ftrack.server location id (protocol §6.1). */
export const FTRACK_SERVER_LOCATION_ID = SERVER_LOCATION_ID;

const MiB = 1024 * 1024;

export interface FtrackServerStorageOptions {
  serverUrl: string;
  apiUser: string;
  apiKey: string;
  /** Multi-part part size; default the JS client's ladder (8 MiB, bigger for big files). */
  partSize?: number;
  /** Parts in flight at once; default 6. */
  parallelParts?: number;
  /** Files up to this size go in one PUT; default 16 MiB. */
  singlePartLimit?: number;
  /** Retries per request (parts, metadata, completion); default 5. */
  retries?: number;
  /** First back-off delay in ms (doubles, plus jitter); default 500. */
  retryBaseDelayMs?: number;
  /** Resume journals for multi-part uploads; none (no resume across runs) when unset. */
  journalDir?: string;
  /** File bytes held in memory at once (read, being hashed, waiting to be sent); default and minimum 4 MiB (four 1 MiB chunks). Flat in the file size. */
  bufferBytes?: number;
  /** hash-worker.mjs, when this library is bundled away from it (default: beside this module). */
  hashWorkerPath?: string;
  /** StoredFile checksum algorithm; default sha256. */
  algorithm?: HashAlgorithm;
  logger?: Logger;
}

/** Node uploader for ftrack.server: @ftrack/api's createComponent needs a browser. */
export class FtrackServerStorage implements StorageAccessor {
  readonly locationName = SERVER_LOCATION_NAME;
  private readonly api: ServerApi;
  private readonly policy: RetryPolicy;
  private readonly logger: Logger;

  constructor(private readonly options: FtrackServerStorageOptions) {
    this.api = new ServerApi({ serverUrl: options.serverUrl, apiUser: options.apiUser, apiKey: options.apiKey });
    this.policy = { retries: options.retries ?? 5, baseDelayMs: options.retryBaseDelayMs ?? 500, maxDelayMs: 30_000 };
    this.logger = options.logger ?? silentLogger;
  }

  locationId(): Promise<string> {
    return Promise.resolve(FTRACK_SERVER_LOCATION_ID);
  }

  /** ftrack.server stores by component id. */
  resourceIdentifierFor(context: StorageContext): string {
    return context.componentId;
  }

  async put(localPath: string, context: StorageContext, runOptions: RunOptions = {}): Promise<StoredFile> {
    const { signal, onProgress } = runOptions;
    const fileName = `${context.componentName}.${context.extension.replace(/^\./, '')}`;
    try {
      const info = await stat(localPath);
      const algorithm = this.options.algorithm ?? 'sha256';
      // Component files are never replaced: a re-run finds its own bytes, anything else conflicts.
      if (await this.exists(context.componentId)) {
        const checksum = await this.sameBytesAlreadyStored(localPath, context.componentId, algorithm, signal);
        return { resourceIdentifier: context.componentId, checksum, size: info.size, created: false };
      }
      const job: UploadJob = {
        componentId: context.componentId,
        path: localPath,
        fileName,
        size: info.size,
        mtimeMs: Math.trunc(info.mtimeMs),
        algorithm,
        ...(signal ? { signal } : {}),
        onBytes: (done) =>
          onProgress?.({ stage: 'store', item: context.componentName, bytes: { done, total: info.size }, percent: info.size ? (done / info.size) * 100 : 0 }),
        onRetry: (error, attempt) => this.logger.warn(`Retrying upload (attempt ${attempt + 1}): ${error.message}`, { component: context.componentId }),
      };
      const result = await this.upload(job);
      return { resourceIdentifier: context.componentId, checksum: result.checksum, size: result.size, created: true };
    } catch (error) {
      throw this.storageError(error, `Upload of ${localPath} to ftrack.server failed`);
    }
  }

  /** Local and stored bytes hashed side by side; E_STORAGE_CONFLICT when they differ. */
  private async sameBytesAlreadyStored(localPath: string, componentId: string, algorithm: HashAlgorithm, signal?: AbortSignal): Promise<Checksum> {
    const response = await this.requestStorage('get', componentId, {}, signal);
    if (!isOk(response)) {
      discard(response);
      throw new EncodeError('E_STORAGE_FAILED', `Reading the stored file of component ${componentId} failed with HTTP ${response.status}.`);
    }
    const [stored, local] = await Promise.all([hashStream(response.body, algorithm), hashStream(createReadStream(localPath), algorithm)]);
    if (stored !== local) {
      throw new EncodeError('E_STORAGE_CONFLICT', `ftrack.server already holds a different file for component ${componentId}; it is never replaced.`, {
        details: { location: this.locationName, resourceIdentifier: componentId, existing: stored, incoming: local },
      });
    }
    return { algorithm, hex: local };
  }

  /** The upload itself, with details tests and benchmarks look at (parts sent, bytes read). */
  async upload(job: UploadJob): Promise<HashedUpload> {
    // The hash thread boots while the upload is set up with the server.
    const hashing = startHashing(this.options.bufferBytes ?? 4 * MiB, job.algorithm, this.options.hashWorkerPath);
    hashing.catch(() => undefined);
    try {
      if (job.size <= (this.options.singlePartLimit ?? 16 * MiB)) return await uploadSinglePart(this.api, job, hashing, this.policy);
      return await uploadMultiPart(
        this.api,
        job,
        hashing,
        {
          partSize: partSizeFor(job.size, this.options.partSize),
          parallelParts: this.options.parallelParts ?? 6,
          ...(this.options.journalDir ? { journalDir: this.options.journalDir } : {}),
        },
        this.policy,
      );
    } finally {
      await stopHashing(hashing);
    }
  }

  async get(resourceIdentifier: string, localPath: string, runOptions: RunOptions = {}): Promise<void> {
    const target = resolve(localPath);
    const temp = join(dirname(target), `.${basename(target)}.${randomUUID().slice(0, 8)}.partial`);
    try {
      const response = await this.requestStorage('get', resourceIdentifier, {}, runOptions.signal);
      if (response.status === 404) {
        discard(response);
        throw new EncodeError('E_STORAGE_FAILED', `Component ${resourceIdentifier} has no file in ftrack.server.`, {
          details: { componentId: resourceIdentifier },
        });
      }
      if (!isOk(response)) {
        discard(response);
        throw new EncodeError('E_STORAGE_FAILED', `Download of component ${resourceIdentifier} failed with HTTP ${response.status}.`);
      }
      await pipeline(response.body, createWriteStream(temp, { flags: 'wx' }), ...(runOptions.signal ? [{ signal: runOptions.signal }] : []));
      await rename(temp, target);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw this.storageError(error, `Download of component ${resourceIdentifier} from ftrack.server failed`);
    }
  }

  async exists(resourceIdentifier: string): Promise<boolean> {
    try {
      const response = await this.requestStorage('get', resourceIdentifier, { Range: 'bytes=0-0' });
      discard(response);
      if (response.status === 404) return false;
      if (isOk(response)) return true;
      throw new EncodeError('E_STORAGE_FAILED', `Checking component ${resourceIdentifier} failed with HTTP ${response.status}.`);
    } catch (error) {
      throw this.storageError(error, `Checking component ${resourceIdentifier} in ftrack.server failed`);
    }
  }

  async remove(resourceIdentifier: string): Promise<void> {
    try {
      const response = await this.requestStorage('remove', resourceIdentifier);
      discard(response);
      if (isOk(response) || response.status === 404) return;
      throw new EncodeError('E_STORAGE_FAILED', `Removing component ${resourceIdentifier} failed with HTTP ${response.status}.`);
    } catch (error) {
      throw this.storageError(error, `Removing component ${resourceIdentifier} from ftrack.server failed`);
    }
  }

  private async requestStorage(
    endpoint: 'get' | 'remove',
    componentId: string,
    headers: Record<string, string> = {},
    signal?: AbortSignal,
  ): Promise<HttpResponse> {
    let response: HttpResponse;
    try {
      response = await sendRequest(this.api.storageUrl(endpoint, componentId), { headers, ...(signal ? { signal } : {}) });
    } catch (error) {
      if (signal?.aborted) throw new EncodeError('E_CANCELLED', 'Cancelled.');
      throw new EncodeError('E_STORAGE_FAILED', `Cannot reach ftrack at ${this.api.serverUrl}: ${networkReason(error)}.`);
    }
    if (response.status === 401 || response.status === 403) {
      discard(response);
      throw this.api.authError();
    }
    return response;
  }

  private storageError(error: unknown, message: string): EncodeError {
    if (error instanceof EncodeError) return error;
    if (isAbortError(error)) return new EncodeError('E_CANCELLED', 'Cancelled.');
    return new EncodeError('E_STORAGE_FAILED', redactUrl(`${message}: ${error instanceof Error ? error.message : String(error)}`), {
      details: { server: this.api.serverUrl },
    });
  }
}

async function hashStream(stream: NodeJS.ReadableStream, algorithm: HashAlgorithm): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
