import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Job, WaitingChildrenError, type Queue } from 'bullmq';
import {
  EncodeError,
  isEncodeError,
  planSegments,
  stableHash,
  toEncodeError,
  type EncodePlan,
  type Encoder,
  type EncoderCapabilities,
  type FileSystem,
  type Logger,
  type ProducedFile,
  type RunOptions,
  type SegmentStep,
} from '@ftrack-encode/core';
import type { JobResult, JobSpecInput, PublishJobResult, PublishJobSpec } from './job-spec.js';
import { FLOW_PLANNED, FLOW_SEGMENTS_DONE, flowRunProgress, shownPercent } from './flow-progress.js';
import { fetchComponent, jobProfile, publishJobResult, publishRequest, publishRunner, type FarmJobDeps, type RunJobOptions } from './run-job.js';
import { UNRECOVERABLE_CODES, fromFailedReason } from './wire-errors.js';

/** What the BullMQ worker lends a publish flow. */
export interface FlowHost {
  /**
   * Add segment jobs as children of `parent`: each retried alone (attempts); one that fails for good
   * is recorded on the parent instead of failing it at once, so the parent still runs and cleans up.
   * `frames`: the picture frames of all segments, for the parent's aggregated progress.
   */
  addChildren(parent: Job, children: JobSpecInput[], frames: number): Promise<void>;
  /** Workers seen recently on the queue: how many segments `auto` makes. */
  workers(): Promise<number>;
  /** The recent workers that do not share this worker's scratch directory (a flow's files must be seen by all). */
  workersNotSharing(): Promise<string[]>;
  /** Ask a parent's pending children to stop; resolves once none of them runs any more (or after `waitMs`). */
  stopChildren(parent: Job, waitMs?: number, remove?: boolean): Promise<void>;
  /** Whether a cancel was requested for this job (its run may also stop to be handed back, which is no cancel). */
  cancelRequested(job: Job): Promise<boolean>;
}

/** A flow's files (the source of a component, segments, audio, joins) live here; every daemon must see it at the same path. */
export function flowDir(scratchDir: string, jobId: string): string {
  return join(scratchDir, `flow-${jobId.replace(/[^A-Za-z0-9_.-]/g, '_')}`);
}

/**
 * The encoder of a flow's parent, around this worker's own. Segments and the audio were made by
 * the child jobs at the planned paths (shared scratch), so they are taken as they are; one that is
 * not there (a join retried after its segments were consumed, a scratch that is not shared) is
 * encoded here. Joins run here. `auto` splits for the farm's workers, not this machine's cores.
 */
export class FlowSegmentEncoder implements Encoder {
  readonly id: string;

  constructor(
    private readonly local: Encoder,
    private readonly fs: FileSystem,
    private readonly logger: Logger,
    private readonly workers: number,
  ) {
    this.id = local.id;
  }

  async capabilities(): Promise<EncoderCapabilities> {
    return { ...(await this.local.capabilities()), segments: { workers: Math.max(1, this.workers) } };
  }

  async encode(plan: EncodePlan, options: RunOptions = {}): Promise<ProducedFile[]> {
    if (plan.range && (await this.allThere(plan.outputs.map((o) => o.tempPath)))) return plan.outputs.map((o) => ({ name: o.name, path: o.tempPath }));
    if (plan.range) this.logger.warn('a segment made by the farm is not here: encoding it on this worker', { plan: plan.id });
    return this.local.encode(plan, options);
  }

  async runStep(step: SegmentStep, options: RunOptions = {}): Promise<void> {
    if (step.kind === 'audio' && (await this.allThere(step.parts.map((p) => p.path)))) return;
    if (!this.local.runStep) throw new EncodeError('E_UNSUPPORTED', `The ${this.local.id} encoder of this worker cannot join segments.`);
    return this.local.runStep(step, options);
  }

