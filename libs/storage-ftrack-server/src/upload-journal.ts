import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What a re-run needs to finish a multi-part upload: no credentials, only short-lived signed URLs. */
export interface JournalState {
  componentId: string;
  size: number;
  mtimeMs: number;
  partSize: number;
  uploadId: string;
  urls: { partNumber: number; url: string }[];
  /** Part number → ETag of parts the server confirmed. */
  done: Record<string, string>;
}

export interface FileIdentity {
  componentId: string;
  size: number;
  mtimeMs: number;
}

/**
 * Resume journal: one JSON file per (component id, file size) in journalDir, rewritten
 * atomically after every confirmed part. Without a directory it lives in memory only.
 */
export class UploadJournal {
  private state: JournalState | undefined;
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly dir: string | undefined,
    private readonly identity: FileIdentity,
  ) {}

  get path(): string | undefined {
    if (!this.dir) return undefined;
    // Not keyed by mtime: a re-run of a publish re-encodes the same bytes to a new file, and every
    // journalled part is verified against the file's MD5 before it counts as done.
    const { componentId, size } = this.identity;
    const key = createHash('sha256').update(`${componentId}\n${size}`).digest('hex').slice(0, 32);
    return join(this.dir, `upload-${key}.json`);
  }

  /** The saved state if it belongs to this file and part size; anything else is ignored. */
  async load(partSize: number): Promise<JournalState | undefined> {
    const path = this.path;
    if (!path) return undefined;
    try {
      const saved = JSON.parse(await readFile(path, 'utf8')) as JournalState;
      const { componentId, size } = this.identity;
      if (saved.componentId !== componentId || saved.size !== size || saved.partSize !== partSize) return undefined;
      if (!saved.uploadId || !Array.isArray(saved.urls) || typeof saved.done !== 'object') return undefined;
      this.state = saved;
      return saved;
    } catch {
      return undefined;
    }
  }

  async start(state: JournalState): Promise<void> {
    this.state = state;
    await this.persist();
  }

  markDone(partNumber: number, etag: string): Promise<void> {
    if (!this.state) return Promise.resolve();
    this.state.done[String(partNumber)] = etag;
    return this.persist();
  }

  forget(partNumber: number): Promise<void> {
    if (!this.state) return Promise.resolve();
    delete this.state.done[String(partNumber)];
    return this.persist();
  }

  async discard(): Promise<void> {
    this.state = undefined;
    await this.writes;
    const path = this.path;
    if (path) await rm(path, { force: true });
  }

  /** Serialised, temp-then-rename writes: a kill mid-write leaves the previous journal intact. */
  private persist(): Promise<void> {
    const path = this.path;
    if (!path || !this.state) return this.writes;
    const snapshot = JSON.stringify(this.state);
    this.writes = this.writes
      .catch(() => undefined)
      .then(async () => {
        await mkdir(this.dir as string, { recursive: true, mode: 0o700 });
        const temp = `${path}.${randomUUID().slice(0, 8)}.tmp`;
        await writeFile(temp, snapshot, { mode: 0o600 });
        await rename(temp, path);
      });
    return this.writes;
  }
}
