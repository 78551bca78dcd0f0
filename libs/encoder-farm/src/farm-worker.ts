import { Job, Queue, Worker, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { silentLogger, type EncoderCapabilities, type Logger } from '@ftrack-encode/core';
import type { JobResult, JobSpecInput } from './job-spec.js';
import type { FarmJobDeps } from './run-job.js';
import { CANCEL_REQUESTED, HAND_BACK, createEncodeProcessor, isUnrecoverable, type EncodeProcessorOptions } from './encode-processor.js';
import {
  DEFAULT_PREFIX,
  DEFAULT_QUEUE,
  JOB_OPTIONS,
  cancelChannel,
  cancelKey,
  capabilitiesKey,
  stepQueueFor,
  workerOptions,
  type WorkerTimings,
} from './queue-options.js';
import { assertNoEviction, connectRedis } from './redis-connection.js';
import { addChildProgress, countRecentWorkers, flowEnded, flowProgressKey, reportScratch, stopChildren, workersNotSharing } from './flow-control.js';
import { endFlow, sweepEndedFlows } from './publish-flow.js';
import { jobIdFor } from './farm-client.js';

export type FarmJobEvent =
  | { type: 'active'; jobId: string; queue: string; kind: string; waitedMs: number }
  | { type: 'completed'; jobId: string; queue: string; kind: string; seconds: number }
  | { type: 'failed'; jobId: string; queue: string; kind: string; seconds: number; code: string; willRetry: boolean };

export interface FarmWorkerOptions extends WorkerTimings {
  redisUrl: string;
  queue?: string;
  prefix?: string;
  /** Encode and publish jobs this worker runs at once (each is one ffmpeg process). */
  concurrency?: number;
  /** Segment steps (audio passes, joins) it runs at once beside them, in the queue's steps lane (default 1). */
  stepConcurrency?: number;
  progressIntervalMs?: number;
  /** Shown in BullMQ (job.processedBy) and logs. */
  name?: string;
  logger?: Logger;
  onJob?: (event: FarmJobEvent) => void;
  connectTimeoutMs?: number;
  /** Options of the segment jobs a publish flow adds (tests shorten the retry backoff). */
  jobOptions?: JobsOptions;
}

function codeOf(error: Error): string {
  try {
    return (JSON.parse(error.message) as { code?: string }).code ?? 'E_JOB_FAILED';
  } catch {
    return 'E_JOB_FAILED';
  }
}

/**
 * The BullMQ workers of one queue — its encode slots (`concurrency`) and its steps lane
 * (`stepConcurrency`, see stepQueueFor) — plus what the farm adds around them: the cancel
 * channel, the capabilities advertisement (so submitters plan for what workers can do), and a
 * shutdown that finishes running jobs within a deadline and hands the rest back.
 */
export class FarmWorker {
  private capabilityTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  /** The queues this worker takes jobs from: the encode queue, then its steps lane. */
  readonly queues: string[];
  /** This worker's scratch report (flow-control.ts), refreshed with its capabilities. */
  private scratch: Awaited<ReturnType<typeof reportScratch>> | undefined;

  private constructor(
    /** One BullMQ worker per lane: encode slots, then steps. */
    readonly lanes: Worker<JobSpecInput, JobResult>[],
    readonly queue: string,
    private readonly redis: Redis,
    private readonly subscriber: Redis,
    private readonly logger: Logger,
    /** Adds flow children, reads the flow parents and the workers seen. */
    private readonly jobs: Queue,
    /** Adds a flow's step children (its audio pass). */
    private readonly stepJobs: Queue,
    private readonly prefix: string,
  ) {
    this.queues = lanes.map((lane) => lane.name);
  }

  static async start(deps: FarmJobDeps, options: FarmWorkerOptions): Promise<FarmWorker> {
    const prefix = options.prefix ?? DEFAULT_PREFIX;
    const queue = options.queue ?? DEFAULT_QUEUE;
    const logger = options.logger ?? silentLogger;
    const redis = await connectRedis(options.redisUrl, 'worker', options.connectTimeoutMs ?? 5000);
    try {
      await assertNoEviction(redis, options.redisUrl);
    } catch (error) {
      redis.disconnect();
      throw error;
    }
    const subscriber = redis.duplicate();
    subscriber.on('error', () => undefined);
    const queueOf = (name: string) => {
      const q = new Queue(name, { connection: redis, prefix });
      q.on('error', (error) => logger.warn('farm queue error', { queue: name, error: String(error) }));
      return q;
    };
    const jobs = queueOf(queue);
    const stepJobs = queueOf(stepQueueFor(queue));
    // Named, so its scratch report (below) is found from BullMQ's worker list.
    const name = options.name ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    const cancelRequested = async (jobId: string) => (await redis.exists(cancelKey(prefix, jobId))) === 1;
    const flow = flowHost({ jobs, stepJobs }, redis, { prefix, queue, scratchDir: deps.scratchDir, fs: deps.fs, cancelRequested }, options.jobOptions, logger);
    const processor = createEncodeProcessor(deps, {
      ...(options.progressIntervalMs !== undefined ? { progressIntervalMs: options.progressIntervalMs } : {}),
      cancelRequested,
      flow,
    });
    const lane = (laneQueue: string, concurrency: number) =>
      new Worker<JobSpecInput, JobResult>(laneQueue, processor, {
        connection: redis,
        prefix,
        concurrency,
        ...workerOptions(options),
        name,
        autorun: false,
      });
    const lanes = [lane(queue, options.concurrency ?? 1), lane(stepJobs.name, options.stepConcurrency ?? 1)];
    const farmWorker = new FarmWorker(lanes, queue, redis, subscriber, logger, jobs, stepJobs, prefix);
    farmWorker.wire(options, (job) => endFlow(job, deps, flow));
    farmWorker.scratch = await reportScratch(redis, deps.fs, { prefix, queue, worker: name }, { scratchDir: deps.scratchDir, host: hostname() });
    await sweepEndedFlows(jobs, deps, flow).catch((error: unknown) => logger.warn('could not sweep ended publish flows', { error: String(error) }));
    await subscriber.subscribe(cancelChannel(prefix));
    subscriber.on('message', (_channel: string, jobId: string) => {
      if (lanes.some((w) => w.cancelJob(jobId, CANCEL_REQUESTED))) logger.info('cancel requested', { jobId });
    });
    await farmWorker.advertise(deps, prefix);
    for (const w of lanes) void w.run().catch((error: unknown) => logger.error('worker stopped', { queue: w.name, error: String(error) }));
    await Promise.all(lanes.map((w) => w.waitUntilReady()));
    return farmWorker;
  }

  private wire(options: FarmWorkerOptions, flowEnded: (job: Job) => Promise<void>): void {
    const { logger } = this;
    const seconds = (job: Job) => ((job.finishedOn ?? Date.now()) - (job.processedOn ?? Date.now())) / 1000;
    for (const worker of this.lanes) {
      const queue = worker.name;
      worker.on('error', (error) => logger.warn('worker connection error', { queue, error: String(error) }));
      worker.on('active', (job) => {
        options.onJob?.({ type: 'active', jobId: job.id ?? '', queue, kind: job.data.kind, waitedMs: (job.processedOn ?? Date.now()) - job.timestamp });
      });
      worker.on('completed', (job) => {
        options.onJob?.({ type: 'completed', jobId: job.id ?? '', queue, kind: job.data.kind, seconds: seconds(job) });
      });
      worker.on('failed', (job, error) => {
        if (!job) return;
        const willRetry = !isUnrecoverable(error) && job.attemptsMade < (job.opts.attempts ?? 1);
        options.onJob?.({ type: 'failed', jobId: job.id ?? '', queue, kind: job.data.kind, seconds: seconds(job), code: codeOf(error), willRetry });
        if (!willRetry && job.parent?.id) void this.stopSiblings(job.parent.id);
        // However a publish ends for good (a stall past maxStalledCount never runs its own clean-up), its flow ends with it.
        if (!willRetry && job.data.kind === 'publish') {
          void flowEnded(job).catch((e: unknown) => logger.warn('could not end the flow of a failed publish', { jobId: job.id, error: String(e) }));
        }
      });
    }
  }

  /** A flow's segment failed for good: stop the others now (the parent then fails with its error and cleans up). */
  private async stopSiblings(parentId: string): Promise<void> {
    try {
      const parent = await Job.fromId(this.jobs, parentId);
      if (parent) await stopChildren([this.jobs, this.stepJobs], this.redis, this.prefix, parent);
    } catch (error) {
      this.logger.warn('could not stop the other segments of a failed flow', { parentId, error: String(error) });
    }
  }

  /** Publish this worker's encoder capabilities under the queue, and its scratch report, refreshed while it runs. */
  private async advertise(deps: FarmJobDeps, prefix: string): Promise<void> {
    let capabilities: EncoderCapabilities | undefined;
    try {
      capabilities = await deps.encoder.capabilities();
    } catch (error) {
      this.logger.warn('could not read encoder capabilities', { error: String(error) });
    }
    const write = () =>
      Promise.all([
        capabilities && this.redis.set(capabilitiesKey(prefix, this.queue), JSON.stringify(capabilities), 'EX', 120),
        this.scratch?.refresh(),
      ]).catch(() => undefined);
    await write();
    this.capabilityTimer = setInterval(() => void write(), 60_000);
    this.capabilityTimer.unref();
  }

  isRunning(): boolean {
    return this.lanes.every((w) => w.isRunning()) && !this.closing;
  }

  /** Redis connection status of this worker ('ready' when healthy). */
  redisStatus(): string {
    return this.redis.status;
  }

  /**
   * Stop taking jobs; let running ones finish within `deadlineMs`; then abort them and hand
   * them back to the queue (another worker runs them, no attempt is spent).
   */
  async close(options: { deadlineMs?: number } = {}): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.capabilityTimer);
      const closed = Promise.all(this.lanes.map((w) => w.close()));
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'deadline'>((resolve) => (timer = setTimeout(() => resolve('deadline'), options.deadlineMs ?? 30_000)));
      if ((await Promise.race([closed.then(() => 'closed' as const), deadline])) === 'deadline') {
        this.logger.warn('stop deadline reached: handing running jobs back', { queue: this.queue });
        for (const w of this.lanes) w.cancelAllJobs(HAND_BACK);
        await closed;
      }
      clearTimeout(timer);
      await this.scratch?.remove();
      await Promise.all([this.jobs, this.stepJobs].map((q) => q.close().catch(() => undefined)));
      await this.subscriber.quit().catch(() => this.subscriber.disconnect());
      await this.redis.quit().catch(() => this.redis.disconnect());
    })();
    return this.closing;
  }
}

