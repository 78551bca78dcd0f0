import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { link, mkdir, open, rename, rmdir, stat, unlink } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  EncodeError,
  isAbortError,
  type Checksum,
  type HashAlgorithm,
  type RunOptions,
  type StorageAccessor,
  type StorageContext,
  type StoredFile,
} from '@ftrack-encode/core';
import { DEFAULT_STRUCTURE, renderStructure, validateStructure } from './structure-template.js';

export interface DiskStorageOptions {
  /** ftrack Location name, e.g. `studio.disk`. */
  locationName: string;
  /** Fixed id, or a resolver (e.g. a registry lookup by name). */
  locationId?: string | (() => Promise<string>);
  /** Root directory every file lives under; nothing is ever written outside it. */
  prefix: string;
  /** Path template relative to the prefix; see DEFAULT_STRUCTURE. */
  structure?: string;
  /** Checksum recorded in StoredFile; sha256 unless told. */
  algorithm?: HashAlgorithm;
}

const CHUNK = 1 << 20;

/** Disk and centralized-storage locations: prefix + structure, temp file then atomic rename. */
export class DiskStorageAccessor implements StorageAccessor {
  readonly locationName: string;
  private readonly prefix: string;
  private readonly structure: string;
  private readonly algorithm: HashAlgorithm;
  private resolvedLocationId: Promise<string> | undefined;

  constructor(private readonly options: DiskStorageOptions) {
    this.locationName = options.locationName;
    this.prefix = resolve(options.prefix);
    this.structure = options.structure ?? DEFAULT_STRUCTURE;
    this.algorithm = options.algorithm ?? 'sha256';
    validateStructure(this.structure);
  }

  locationId(): Promise<string> {
    const configured = this.options.locationId;
    if (typeof configured === 'string') return Promise.resolve(configured);
    if (!configured) {
      return Promise.reject(
        new EncodeError('E_CONFIG_INVALID', `Disk location "${this.locationName}" has no location id.`, {
          hint: 'Give storage.locationId, or a resolver that looks the Location up by name in ftrack.',
        }),
      );
    }
    // Resolve once; forget a failure so the next call retries.
    this.resolvedLocationId ??= configured().catch((error: unknown) => {
      this.resolvedLocationId = undefined;
      throw error;
    });
    return this.resolvedLocationId;
  }

  resourceIdentifierFor(context: StorageContext): string {
    const identifier = renderStructure(this.structure, context);
    this.pathOf(identifier); // proves it stays under the prefix
    return identifier;
  }

