// Files of the ftrack.server location: streamed to a temp name, MD5-hashed on
// the way (both on the storage's write thread), renamed into place on completion. A multi-part upload's parts are
// written straight into one file at their offsets, outside the served root, and
// that file is renamed into place on completion: every byte is written once.
import { randomUUID } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { writeHashed, type HashedWriteOptions, type StoredFile } from './hashed-write.js';
import { safeJoin } from './safe-path.js';
import { resolveWriteWorkerPath, WriteThread } from './write-thread.js';

export type { StoredFile };

export interface WriteOptions extends HashedWriteOptions {
  /** Base64 MD5 (Content-MD5) the body must match. */
  expectedMd5Base64?: string;
}

export class ChecksumMismatchError extends Error {
  constructor() {
    super('Content-MD5 does not match the uploaded body.');
    this.name = 'ChecksumMismatchError';
  }
}

const TEMP_PREFIX = '.tmp-';
/** The file of a multi-part upload, inside that upload's directory. */
const UPLOAD_FILE = 'data';

export class FileStore {
  readonly root: string;
  private readonly partsRoot: string;
  private readonly thread: WriteThread;

  /** `writeWorkerPath`: write-worker.mjs, when this library is bundled away from it (default: beside this module). */
  constructor(dataDir: string, writeWorkerPath?: string) {
    this.root = join(dataDir, 'storage');
    this.partsRoot = join(dataDir, 'storage-parts');
    this.thread = new WriteThread(resolveWriteWorkerPath(writeWorkerPath));
  }

  async init(): Promise<void> {
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    await mkdir(this.partsRoot, { recursive: true, mode: 0o700 });
    await this.removeOrphans();
  }

  /** Temp files of a process that was killed mid-write never become files. */
  private async removeOrphans(): Promise<void> {
    for (const name of (await readdir(this.root)).filter((n) => n.startsWith(TEMP_PREFIX))) await rm(join(this.root, name), { force: true });
  }

  pathOf(id: string): string {
    return safeJoin(this.root, id);
  }

  async sizeOf(id: string): Promise<number | undefined> {
    try {
      const info = await stat(this.pathOf(id));
      return info.isFile() ? info.size : undefined;
    } catch {
      return undefined;
    }
  }

  async write(id: string, body: Readable, options: WriteOptions = {}): Promise<StoredFile> {
    const target = this.pathOf(id);
    const stored = await this.writeAtomically(target, this.root, body, options);
    if (options.expectedMd5Base64 && Buffer.from(stored.md5Hex, 'hex').toString('base64') !== options.expectedMd5Base64) {
      await rm(target, { force: true });
      throw new ChecksumMismatchError();
    }
    return stored;
  }

  /**
   * Writes one part of a multi-part upload at its offset in the upload's file (positioned writes,
   * no copy later). A part sent again overwrites its own range; the caller keeps one writer per part.
   */
  async writePart(uploadId: string, offset: number, body: Readable, options: WriteOptions = {}): Promise<StoredFile> {
    const dir = safeJoin(this.partsRoot, uploadId);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    // O_CREAT without O_TRUNC: parts arrive in any order and must not erase each other.
    const handle = await open(join(dir, UPLOAD_FILE), constants.O_WRONLY | constants.O_CREAT, 0o600);
    try {
      return await writeHashed(body, handle, offset, this.thread, options);
    } finally {
      await handle.close();
    }
  }

  /** Size of a multi-part upload's file so far (0 when no part has arrived). */
  async uploadedSize(uploadId: string): Promise<number> {
    return (await stat(join(safeJoin(this.partsRoot, uploadId), UPLOAD_FILE)).catch(() => undefined))?.size ?? 0;
  }

  /** Makes a multi-part upload's file the file `id` (a rename: the bytes are not copied again). */
  async commitUpload(uploadId: string, id: string): Promise<void> {
    const dir = safeJoin(this.partsRoot, uploadId);
    await rename(join(dir, UPLOAD_FILE), this.pathOf(id));
    await rm(dir, { recursive: true, force: true });
  }

  /** Upload ids with parts on disk (for cleaning up abandoned multi-part uploads). */
  async uploadIds(): Promise<string[]> {
    return (await readdir(this.partsRoot)).filter((name) => !name.startsWith('.'));
  }

  async discardUpload(uploadId: string): Promise<void> {
    await rm(safeJoin(this.partsRoot, uploadId), { recursive: true, force: true });
  }

  async remove(id: string): Promise<boolean> {
    const path = this.pathOf(id);
    try {
      await stat(path);
    } catch {
      return false;
    }
    await rm(path, { force: true });
    return true;
  }

  /** Stops the write thread (writes still running fail). */
  close(): Promise<void> {
    return this.thread.close();
  }

  /** Moves an existing local file (e.g. an encoder output) into storage as `id`. */
  async adopt(id: string, sourcePath: string): Promise<StoredFile> {
    return this.writeAtomically(this.pathOf(id), this.root, createReadStream(sourcePath), {});
  }

  private async writeAtomically(target: string, dir: string, source: Readable, options: WriteOptions): Promise<StoredFile> {
    const temp = join(dir, `${TEMP_PREFIX}${randomUUID()}`);
    try {
      const handle = await open(temp, 'w');
      let stored: StoredFile;
      try {
        stored = await writeHashed(source, handle, 0, this.thread, options);
      } finally {
        await handle.close();
      }
      await rename(temp, target);
      return stored;
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }
}
