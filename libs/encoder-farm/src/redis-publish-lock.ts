import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { EncodeError, stableHash, type PublishLock } from '@ftrack-encode/core';

const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
const RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";

/**
 * PublishLock across machines: two workers running the same publish (a stalled job picked up
 * again while its first worker still runs) register once. A lock whose holder died expires
 * after `ttlMs`; a live holder renews it every ttl/3.
 */
export class RedisPublishLock implements PublishLock {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlMs = 30_000,
  ) {}

  async acquire(key: string, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<() => Promise<void>> {
    const lockKey = `${this.prefix}:publish-lock:${stableHash(key)}`;
    const token = randomUUID();
    const deadline = Date.now() + (options.timeoutMs ?? 6 * 3600 * 1000);
    for (;;) {
      if (options.signal?.aborted) throw new EncodeError('E_CANCELLED', 'Cancelled while waiting for another publish of the same media.');
      if ((await this.redis.set(lockKey, token, 'PX', this.ttlMs, 'NX')) === 'OK') break;
      if (Date.now() > deadline) throw new EncodeError('E_INTERNAL', `Timed out waiting for the publish lock of ${key}.`);
      await sleep(200);
    }
    const renew = setInterval(
      () => {
        this.redis.eval(RENEW, 1, lockKey, token, String(this.ttlMs)).catch(() => undefined);
      },
      Math.max(100, Math.floor(this.ttlMs / 3)),
    );
    renew.unref();
    return async () => {
      clearInterval(renew);
      await this.redis.eval(RELEASE, 1, lockKey, token).catch(() => undefined);
    };
  }
}