  describe(plan: EncodePlan): Promise<string[][]> {
    return this.local.describe(plan);
  }

  async describeStep(step: SegmentStep): Promise<string[][]> {
    return (await this.local.describeStep?.(step)) ?? [];
  }

  private async allThere(paths: string[]): Promise<boolean> {
    return (await Promise.all(paths.map((p) => this.fs.exists(p)))).every(Boolean);
  }
}

/** The child whose failure the parent reports: a real failure before the cancels it caused. */
function childFailure(failures: Record<string, string>): EncodeError {
  const errors = Object.entries(failures).map(([key, reason]) => fromFailedReason(reason, key.slice(key.lastIndexOf(':') + 1)));
  return errors.find((e) => !isEncodeError(e, 'E_CANCELLED')) ?? errors[0]!;
}

/** A flow's failure that no retry of the parent can fix (a segment failed for good): the parent fails once. */
export class FlowFailed extends Error {
  constructor(readonly failure: EncodeError) {
    super(failure.message);
  }
}

/**
 * A segmented publish as a BullMQ flow, in two runs of the same (parent) job:
 * 1. plan: resolve, checksum, skip if registered, probe, plan and cut into segments (a dry run of the
 *    ordinary publish); add one encode job per segment and a step job for the audio as children;
 *    wait for them without holding a worker.
 * 2. join: once every child is done, the ordinary publish again with the same plan id, its encoder
 *    taking the children's files: join, validate (boundary SSIM included), store, register — once,
 *    under the publish lock, like any publish. A child that failed for good fails the parent with
 *    its error. The flow's files are removed whenever the parent ends for good.
 */
