import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '@ftrack-encode/core';
import { cancelChannel, cancelKey } from './queue-options.js';

/** Workers BullMQ saw within this long count as alive (its worker registry is the farm's heartbeat). */
export const RECENT_WORKER_MS = 60_000;

/** The names of the workers (one per daemon and queue) seen on this queue recently. */
export async function recentWorkers(queue: Queue): Promise<string[]> {
  const workers = (await queue.getWorkers()) as { name?: string; idle?: string }[];
  return workers.filter((w) => Number(w.idle ?? 0) * 1000 < RECENT_WORKER_MS).map((w) => w.name ?? '?');
}

/** How many workers were seen recently: 0 when the server does not list its clients (CLIENT disabled), so `auto` does not split. */
export async function countRecentWorkers(queue: Queue, logger: Logger): Promise<number> {
  try {
    return (await recentWorkers(queue)).length;
  } catch (error) {
    logger.warn('could not list the farm workers; --segments auto makes one segment', { error: String(error) });
    return 0;
  }
}

/**
 * Ask jobs to stop: a key (seen by a worker that picks one up later: it fails E_CANCELLED before
 * starting) and a message on the cancel channel (the worker running one aborts it).
 */
export async function requestCancel(redis: Redis, prefix: string, jobIds: readonly string[]): Promise<void> {
  for (const id of jobIds) {
    await redis.set(cancelKey(prefix, id), '1', 'EX', 24 * 3600);
    await redis.publish(cancelChannel(prefix), id);
  }
}

/** The ids of a flow parent's children that have not finished yet (keys are `<prefix>:<queue>:<id>`; ids hold no ':'). */
export async function pendingChildren(parent: Job): Promise<string[]> {
  const { unprocessed = [] } = await parent.getDependencies({ unprocessed: { count: 1000 } });
  return unprocessed.map((key) => key.slice(key.lastIndexOf(':') + 1));
}

/** Per flow parent: `total` picture frames and each segment child's frames done, for the parent's progress. */
export function flowProgressKey(prefix: string, parentId: string): string {
  return `${prefix}:flow-progress:${parentId}`;
}
