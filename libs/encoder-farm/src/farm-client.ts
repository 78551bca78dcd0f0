import { Job, Queue, QueueEvents, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { EncodeError, profileHash, silentLogger, type EncoderCapabilities, type Logger, type Progress, type RunOptions } from '@ftrack-encode/core';
import { JobSpec, type JobResult, type JobSpecInput } from './job-spec.js';
import { DEFAULT_PREFIX, DEFAULT_QUEUE, JOB_OPTIONS, cancelKey, capabilitiesKey, encodeJobId, publishJobId, stepJobId } from './queue-options.js';
import { assertNoEviction, connectRedis } from './redis-connection.js';
import { fromFailedReason } from './wire-errors.js';
import { countRecentWorkers, pendingChildren, requestCancel } from './flow-control.js';

export interface FarmClientOptions {
  redisUrl: string;
  /** Redis key prefix shared by submitters and workers of one farm. */
  prefix?: string;
  connectTimeoutMs?: number;
  /** How long to wait for a worker to confirm a cancel before giving up waiting. */
  cancelWaitMs?: number;
  /** Override job options (tests shorten the retry backoff). */
  jobOptions?: JobsOptions;
  logger?: Logger;
}

export interface SubmitOptions extends RunOptions {
  queue?: string;
  /** Override the dedup key (default: derived from the spec, see jobIdFor). */
  jobId?: string;
}

interface EventsEntry {
  events: QueueEvents;
  redis: Redis;
}

export interface SubmittedJob {
  id: string;
  queue: string;
  /** False when an identical job was already queued, running or done: the submit joined it. */
  created: boolean;
}

/** The dedup key of a spec: the same work submitted twice is one job (BullMQ `jobId`). */
export function jobIdFor(input: JobSpecInput): string {
  const spec = JobSpec.parse(input);
  if (spec.kind === 'encode') return encodeJobId(spec.plan.id, spec.sourceChecksum, spec.plan.profileHash);
  if (spec.kind === 'step') return stepJobId(spec.step.plan.id, spec.step.kind === 'audio' ? 'audio' : `join-${spec.step.join.output.name}`);
  const sourceKey = spec.sourceChecksum ?? (spec.source.kind === 'component' ? `component:${spec.source.componentId}` : `path:${spec.source.input}`);
  const profileKey = typeof spec.profile === 'string' ? `name:${spec.profile}` : profileHash(spec.profile);
  return publishJobId(spec.versionId, `${sourceKey}|${spec.location ?? ''}`, profileKey);
}

/**
 * Submitter side of the farm: adds jobs (deduplicated), follows their progress through
 * QueueEvents, waits for the result and cancels. Used by FarmEncoder, `publish --backend
 * farm` and the daemon's auto-encode. Connects lazily and fails fast when Redis is down.
 */
export class FarmClient {
  private redis: Promise<Redis> | undefined;
  private readonly queues = new Map<string, Promise<Queue>>();
  private readonly listeners = new Map<string, Promise<EventsEntry>>();
  readonly prefix: string;

  constructor(private readonly options: FarmClientOptions) {
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
  }

  private get logger(): Logger {
    return this.options.logger ?? silentLogger;
  }

  /** Connect and check the server (noeviction); E_QUEUE_UNAVAILABLE otherwise. */
  async connection(): Promise<Redis> {
    this.redis ??= (async () => {
      const redis = await connectRedis(this.options.redisUrl, 'submitter', this.options.connectTimeoutMs ?? 5000);
      try {
        await assertNoEviction(redis, this.options.redisUrl);
      } catch (error) {
        redis.disconnect();
        throw error;
      }
      return redis;
    })();
    try {
      return await this.redis;
    } catch (error) {
      this.redis = undefined;
      throw error;
    }
  }

  private queue(name: string): Promise<Queue> {
    return shared(this.queues, name, async () => {
      const queue = new Queue(name, {
        connection: await this.connection(),
        prefix: this.prefix,
        defaultJobOptions: { ...JOB_OPTIONS, ...this.options.jobOptions },
      });
      queue.on('error', (error) => this.logger.warn('farm queue error', { queue: name, error: String(error) }));
      return queue;
    });
  }

  /**
   * QueueEvents, opened only to wait for a job: it is a blocking XREAD woken by every event of
   * the queue (each progress update of every job), so a client that only submits or counts (a
   * daemon's auto-encode and metrics) must not hold one, or every daemon reads every update.
   * It reads from the newest event at opening: nothing written while it connects is missed.
   */
  private events(name: string): Promise<QueueEvents> {
    return shared(this.listeners, name, async () => {
      const queue = await this.queue(name);
      const [newest] = await (await this.connection()).xrevrange(queue.keys['events']!, '+', '-', 'COUNT', 1);
      // A blocking reader needs a worker-style connection that rides out restarts.
      const redis = await connectRedis(this.options.redisUrl, 'worker', this.options.connectTimeoutMs ?? 5000);
      const events = new QueueEvents(name, { connection: redis, prefix: this.prefix, lastEventId: newest?.[0] ?? '0' });
      events.on('error', (error) => this.logger.warn('farm queue events error', { queue: name, error: String(error) }));
      await events.waitUntilReady();
      return { events, redis };
    }).then((entry) => entry.events);
  }

  /** Add a job unless an identical one exists; a failed or cancelled earlier run is replaced. */
  async submit(input: JobSpecInput, options: SubmitOptions = {}): Promise<SubmittedJob> {
    const spec = JobSpec.parse(input);
    const name = options.queue ?? DEFAULT_QUEUE;
    const id = options.jobId ?? jobIdFor(spec);
    const queue = await this.queue(name);
    const redis = await this.connection();
    let created = true;
    try {
      const existing = await queue.getJob(id);
      if (existing) {
        const state = await existing.getState();
        // Encode and step outputs are consumed (renamed, removed) by the caller, so a finished one cannot be reused.
        const replace = state === 'failed' || (state === 'completed' && spec.kind !== 'publish');
        if (replace) await existing.remove();
        else created = false;
      }
      if (created) await redis.del(cancelKey(this.prefix, id));
      await queue.add(spec.kind, spec, { ...JOB_OPTIONS, ...this.options.jobOptions, jobId: id });
    } catch (error) {
      throw new EncodeError('E_QUEUE_UNAVAILABLE', `Could not submit farm job ${id}: ${error instanceof Error ? error.message : String(error)}`, {
        hint: 'Check that Redis is reachable (farm.redisUrl / REDIS_URL).',
        cause: error,
      });
    }
    this.logger.info(created ? 'farm job submitted' : 'farm job already present, joining it', { jobId: id, queue: name });
    return { id, queue: name, created };
  }

  /** Wait for a submitted job: progress through QueueEvents, the worker's EncodeError on failure. */
  async wait(job: SubmittedJob, options: RunOptions = {}): Promise<JobResult> {
    const events = await this.events(job.queue);
    const queue = await this.queue(job.queue);
    const onProgress = ({ jobId, data }: { jobId: string; data: unknown }) => {
      if (jobId === job.id && data && typeof data === 'object') options.onProgress?.(data as Progress);
    };
    events.on('progress', onProgress);
    const bullJob = await Job.fromId(queue, job.id);
    try {
      if (!bullJob) throw new EncodeError('E_JOB_FAILED', `Farm job ${job.id} is gone from the queue.`);
      const finished = bullJob.waitUntilFinished(events) as Promise<JobResult>;
      if (!options.signal) return await finished.catch((error: unknown) => Promise.reject(this.failure(error, job.id)));
      return await this.waitOrCancel(job, finished, options.signal);
    } finally {
      events.off('progress', onProgress);
    }
  }

  /** submit + wait. */
  async run(input: JobSpecInput, options: SubmitOptions = {}): Promise<JobResult> {
    const job = await this.submit(input, options);
    return this.wait(job, options);
  }

  private failure(error: unknown, jobId: string): EncodeError {
    return error instanceof EncodeError ? error : fromFailedReason(error instanceof Error ? error.message : String(error), jobId);
  }

  private async waitOrCancel(job: SubmittedJob, finished: Promise<JobResult>, signal: AbortSignal): Promise<JobResult> {
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<'aborted'>((resolve) => {
      if (signal.aborted) resolve('aborted');
      onAbort = () => resolve('aborted');
      signal.addEventListener('abort', onAbort, { once: true });
    });
    const settled = finished.then(
      (value) => ({ value }),
      (error: unknown) => ({ error: this.failure(error, job.id) }),
    );
    try {
      const first = await Promise.race([settled, aborted]);
      if (first !== 'aborted') {
        if ('error' in first) throw first.error;
        return first.value;
      }
      const removed = await this.cancel(job);
      if (!removed) {
        // Wait (bounded) for the worker to stop and clean up, so no file is left behind.
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([settled, new Promise((r) => (timer = setTimeout(r, this.options.cancelWaitMs ?? 30_000)))]);
        clearTimeout(timer);
      }
      throw new EncodeError('E_CANCELLED', 'Cancelled.', { details: { jobId: job.id } });
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Ask for a job to stop: a key (for a worker that picks it up later) plus a message on the
   * cancel channel (for the worker running it). A job still waiting is simply removed. A publish
   * flow waiting for its segment jobs stops them too; it then fails E_CANCELLED once they have
   * stopped, after removing every segment file. Returns true when the job was removed before any
   * worker took it.
   */
  async cancel(job: { id: string; queue: string }): Promise<boolean> {
    const redis = await this.connection();
    const queue = await this.queue(job.queue);
    await requestCancel(redis, this.prefix, [job.id]);
    const bullJob = await Job.fromId(queue, job.id);
    if (!bullJob) return true;
    const state = await bullJob.getState();
    if (state === 'waiting-children') await requestCancel(redis, this.prefix, await pendingChildren(bullJob));
    if (state === 'waiting' || state === 'delayed' || state === 'prioritized') {
      return bullJob.remove().then(
        () => true,
        () => false,
      );
    }
    return false;
  }

  /** How many workers (one per daemon) took jobs from a queue recently: what `--segments auto` splits for. */
  async workers(queue = DEFAULT_QUEUE): Promise<number> {
    return countRecentWorkers(await this.queue(queue), this.logger);
  }

  /** What the workers on a queue advertised (their encoder), if any worker is alive. */
  async capabilities(queue = DEFAULT_QUEUE): Promise<EncoderCapabilities | undefined> {
    const raw = await (await this.connection()).get(capabilitiesKey(this.prefix, queue));
    return raw ? (JSON.parse(raw) as EncoderCapabilities) : undefined;
  }

  /** Jobs by state, for metrics and tests. */
  async counts(queue = DEFAULT_QUEUE): Promise<Record<string, number>> {
    return (await this.queue(queue)).getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized');
  }

  /** The newest jobs of a queue in any state (for `ftrack-encode jobs list`). */
  async recent(
    queue = DEFAULT_QUEUE,
    limit = 20,
  ): Promise<{ id: string; name: string; state: string; progress: unknown; failedReason?: string; timestamp: number }[]> {
    const q = await this.queue(queue);
    const jobs = await q.getJobs(['active', 'waiting', 'delayed', 'prioritized', 'failed', 'completed'], 0, limit - 1, false);
    return Promise.all(
      jobs.map(async (job) => ({
        id: job.id ?? '',
        name: job.name,
        state: await job.getState(),
        progress: job.progress,
        ...(job.failedReason ? { failedReason: job.failedReason } : {}),
        timestamp: job.timestamp,
      })),
    );
  }

  async job(id: string, queue = DEFAULT_QUEUE): Promise<Job | undefined> {
    return (await Job.fromId(await this.queue(queue), id)) ?? undefined;
  }

  async close(): Promise<void> {
    const listeners = [...this.listeners.values()];
    const queues = [...this.queues.values()];
    this.listeners.clear();
    this.queues.clear();
    for (const pending of listeners) {
      const entry = await pending.catch(() => undefined);
      await entry?.events.close().catch(() => undefined);
      entry?.redis.disconnect();
    }
    for (const pending of queues) await (await pending.catch(() => undefined))?.close().catch(() => undefined);
    const redis = await this.redis?.catch(() => undefined);
    redis?.disconnect();
    this.redis = undefined;
  }
}

/**
 * One instance per key, shared by concurrent first callers (cache the promise, not the result: a
 * second instance would leak its connections and keep the process alive); a failed open is
 * forgotten so the next call tries again.
 */
function shared<T>(cache: Map<string, Promise<T>>, key: string, open: () => Promise<T>): Promise<T> {
  let pending = cache.get(key);
  if (!pending) {
    pending = open();
    cache.set(key, pending);
    pending.catch(() => cache.delete(key));
  }
  return pending;
}
