import { randomUUID } from 'node:crypto';
import { readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { FileSystem, Logger } from '@ftrack-encode/core';
import { cancelChannel, cancelKey } from './queue-options.js';
import { FLOW_PLANNED, FLOW_SEGMENTS_DONE } from './flow-progress.js';

/** Workers BullMQ saw within this long count as alive (its worker registry is the farm's heartbeat). */
export const RECENT_WORKER_MS = 60_000;

/**
 * The names of the workers (one per daemon and queue) seen on this queue recently: the worker's own
 * name from its connection's name (`<prefix>:<queue>:w:<name>`; BullMQ reports the queue's as `name`).
 */
export async function recentWorkers(queue: Queue): Promise<string[]> {
  const workers = (await queue.getWorkers()) as { name?: string; rawname?: string; idle?: string }[];
  return workers
    .filter((w) => Number(w.idle ?? 0) * 1000 < RECENT_WORKER_MS)
    .map((w) => {
      const at = w.rawname?.indexOf(':w:') ?? -1;
      return at >= 0 ? w.rawname!.slice(at + 3) : (w.name ?? '?');
    });
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

/**
 * Ask a flow parent's pending children to stop, then wait (up to `waitMs`) until none of them is
 * running: one still waiting fails at its start when a worker takes it, one running is aborted.
 * `remove`: the parent has ended, so its children go too (those still running once the wait is over stay, cancelled).
 */
export async function stopChildren(queues: readonly Queue[], redis: Redis, prefix: string, parent: Job, waitMs = 0, remove = false): Promise<void> {
  const ids = await pendingChildren(parent);
  await requestCancel(redis, prefix, ids);
  // A child is in the encode queue (a segment) or its steps lane (the audio pass).
  const childJob = async (id: string): Promise<Job | undefined> => {
    for (const queue of queues) {
      const job = await Job.fromId(queue, id);
      if (job) return job;
    }
    return undefined;
  };
  const stateOf = async (id: string) => (await (await childJob(id))?.getState()) ?? 'unknown';
  const deadline = Date.now() + waitMs;
  for (let running = ids; running.length > 0 && Date.now() < deadline;) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const states = await Promise.all(running.map(stateOf));
    running = running.filter((_, i) => states[i] === 'active');
  }
  if (!remove) return;
  for (const id of ids) {
    const child = await childJob(id);
    if (child && (await child.getState()) !== 'active') await child.remove().catch(() => undefined);
  }
}

/**
 * Whether a flow child's work is no longer wanted: its parent was cancelled, or has ended (failed,
 * completed, removed) without waiting for it, e.g. failed by stalling. Such a child does not start,
 * and one that finishes anyway removes what it wrote.
 */
export async function flowEnded(jobs: Queue, redis: Redis, prefix: string, child: Job): Promise<boolean> {
  const parentId = child.parent?.id;
  if (!parentId) return false;
  if ((await redis.exists(cancelKey(prefix, parentId))) === 1) return true;
  const parent = await Job.fromId(jobs, parentId);
  const state = parent ? await parent.getState() : 'unknown';
  return state === 'failed' || state === 'completed' || state === 'unknown';
}

/** Per flow parent: `total` picture frames, `shown` (the parent's bar) and each segment child's frames done. */
export function flowProgressKey(prefix: string, parentId: string): string {
  return `${prefix}:flow-progress:${parentId}`;
}

// One script, so two segments reporting at once (on two daemons) cannot write the parent's bar out
// of order, and a retried segment starting again from 0 does not take it back: each child's frames
// only grow, and the bar is written (as BullMQ's updateProgress does: the job's field and a progress
// event) only when it moves forward.
const CHILD_PROGRESS_SCRIPT = `
local total = tonumber(redis.call('HGET', KEYS[1], 'total') or '0')
if total <= 0 or redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
local frames = tonumber(ARGV[2])
if frames > tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0') then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
local done, reporting = 0, 0
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  if fields[i] ~= 'total' and fields[i] ~= 'shown' then
    done = done + tonumber(fields[i + 1])
    reporting = reporting + 1
  end
end
local percent = tonumber(ARGV[4]) + (tonumber(ARGV[5]) - tonumber(ARGV[4])) * math.min(1, done / total)
percent = math.floor(percent * 100) / 100
if percent <= tonumber(redis.call('HGET', KEYS[1], 'shown') or '-1') then return 0 end
redis.call('HSET', KEYS[1], 'shown', tostring(percent))
local data = cjson.encode({ stage = 'encode', percent = percent, message = 'segments on the farm (' .. reporting .. ' reporting)' })
redis.call('HSET', KEYS[2], 'progress', data)
redis.call('XADD', KEYS[3], 'MAXLEN', '~', 10000, '*', 'event', 'progress', 'jobId', ARGV[3], 'data', data)
return 1
`;

/** A segment child's frames done, added into its parent's bar (the segments' share of it). */
export async function addChildProgress(jobs: Queue, redis: Redis, prefix: string, child: Job, framesDone: number): Promise<void> {
  const parentId = child.parent?.id;
  if (!parentId || !child.id) return;
  await redis.eval(
    CHILD_PROGRESS_SCRIPT,
    3,
    flowProgressKey(prefix, parentId),
    jobs.toKey(parentId),
    jobs.keys['events']!,
    child.id,
    String(framesDone),
    parentId,
    String(FLOW_PLANNED),
    String(FLOW_SEGMENTS_DONE),
  );
}

/** What a worker says about its scratch directory, so a flow's parent knows whether the farm shares one. */
export interface ScratchReport {
  scratchDir: string;
  host: string;
  /** A file this worker wrote in its scratch directory: seen by another worker, the directory is shared. */
  marker: string;
}

export function scratchReportKey(prefix: string, queue: string, worker: string): string {
  return `${prefix}:scratch:${queue}:${worker}`;
}

/** Where workers leave their markers, inside the scratch directory. */
export function markerDir(scratchDir: string): string {
  return join(scratchDir, '.workers');
}

/** A marker not touched this long belongs to a worker that is gone (a live one touches its marker every minute). */
const STALE_MARKER_MS = 24 * 3600_000;

/**
 * Report this worker's scratch directory beside its BullMQ heartbeat: a marker file in it and a
 * Redis record (expiring with the worker) naming the directory, the host and the marker. `refresh`
 * renews both; markers of workers gone for a day (killed, never closed) are removed here.
 */
export async function reportScratch(
  redis: Redis,
  fs: FileSystem,
  at: { prefix: string; queue: string; worker: string },
  report: Omit<ScratchReport, 'marker'>,
): Promise<{ refresh(): Promise<void>; remove(): Promise<void> }> {
  const dir = markerDir(report.scratchDir);
  const marker = randomUUID();
  await fs.ensureWritableDir(dir);
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    if (Date.now() - (await stat(path).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs > STALE_MARKER_MS) await fs.remove(path).catch(() => undefined);
  }
  await writeFile(join(dir, marker), `${report.host}\n`);
  const key = scratchReportKey(at.prefix, at.queue, at.worker);
  const refresh = async () => {
    const now = new Date();
    await utimes(join(dir, marker), now, now);
    await redis.set(key, JSON.stringify({ ...report, marker }), 'EX', 2 * (RECENT_WORKER_MS / 1000));
  };
  await refresh();
  return {
    refresh,
    remove: async () => {
      await redis.del(key).catch(() => undefined);
      await fs.remove(join(dir, marker)).catch(() => undefined);
    },
  };
}

/**
 * The recent workers of a queue whose scratch directory is not this one: another path, no report
 * (an older daemon), or the same path on another machine's own disk (its marker is not here).
 */
export async function workersNotSharing(
  queue: Queue,
  redis: Redis,
  fs: FileSystem,
  at: { prefix: string; queue: string },
  scratchDir: string,
): Promise<string[]> {
  let names: string[];
  try {
    names = await recentWorkers(queue);
  } catch (error) {
    // A server that does not list its clients (CLIENT disabled) cannot show who shares: no split, as `auto` there.
    return [`the farm's workers (they cannot be listed: ${String(error)})`];
  }
  const unshared: string[] = [];
  for (const name of new Set(names)) {
    const raw = await redis.get(scratchReportKey(at.prefix, at.queue, name));
    const report = raw ? (JSON.parse(raw) as ScratchReport) : undefined;
    const shared = report?.scratchDir === scratchDir && (await fs.exists(join(markerDir(scratchDir), report.marker)));
    if (!shared) unshared.push(report ? `${name} (${report.host}:${report.scratchDir})` : `${name} (no scratch report)`);
  }
  return unshared;
}
