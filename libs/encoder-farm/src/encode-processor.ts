import { UnrecoverableError, WaitingChildrenError, WaitingError, type Job, type Processor } from 'bullmq';
import { EncodeError, toEncodeError, type Progress } from '@ftrack-encode/core';
import { JobSpec, type JobResult, type JobSpecInput } from './job-spec.js';
import { runJobSpec, type FarmJobDeps, type RunJobOptions } from './run-job.js';
import { FlowFailed, cancelFlow, discardChildResult, flowDir, isSegmentedPublish, runPublishFlow, type FlowHost } from './publish-flow.js';
import { toJobFailure } from './wire-errors.js';

/** Abort reason a worker uses on shutdown: give the job back to the queue, do not fail it. */
export const HAND_BACK = 'ftrack-encode:hand-back';
/** Abort reason for a user's cancel request. */
export const CANCEL_REQUESTED = 'ftrack-encode:cancel';

export interface EncodeProcessorOptions {
  /**
   * Minimum gap between job.updateProgress calls (default 1 s): each one is a Redis write plus a
   * stream event that every waiting submitter reads. ffmpeg reports every 0.5 s.
   */
  progressIntervalMs?: number;
  /** Whether a cancel was requested before the job started (the cancel key). */
  cancelRequested?: (jobId: string) => Promise<boolean>;
  /** BullMQ flows: segmented publishes run as a parent with one child job per segment. */
  flow?: FlowHost & {
    /** A segment child's frames done, added into its parent's progress. */
    childProgress(child: Job, framesDone: number): Promise<void>;
    /** Whether a child's flow was cancelled or has ended: its work is no longer wanted. */
    flowEnded(child: Job): Promise<boolean>;
  };
}

export interface ProgressThrottle {
  report(progress: Progress): void;
  /** Send what is still held back (the last update before the job ends). */
  flush(): Promise<void>;
}

/**
 * Forward progress at most every `intervalMs` (each update is a Redis write and a stream
 * event), always on a stage change, and never drop the last update of a burst.
 */
export function throttleProgress(send: (p: Progress) => Promise<void>, intervalMs: number): ProgressThrottle {
  let last = 0;
  let stage: Progress['stage'] | undefined;
  let pending: Progress | undefined;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const emit = (progress: Progress) => {
    last = Date.now();
    stage = progress.stage;
    pending = undefined;
    inFlight = inFlight.then(() => send(progress)).catch(() => undefined);
  };
  return {
    report(progress) {
      if (progress.stage !== stage || Date.now() - last >= intervalMs) {
        clearTimeout(timer);
        timer = undefined;
        // The held-back end of the previous stage (e.g. encode 100 %) goes out first.
        if (pending && pending.stage !== progress.stage) emit(pending);
        emit(progress);
        return;
      }
      pending = progress;
      timer ??= setTimeout(
        () => {
          timer = undefined;
          if (pending) emit(pending);
        },
        Math.max(0, intervalMs - (Date.now() - last)),
      );
    },
    async flush() {
      clearTimeout(timer);
      timer = undefined;
      if (pending) emit(pending);
      await inFlight;
    },
  };
}

/**
 * The BullMQ processor of the farm: runs the job spec with this worker's encoder, reports
 * throttled progress, honours cancel (fails once with E_CANCELLED, never retried) and
 * shutdown (hands the job back to the queue without spending an attempt).
 */
export function createEncodeProcessor(deps: FarmJobDeps, options: EncodeProcessorOptions = {}): Processor<JobSpecInput, JobResult> {
  const interval = options.progressIntervalMs ?? 1000;
  // Three parameters: BullMQ passes an AbortSignal only to processors that declare it.
  return async (job: Job<JobSpecInput, JobResult>, token?: string, signal?: AbortSignal): Promise<JobResult> => {
    const logger = deps.logger;
    const fields = { jobId: job.id, queue: job.queueName, kind: job.data.kind, attempt: job.attemptsMade + 1 };
    try {
      if (job.id && (await options.cancelRequested?.(job.id))) {
        // A cancelled flow's parent stops its children and waits for them before it removes the flow's files.
        if (job.data.kind === 'publish') {
          if (options.flow) await cancelFlow(job, token, deps, options.flow);
          await deps.fs.removeDir(flowDir(deps.scratchDir, job.id)).catch(() => undefined);
        }
        throw new EncodeError('E_CANCELLED', 'Cancelled before it started.');
      }
      if (job.parent && (await options.flow?.flowEnded(job))) throw new EncodeError('E_CANCELLED', 'Its publish flow was cancelled or has ended.');
      logger.info('job started', fields);
      const progress = throttleProgress(async (p) => {
        await job.updateProgress(p as unknown as object);
        const frames = segmentFrames(job);
        if (frames && options.flow && p.stage === 'encode' && p.percent !== undefined)
          await options.flow.childProgress(job, (frames * Math.min(p.percent, 100)) / 100);
      }, interval);
      const run: RunJobOptions = {
        ...(signal ? { signal } : {}),
        onProgress: (p) => progress.report(p),
        flushProgress: () => progress.flush(),
        attemptTag: `${job.attemptsStarted ?? 0}${(token ?? '').slice(0, 6)}`,
      };
      const spec = JobSpec.safeParse(job.data).data;
      const running =
        options.flow && spec?.kind === 'publish' && isSegmentedPublish(spec, deps)
          ? runPublishFlow(job, token, spec, deps, options.flow, { ...run, lastAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1) })
          : runJobSpec(job.data, deps, run);
      const result = await running.finally(() => progress.flush());
      // Cancelled or ended while this child ran: nothing may be left of it (its parent cleaned up already or is about to).
      if (job.parent && (await options.flow?.flowEnded(job))) {
        await discardChildResult(result, deps.fs);
        throw new EncodeError('E_CANCELLED', 'Its publish flow was cancelled or ended while it ran; its files were removed.');
      }
      logger.info('job completed', { ...fields, ...(result.kind === 'publish' ? { skipped: result.skipped } : {}) });
      return result;
    } catch (error) {
      if (error instanceof WaitingChildrenError) {
        logger.info('job waiting for its segment jobs', fields);
        throw error;
      }
      if (signal?.aborted && signal.reason === HAND_BACK) {
        logger.warn('job handed back to the queue (worker stopping)', fields);
        await job.moveToWait(token);
        throw new WaitingError();
      }
      const failure = signal?.aborted
        ? new EncodeError('E_CANCELLED', 'Cancelled.', { details: { jobId: job.id } })
        : toEncodeError(error instanceof FlowFailed ? error.failure : error, 'E_ENCODER_FAILED');
      logger.error('job failed', { ...fields, code: failure.code, error: failure.message });
      throw toJobFailure(failure, { final: error instanceof FlowFailed });
    }
  };
}

/** The picture frames of a segment child of a flow (its share of the parent's progress). */
function segmentFrames(job: Job<JobSpecInput, JobResult>): number | undefined {
  return job.parent?.id && job.data.kind === 'encode' ? job.data.plan.range?.frames : undefined;
}

export function isUnrecoverable(error: unknown): boolean {
  return error instanceof UnrecoverableError || (error instanceof Error && error.name === 'UnrecoverableError');
}
