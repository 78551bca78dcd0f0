// One server per data dir: a lock file names the process and URL holding it, so a
// second server (or an embedded publish) on the same dir fails with an error it can
// act on instead of sharing the SQLite file. The dir is private to its user.
import { EncodeError } from '@ftrack-encode/core';
import { chmod, mkdir, open, readFile, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export const LOCK_FILE_NAME = 'ftrack-local.lock';

interface LockContent {
  pid: number;
  url: string | null;
  startedAt: string;
}

export class DataDirInUseError extends EncodeError {
  readonly url: string | null;
  readonly pid: number;

  constructor(dataDir: string, holder: LockContent) {
    const where = holder.url ? `at ${holder.url}` : '(still starting)';
    super('E_USAGE', `The data dir ${dataDir} is in use by another ftrack-local server ${where}, process ${holder.pid}.`, {
      hint: holder.url ? `Connect to it (FTRACK_SERVER=${holder.url}), stop it, or use another data dir.` : 'Wait for it, stop it, or use another data dir.',
      details: { dataDir, pid: holder.pid, url: holder.url },
    });
    this.name = 'DataDirInUseError';
    this.url = holder.url;
    this.pid = holder.pid;
  }
}

export interface DataDirLock {
  /** Records the URL once the server listens, for the error a second server shows. */
  setUrl(url: string): Promise<void>;
  release(): Promise<void>;
}

/** Dirs locked by servers of this process (their lock files carry our own pid). */
const heldHere = new Set<string>();

/** Creates the data dir readable by its owner only (0700). */
export async function prepareDataDir(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
}

export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const dir = resolve(dataDir);
  const path = join(dir, LOCK_FILE_NAME);
  const content: LockContent = { pid: process.pid, url: null, startedAt: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(JSON.stringify(content));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      const holder = await readLock(path);
      if (holder && isHeld(dir, holder)) throw new DataDirInUseError(dir, holder);
      await unlink(path).catch(() => undefined); // stale: its process is gone
    }
  }
  heldHere.add(dir);
  return {
    async setUrl(url) {
      content.url = url;
      await writeFile(path, JSON.stringify(content), { mode: 0o600 });
    },
    async release() {
      heldHere.delete(dir);
      const holder = await readLock(path);
      if (holder?.pid === process.pid && holder.startedAt === content.startedAt) await unlink(path).catch(() => undefined);
    },
  };
}

/** Owner-only permissions for files holding keys and data (the SQLite database and its WAL). */
export async function restrictFiles(paths: readonly string[]): Promise<void> {
  for (const path of paths) await chmod(path, 0o600).catch(() => undefined);
}

async function readLock(path: string): Promise<LockContent | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<LockContent>;
    if (typeof parsed.pid !== 'number') return undefined;
    return { pid: parsed.pid, url: typeof parsed.url === 'string' ? parsed.url : null, startedAt: String(parsed.startedAt ?? '') };
  } catch {
    return undefined;
  }
}

function isHeld(dir: string, holder: LockContent): boolean {
  if (holder.pid === process.pid) return heldHere.has(dir);
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