  async put(localPath: string, context: StorageContext, options: RunOptions = {}): Promise<StoredFile> {
    const resourceIdentifier = this.resourceIdentifierFor(context);
    const target = this.pathOf(resourceIdentifier);
    const temp = tempNameBeside(target);
    const { signal, onProgress } = options;
    try {
      const total = (await stat(localPath)).size;
      await mkdir(dirname(target), { recursive: true });
      const hash = createHash(this.algorithm);
      let done = 0;
      const meter = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          hash.update(chunk);
          done += chunk.length;
          onProgress?.({ stage: 'store', item: context.componentName, bytes: { done, total }, percent: total ? (done / total) * 100 : 0 });
          callback(null, chunk);
        },
      });
      await pipeline(createReadStream(localPath, { highWaterMark: CHUNK }), meter, createWriteStream(temp, { flags: 'wx' }), ...(signal ? [{ signal }] : []));
      const checksum: Checksum = { algorithm: this.algorithm, hex: hash.digest('hex') };
      await this.verifyCopy(temp, checksum, done, resourceIdentifier, signal);
      if (signal?.aborted) throw new EncodeError('E_CANCELLED', 'Cancelled.');
      const created = await this.placeWithoutReplacing(temp, target, checksum, resourceIdentifier);
      return { resourceIdentifier, checksum, size: done, created };
    } catch (error) {
      throw storageError(error, `Could not store ${localPath} at ${resourceIdentifier} in ${this.locationName}`);
    } finally {
      await unlink(temp).catch(() => undefined);
    }
  }

  /**
   * link() puts the verified temp file at the target atomically and fails if anything is there,
   * so registered media is never replaced. Same bytes already there: nothing to do (created: false).
   */
  private async placeWithoutReplacing(temp: string, target: string, checksum: Checksum, identifier: string): Promise<boolean> {
    try {
      await link(temp, target);
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EXDEV') {
        // Shares without hard links: check, then rename (a race here is the share's limit).
        if (!(await this.exists(identifier))) return rename(temp, target).then(() => true);
      } else if (code !== 'EEXIST') throw error;
    }
    const existing = await hashFile(target, checksum.algorithm);
    if (existing === checksum.hex) return false;
    throw new EncodeError('E_STORAGE_CONFLICT', `${this.locationName} already holds a different file at ${identifier}; it is never replaced.`, {
      hint: 'Give the location a structure that is unique per component (include {componentId}), or remove the old file if nothing uses it.',
      details: { location: this.locationName, resourceIdentifier: identifier, existing, incoming: checksum.hex },
    });
  }

  async get(resourceIdentifier: string, localPath: string, options: RunOptions = {}): Promise<void> {
    const source = this.pathOf(resourceIdentifier);
    const temp = tempNameBeside(resolve(localPath));
    try {
      await pipeline(
        createReadStream(source, { highWaterMark: CHUNK }),
        createWriteStream(temp, { flags: 'wx' }),
        ...(options.signal ? [{ signal: options.signal }] : []),
      );
      await rename(temp, localPath);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw storageError(error, `Could not read ${resourceIdentifier} from ${this.locationName}`);
    }
  }

  async exists(resourceIdentifier: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(resourceIdentifier))).isFile();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw storageError(error, `Could not check ${resourceIdentifier} in ${this.locationName}`);
    }
  }

  async remove(resourceIdentifier: string): Promise<void> {
    const path = this.pathOf(resourceIdentifier);
    try {
      await unlink(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw storageError(error, `Could not remove ${resourceIdentifier} from ${this.locationName}`);
    }
    await this.pruneEmptyDirs(dirname(path));
  }

  /** Absolute path of an identifier; refuses anything that resolves outside the prefix. */
  private pathOf(resourceIdentifier: string): string {
    const path = resolve(this.prefix, resourceIdentifier);
    const rel = relative(this.prefix, path);
    if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel) || resourceIdentifier.includes('\0')) {
      throw new EncodeError('E_STORAGE_FAILED', `Resource identifier "${resourceIdentifier}" is outside the ${this.locationName} prefix.`, {
        details: { location: this.locationName },
      });
    }
    return path;
  }

  /** Re-read what landed on disk: a short or corrupt write never gets renamed into place. */
  private async verifyCopy(temp: string, expected: Checksum, size: number, identifier: string, signal?: AbortSignal): Promise<void> {
    const handle = await open(temp, 'r');
    try {
      await handle.sync();
      const hash = createHash(expected.algorithm);
      let read = 0;
      for await (const chunk of handle.createReadStream({ highWaterMark: CHUNK, autoClose: false, ...(signal ? { signal } : {}) })) {
        hash.update(chunk as Buffer);
        read += (chunk as Buffer).length;
      }
      const actual = hash.digest('hex');
      if (read !== size || actual !== expected.hex) {
        throw new EncodeError('E_CHECKSUM_MISMATCH', `Copy of ${identifier} in ${this.locationName} does not match the source.`, {
          details: { expected: expected.hex, actual, expectedSize: size, actualSize: read },
          hint: 'The disk or share may be failing or full; retry the publish.',
        });
      }
    } finally {
      await handle.close();
    }
  }

  /** Leave no empty directories behind; stops at the first non-empty one and never above the prefix. */
  private async pruneEmptyDirs(dir: string): Promise<void> {
    let current = dir;
    while (current.startsWith(this.prefix + sep)) {
      try {
        await rmdir(current);
      } catch {
        return;
      }
      current = dirname(current);
    }
  }
}

async function hashFile(path: string, algorithm: HashAlgorithm): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function tempNameBeside(target: string): string {
  return join(dirname(target), `.${basename(target)}.${randomUUID().slice(0, 8)}.partial`);
}

function storageError(error: unknown, message: string): EncodeError {
  if (error instanceof EncodeError) return error;
  if (isAbortError(error)) return new EncodeError('E_CANCELLED', 'Cancelled.', { cause: error });
  const reason = error instanceof Error ? error.message : String(error);
  return new EncodeError('E_STORAGE_FAILED', `${message}: ${reason}`, { cause: error });
}