export async function runPublishFlow(
  job: Job,
  token: string | undefined,
  spec: PublishJobSpec,
  deps: FarmJobDeps,
  host: FlowHost,
  options: RunJobOptions & { lastAttempt: boolean },
): Promise<PublishJobResult> {
  const runPublish = publishRunner(deps);
  const profile = jobProfile(spec, deps);
  const dir = flowDir(deps.scratchDir, job.id ?? '');
  const dependencies = await job.getDependenciesCount();
  const planned = Object.values(dependencies).some((n) => (n ?? 0) > 0);
  // One bar over the whole flow: this run continues from what the parent shows (the children's sum).
  const shown = shownPercent(job.progress);
  const within = (from: number, to: number): RunJobOptions => ({ ...options, onProgress: flowRunProgress(options.onProgress, { from, to }, shown) });
  let keep = false;
  let stopChildren: (() => void) | undefined;
  try {
    // Children still to run (this parent was handed back before it could wait): wait for them.
    if ((dependencies.unprocessed ?? 0) > 0) await waitForChildren(job, token);
    // A fresh flow: nothing an earlier flow of this id left can be taken for a segment.
    if (!planned) await deps.fs.removeDir(dir);
    await deps.fs.ensureWritableDir(dir);
    const input = spec.source.kind === 'path' ? spec.source.input : await componentIn(dir, spec.source, deps, options);
    const workers = await host.workers();
    const encoder = (local: Encoder) => new FlowSegmentEncoder(local, deps.fs, deps.logger, workers);
    // Both runs plan the same files: the children write where the join looks.
    const request = (run: RunJobOptions) => ({ ...publishRequest(spec, profile, input, dir, deps, run), planId: stableHash(job.id ?? '').slice(0, 12) });
    if (planned) {
      const failures = await job.getIgnoredChildrenFailures();
      if (Object.keys(failures).length > 0) throw new FlowFailed(childFailure(failures));
      return publishJobResult(await runPublish(spec.location, request(within(FLOW_SEGMENTS_DONE, 100)), { encoder }));
    }
    const dry = await runPublish(spec.location, { ...request(within(0, FLOW_PLANNED)), dryRun: true }, { encoder });
    const count = dry.segments?.length ?? 1;
    // Registered already, or nothing to split (a short source, one worker): one pass, here.
    if (dry.skipped) return publishJobResult(dry);
    const onePass = async () => publishJobResult(await runPublish(spec.location, { ...request(within(FLOW_PLANNED, 100)), segments: 1 }, { encoder }));
    if (!dry.plan || count < 2) return await onePass();
    // Segments made on a daemon whose scratch directory this one does not see would be encoded again
    // at the join: one pass here is as fast, and says why.
    const unshared = await host.workersNotSharing();
    if (unshared.length > 0) {
      const why = `${count} segments asked for, but farm.scratchDir ${deps.scratchDir} is not shared with ${unshared.join(', ')}: encoding in one pass on this daemon`;
      deps.logger.warn(why, {
        jobId: job.id,
        code: 'W_FLOW_SCRATCH_NOT_SHARED',
        hint: 'Set farm.scratchDir to a directory every daemon mounts at the same path.',
      });
      options.onProgress?.({ stage: 'plan', percent: FLOW_PLANNED, message: why });
      return await onePass();
    }
    const segmented = planSegments(dry.plan, count);
    const children: JobSpecInput[] = [
      ...segmented.segments.map((plan): JobSpecInput => ({ kind: 'encode', plan, sourceChecksum: dry.key.sourceChecksum })),
      ...(segmented.audio ? [{ kind: 'step' as const, step: segmented.audio }] : []),
    ];
    // The join cuts the same segments, whatever `auto` would say by then.
    await job.updateData({ ...spec, segments: count });
    // This run's last word on the bar lands before any child reports into it.
    options.onProgress?.({ stage: 'encode', percent: FLOW_PLANNED, message: `${count} segments on the farm` });
    await options.flushProgress?.();
    await host.addChildren(
      job,
      children,
      segmented.ranges.reduce((sum, r) => sum + r.frames, 0),
    );
    // A cancel from now on stops the children at once (one seen before they were added stops each
    // at its start); this parent runs once more after them, to fail and clean up. A run stopped to
    // be handed back (the daemon stopping) leaves them running.
    stopChildren = () => void (async () => (await host.cancelRequested(job)) && (await host.stopChildren(job, 0)))().catch(() => undefined);
    if (options.signal?.aborted) stopChildren();
    else options.signal?.addEventListener('abort', stopChildren, { once: true });
    await waitForChildren(job, token);
    // Every child finished before the parent could wait: join now.
    return publishJobResult(await runPublish(spec.location, { ...request(within(FLOW_SEGMENTS_DONE, 100)), segments: count }, { encoder }));
  } catch (error) {
    if (error instanceof WaitingChildrenError) {
      keep = true;
      throw error;
    }
    // A retry needs the flow's files (the join falls back to encoding what is missing here).
    keep ||= !(error instanceof FlowFailed) && !options.lastAttempt && !UNRECOVERABLE_CODES.has(toEncodeError(error).code);
    throw error;
  } finally {
    if (stopChildren) options.signal?.removeEventListener('abort', stopChildren);
    if (!keep) await deps.fs.removeDir(dir).catch(() => undefined);
  }
}

/**
 * A cancelled flow's parent, taken up again: its children are asked to stop, and it waits for them
 * (holding no worker) before it removes the flow's files, so no child writes there afterwards.
 * Throws WaitingChildrenError while children are pending, E_CANCELLED once the files are gone.
 */
export async function cancelFlow(job: Job, token: string | undefined, deps: FarmJobDeps, host: FlowHost): Promise<never> {
  await host.stopChildren(job, 0);
  await waitForChildren(job, token);
  await deps.fs.removeDir(flowDir(deps.scratchDir, job.id ?? '')).catch(() => undefined);
  throw new EncodeError('E_CANCELLED', 'Cancelled; every segment job was stopped.');
}

