import { Queue } from 'bullmq';
import { check, isEncodeError, redactSecrets, type HealthCheck } from '@ftrack-encode/core';
import { assertNoEviction, connectRedis } from './redis-connection.js';
import { DEFAULT_QUEUE } from './queue-options.js';
import { RECENT_WORKER_MS, recentWorkers } from './flow-control.js';
import type { FarmSettings } from './descriptor.js';

/** Redis reachable, noeviction, queue depth, daemons working the queue. Failures only when the site uses the farm. */
export async function diagnoseFarm(settings: FarmSettings, inUse: boolean): Promise<HealthCheck[]> {
  const problem = inUse ? check.fail : check.warn;
  const where = redactSecrets(settings.redisUrl);
  if (!inUse) return [check.ok('farm', `not configured (set farm.redisUrl / REDIS_URL or --backend farm to use ${where})`)];
  let redis;
  try {
    redis = await connectRedis(settings.redisUrl, 'submitter', 3000);
  } catch (error) {
    return [
      problem(
        'farm: redis',
        `${where} is not reachable: ${error instanceof Error ? error.message : String(error)}`,
        'Start Redis or set farm.redisUrl / REDIS_URL.',
      ),
    ];
  }
  const checks: HealthCheck[] = [check.ok('farm: redis', `${where} answers`)];
  try {
    try {
      await assertNoEviction(redis, settings.redisUrl);
      checks.push(check.ok('farm: maxmemory-policy', 'noeviction'));
    } catch (error) {
      if (!isEncodeError(error)) throw error;
      checks.push(problem('farm: maxmemory-policy', error.message, error.hint));
    }
    const queue = new Queue(DEFAULT_QUEUE, { connection: redis, prefix: settings.queuePrefix });
    try {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed');
      checks.push(
        check.ok(
          'farm: queue',
          `${DEFAULT_QUEUE}: ${Object.entries(counts)
            .map(([k, v]) => `${v} ${k}`)
            .join(', ')}`,
        ),
      );
      const recent = await recentWorkers(queue);
      checks.push(
        recent.length > 0
          ? check.ok('farm: daemons', `${recent.length} working ${DEFAULT_QUEUE} (${recent.join(', ')})`)
          : check.warn(
              'farm: daemons',
              `no daemon seen on ${DEFAULT_QUEUE} in the last ${RECENT_WORKER_MS / 1000} s`,
              'Start ftrack-encode-daemon on a farm node.',
            ),
      );
    } finally {
      await queue.close();
    }
  } finally {
    redis.disconnect();
  }
  return checks;
}
