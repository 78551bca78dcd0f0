import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { WaitingChildrenError, type Job } from 'bullmq';
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
import type { JobSpecInput, PublishJobResult, PublishJobSpec } from './job-spec.js';
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
  let keep = false;
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
    const request = { ...publishRequest(spec, profile, input, dir, deps, options), planId: stableHash(job.id ?? '').slice(0, 12) };
    if (planned) {
      const failures = await job.getIgnoredChildrenFailures();
      if (Object.keys(failures).length > 0) throw new FlowFailed(childFailure(failures));
      return publishJobResult(await runPublish(spec.location, request, { encoder }));
    }
    const dry = await runPublish(spec.location, { ...request, dryRun: true }, { encoder });
    const count = dry.segments?.length ?? 1;
    // Registered already, or nothing to split (a short source, one worker): one pass, here.
    if (dry.skipped) return publishJobResult(dry);
    if (!dry.plan || count < 2) return publishJobResult(await runPublish(spec.location, { ...request, segments: 1 }, { encoder }));
    const segmented = planSegments(dry.plan, count);
    const children: JobSpecInput[] = [
      ...segmented.segments.map((plan): JobSpecInput => ({ kind: 'encode', plan, sourceChecksum: dry.key.sourceChecksum })),
      ...(segmented.audio ? [{ kind: 'step' as const, step: segmented.audio }] : []),
    ];
    // The join cuts the same segments, whatever `auto` would say by then.
    await job.updateData({ ...spec, segments: count });
    await host.addChildren(
      job,
      children,
      segmented.ranges.reduce((sum, r) => sum + r.frames, 0),
    );
    options.onProgress?.({ stage: 'encode', percent: 0, message: `${count} segments on the farm` });
    await waitForChildren(job, token);
    // Every child finished before the parent could wait: join now.
    return publishJobResult(await runPublish(spec.location, { ...request, segments: count }, { encoder }));
  } catch (error) {
    if (error instanceof WaitingChildrenError) {
      keep = true;
      throw error;
    }
    // A retry needs the flow's files (the join falls back to encoding what is missing here).
    keep ||= !(error instanceof FlowFailed) && !options.lastAttempt && !UNRECOVERABLE_CODES.has(toEncodeError(error).code);
    throw error;
  } finally {
    if (!keep) await deps.fs.removeDir(dir).catch(() => undefined);
  }
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
