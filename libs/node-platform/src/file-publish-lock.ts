import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EncodeError, type PublishLock } from '@ftrack-encode/core';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Cross-process lock with O_EXCL lock files. A lock whose owner process died on this host
 * is taken over, so a killed publish never blocks the next one.
 */
export class FilePublishLock implements PublishLock {
  constructor(private readonly dir: string = join(tmpdir(), 'ftrack-encode-locks')) {}

  async acquire(key: string, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<() => Promise<void>> {
    await mkdir(this.dir, { recursive: true });
    const path = join(this.dir, `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.lock`);
    const deadline = Date.now() + (options.timeoutMs ?? 6 * 60 * 60 * 1000);
    const owner = `${hostname()} ${process.pid}`;
    for (;;) {
      if (options.signal?.aborted) throw new EncodeError('E_CANCELLED', 'Cancelled while waiting for another publish of the same media.');
      try {
        const handle = await open(path, 'wx');
        await handle.writeFile(owner);
        await handle.close();
        return async () => {
          await unlink(path).catch(() => undefined);
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const [host, pid] = (await readFile(path, 'utf8').catch(() => '')).split(' ');
      if (host === hostname() && pid && !alive(Number(pid))) {
        await unlink(path).catch(() => undefined);
        continue;
      }
      if (Date.now() > deadline) throw new EncodeError('E_INTERNAL', `Timed out waiting for the publish lock ${path} held by ${host} ${pid}.`);
      await sleep(150);
    }
  }
}