/**
 * What a worker lends publish flows: children added under their parent (segments in the encode
 * queue, the audio in the steps lane), the parent's progress from theirs.
 */
function flowHost(
  { jobs, stepJobs }: { jobs: Queue; stepJobs: Queue },
  redis: Redis,
  at: { prefix: string; queue: string; scratchDir: string; fs: FarmJobDeps['fs']; cancelRequested: (jobId: string) => Promise<boolean> },
  jobOptions: JobsOptions | undefined,
  logger: Logger,
): NonNullable<EncodeProcessorOptions['flow']> {
  const { prefix } = at;
  return {
    async addChildren(parent, children, frames) {
      const progressKey = flowProgressKey(prefix, parent.id ?? '');
      await redis
        .multi()
        .del(progressKey)
        .hset(progressKey, 'total', String(frames))
        .expire(progressKey, 24 * 3600)
        // The same publish again (re-submitted after a cancel) makes children with the same ids: not cancelled this time.
        .del(...children.map((spec) => cancelKey(prefix, jobIdFor(spec))))
        .exec();
      const add = (queue: Queue, specs: JobSpecInput[]) =>
        queue.addBulk(
          specs.map((spec) => ({
            name: spec.kind,
            data: spec,
            opts: {
              ...JOB_OPTIONS,
              ...jobOptions,
              jobId: jobIdFor(spec),
              parent: { id: parent.id ?? '', queue: parent.queueQualifiedName },
              // Failed for good: recorded on the parent, which still runs to report it and remove the flow's files.
              ignoreDependencyOnFailure: true,
            },
          })),
        );
      // The parent waits for its children only after both are added, so two adds are as good as one.
      await add(
        stepJobs,
        children.filter((spec) => spec.kind === 'step'),
      );
      await add(
        jobs,
        children.filter((spec) => spec.kind !== 'step'),
      );
    },
    workers: () => countRecentWorkers(jobs, logger),
    workersNotSharing: () => workersNotSharing(jobs, redis, at.fs, at, at.scratchDir),
    stopChildren: (parent, waitMs, remove) => stopChildren([jobs, stepJobs], redis, prefix, parent, waitMs, remove),
    cancelRequested: (job) => at.cancelRequested(job.id ?? ''),
    flowEnded: (child) => flowEnded(jobs, redis, prefix, child),
    childProgress: (child, framesDone) => addChildProgress(jobs, redis, prefix, child, framesDone),
  };
}
