// Files of the ftrack.server location: streamed to a temp name, MD5-hashed on
// the way, renamed into place on completion. Multi-part parts live outside the
// served root until they are assembled.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { safeJoin } from './safe-path.js';

export interface StoredFile {
  md5Hex: string;
  size: number;
}

export interface WriteOptions {
  /** Base64 MD5 (Content-MD5) the body must match. */
  expectedMd5Base64?: string;
  /** Throttle the write to this rate (fault injection). */
  bytesPerSecond?: number;
  signal?: AbortSignal;
}

export class ChecksumMismatchError extends Error {
  constructor() {
    super('Content-MD5 does not match the uploaded body.');
    this.name = 'ChecksumMismatchError';
  }
}

const TEMP_PREFIX = '.tmp-';
const STAGED_PREFIX = '.staged-';

export class FileStore {
  readonly root: string;
  private readonly partsRoot: string;

  constructor(dataDir: string) {
    this.root = join(dataDir, 'storage');
    this.partsRoot = join(dataDir, 'storage-parts');
  }

  async init(): Promise<void> {
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    await mkdir(this.partsRoot, { recursive: true, mode: 0o700 });
    await this.removeOrphans();
  }

  /** Temp and staged files of a process that was killed mid-write never become files. */
  private async removeOrphans(): Promise<void> {
    const orphan = (name: string) => name.startsWith(TEMP_PREFIX) || name.startsWith(STAGED_PREFIX);
    for (const name of (await readdir(this.root)).filter(orphan)) await rm(join(this.root, name), { force: true });
    for (const upload of await this.uploadIds()) {
      const dir = safeJoin(this.partsRoot, upload);
      const names = await readdir(dir).catch(() => [] as string[]);
      for (const name of names.filter(orphan)) await rm(join(dir, name), { force: true });
    }
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
    const stored = await this.writeAtomically(target, this.root, [body], options);
    if (options.expectedMd5Base64 && Buffer.from(stored.md5Hex, 'hex').toString('base64') !== options.expectedMd5Base64) {
      await rm(target, { force: true });
      throw new ChecksumMismatchError();
    }
    return stored;
  }

  async writePart(uploadId: string, part: number, body: Readable, options: WriteOptions = {}): Promise<StoredFile> {
    const dir = safeJoin(this.partsRoot, uploadId);
    await mkdir(dir, { recursive: true });
    return this.writeAtomically(join(dir, String(part)), dir, [body], options);
  }

  async partPath(uploadId: string, part: number): Promise<string | undefined> {
    const path = join(safeJoin(this.partsRoot, uploadId), String(part));
    try {
      return (await stat(path)).isFile() ? path : undefined;
    } catch {
      return undefined;
    }
  }

  /** Concatenates the given part files, in order, into a staged file that is not served yet. */
  async assembleStaged(uploadId: string, partPaths: readonly string[]): Promise<StoredFile> {
    return this.writeAtomically(
      this.stagedPath(uploadId),
      this.root,
      partPaths.map((p) => createReadStream(p)),
      {},
    );
  }

  /** Makes a staged upload the file `id` (once the batch that completed it has committed). */
  async commitStaged(uploadId: string, id: string): Promise<void> {
    await rename(this.stagedPath(uploadId), this.pathOf(id));
  }

  async discardStaged(uploadId: string): Promise<void> {
    await rm(this.stagedPath(uploadId), { force: true });
  }

  private stagedPath(uploadId: string): string {
    safeJoin(this.partsRoot, uploadId); // throws for an id that is not a plain name
    return join(this.root, `${STAGED_PREFIX}${uploadId}`);
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

  /** Moves an existing local file (e.g. an encoder output) into storage as `id`. */
  async adopt(id: string, sourcePath: string): Promise<StoredFile> {
    return this.writeAtomically(this.pathOf(id), this.root, [createReadStream(sourcePath)], {});
  }

  private async writeAtomically(target: string, dir: string, sources: readonly Readable[], options: WriteOptions): Promise<StoredFile> {
    const temp = join(dir, `${TEMP_PREFIX}${randomUUID()}`);
    const hash = createHash('md5');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    try {
      const out = createWriteStream(temp);
      const chain = options.bytesPerSecond ? [meter, new Throttle(options.bytesPerSecond)] : [meter];
      if (sources.length === 1) {
        await pipeline([sources[0]!, ...chain, out], { signal: options.signal });
      } else {
        // Several sources in order into one writer (multi-part assembly).
        const head = chain[0]!;
        const tail = pipeline([...chain, out]);
        for (const source of sources) {
          for await (const chunk of source) {
            if (!head.write(chunk as Buffer)) await new Promise<void>((r) => head.once('drain', r));
          }
        }
        head.end();
        await tail;
      }
      await rename(temp, target);
      return { md5Hex: hash.digest('hex'), size };
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }
}

/** Paces chunks to a byte rate (the slow-storage fault). */
class Throttle extends Transform {
  private readonly started = Date.now();
  private sent = 0;

  constructor(private readonly bytesPerSecond: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.sent += chunk.length;
    const due = this.started + (this.sent / this.bytesPerSecond) * 1000;
    const wait = Math.max(0, due - Date.now());
    setTimeout(() => done(null, chunk), wait);
  }
}