/**
 * A flow's parent ended for good without its own clean-up (it failed by stalling: its worker died
 * more often than maxStalledCount, and BullMQ failed it without running it): stop its children,
 * wait (bounded) for running ones, remove them and the flow's files. Harmless when the parent cleaned up.
 */
export async function endFlow(job: Job, deps: Pick<FarmJobDeps, 'fs' | 'scratchDir' | 'logger'>, host: Pick<FlowHost, 'stopChildren'>): Promise<void> {
  const dir = flowDir(deps.scratchDir, job.id ?? '');
  await host.stopChildren(job, FLOW_END_WAIT_MS, true);
  if (!(await deps.fs.exists(dir))) return;
  await deps.fs.removeDir(dir);
  deps.logger.warn('a publish flow failed without cleaning up (its worker stalled): its segment jobs were stopped and its files removed', { jobId: job.id });
}

/** How long an ended flow waits for its running children to stop before it removes their directory anyway. */
const FLOW_END_WAIT_MS = 60_000;

/** A flow directory whose job is not on this queue is removed only this long after it last changed (it may be another queue's). */
const ORPHAN_AGE_MS = 3600_000;

/**
 * On a worker's start: the flows whose parent ended for good (failed, completed) or is gone and no
 * worker cleaned up after (the one that should have died too). Their pending children are stopped
 * and their files removed. Returns the directories removed.
 */
export async function sweepEndedFlows(
  jobs: Queue,
  deps: Pick<FarmJobDeps, 'fs' | 'scratchDir' | 'logger'>,
  host: Pick<FlowHost, 'stopChildren'>,
): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(deps.scratchDir).catch(() => [])) {
    if (!name.startsWith('flow-')) continue;
    const dir = join(deps.scratchDir, name);
    // Publish job ids hold only the characters flowDir keeps, so the name gives the id back.
    const parent = await Job.fromId(jobs, name.slice('flow-'.length));
    const state = parent ? await parent.getState() : 'unknown';
    const ended = state === 'failed' || state === 'completed' || (state === 'unknown' && Date.now() - (await stat(dir)).mtimeMs > ORPHAN_AGE_MS);
    if (!ended) continue;
    if (parent) await host.stopChildren(parent, 0, true);
    await deps.fs.removeDir(dir);
    removed.push(dir);
  }
  if (removed.length > 0) deps.logger.warn('removed the files of publish flows that ended without cleaning up', { removed });
  return removed;
}

/** A flow child's files, once its flow no longer wants them (cancelled or ended while the child ran). */
export async function discardChildResult(result: JobResult, fs: FileSystem): Promise<void> {
  const paths = result.kind === 'encode' ? result.outputs.map((o) => o.path) : result.kind === 'step' ? result.outputs : [];
  await Promise.all(paths.map((path) => fs.remove(path).catch(() => undefined)));
}

/** Park the parent until its children are done (it holds no worker meanwhile); returns when none is left to wait for. */
async function waitForChildren(job: Job, token: string | undefined): Promise<void> {
  if (token && (await job.moveToWaitingChildren(token))) throw new WaitingChildrenError();
}

/** Whether a publish job asks for segments (its own setting, else its profile's): it then runs as a flow. */
export function isSegmentedPublish(spec: PublishJobSpec, deps: FarmJobDeps): boolean {
  const segments = spec.segments ?? jobProfile(spec, deps).segments;
  return segments !== undefined && segments !== 1;
}

/** A component source, fetched once into the flow's directory: the children and the join read that copy. */
async function componentIn(
  dir: string,
  ref: Extract<PublishJobSpec['source'], { kind: 'component' }>,
  deps: FarmJobDeps,
  options: RunOptions,
): Promise<string> {
  const sourceDir = join(dir, 'source');
  const [fetched] = await readdir(sourceDir).catch(() => []);
  if (fetched) return join(sourceDir, fetched);
  await deps.fs.ensureWritableDir(sourceDir);
  return fetchComponent(ref, sourceDir, deps, options);
}
