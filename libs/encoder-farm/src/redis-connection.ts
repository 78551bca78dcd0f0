import { Redis, type RedisOptions } from 'ioredis';
import { EncodeError, redactSecrets } from '@ftrack-encode/core';

/**
 * Workers and long waits (QueueEvents) retry forever: a Redis restart or failover must
 * not kill a daemon, it must reconnect (`maxRetriesPerRequest: null`, which BullMQ
 * requires for blocking connections). Submitters fail fast instead: a CLI run against
 * a dead Redis should say so within seconds, not queue commands in memory
 * (`enableOfflineQueue: false`, one retry per request).
 */
export type RedisRole = 'worker' | 'submitter';

export function redisOptions(role: RedisRole): RedisOptions {
  const reconnect = (times: number) => Math.min(times * 200, 2000);
  return role === 'worker'
    ? { maxRetriesPerRequest: null, enableReadyCheck: true, retryStrategy: reconnect, lazyConnect: true }
    : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 5000, retryStrategy: reconnect, lazyConnect: true };
}

/** The URL without its password, for messages. */
export const redactRedisUrl = (url: string): string => redactSecrets(url);

function unavailable(url: string, why: string, cause?: unknown): EncodeError {
  return new EncodeError('E_QUEUE_UNAVAILABLE', `Redis at ${redactRedisUrl(url)} is not reachable: ${why}`, {
    hint: 'Start Redis or set farm.redisUrl / REDIS_URL to a reachable server.',
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Connect (lazily created) or fail with E_QUEUE_UNAVAILABLE within `timeoutMs`. */
export async function connectRedis(url: string, role: RedisRole, timeoutMs = 5000): Promise<Redis> {
  const redis = new Redis(url, redisOptions(role));
  // ioredis logs unhandled 'error' events loudly; callers watch `status` and BullMQ's own events.
  redis.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.connect(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no connection after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    await redis.ping();
    return redis;
  } catch (error) {
    redis.disconnect();
    throw unavailable(url, error instanceof Error ? error.message : String(error), error);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * BullMQ keeps jobs, locks and events in keys without TTLs; a Redis that evicts keys
 * under memory pressure silently loses jobs. Refuse to run unless maxmemory-policy is
 * noeviction. Managed Redis services often disable CONFIG; INFO memory says the same.
 */
export async function assertNoEviction(redis: Redis, url: string): Promise<void> {
  let policy: string | undefined;
  try {
    const reply = (await redis.call('CONFIG', 'GET', 'maxmemory-policy')) as string[];
    policy = reply[1];
  } catch {
    const info = await redis.info('memory');
    policy = /maxmemory_policy:(\S+)/.exec(info)?.[1];
  }
  if (policy === undefined) return;
  if (policy !== 'noeviction') {
    throw new EncodeError('E_QUEUE_UNAVAILABLE', `Redis at ${redactRedisUrl(url)} has maxmemory-policy "${policy}"; the farm needs "noeviction".`, {
      hint: 'Set `maxmemory-policy noeviction` in redis.conf (or CONFIG SET maxmemory-policy noeviction): any other policy may evict queued jobs and locks.',
      details: { policy },
    });
  }
}
