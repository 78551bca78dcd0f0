import { mkdir, mkdtemp } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import {
  EncodeError,
  validateOutputs,
  formatChecksum,
  sequenceFramePath,
  throwIfCancelled,
  type EncodePlan,
  type EncodeProfile,
  type Encoder,
  type FileSystem,
  type HashAlgorithm,
  type Hasher,
  type Logger,
  type MediaProbe,
  type ProducedFile,
  type MediaSource,
  type PublishReviewRequest,
  type PublishReviewResult,
  type ReviewRegistry,
  type RunOptions,
  type StorageAccessor,
} from '@ftrack-encode/core';
import {
  JobSpec,
  type EncodeJobResult,
  type EncodeJobSpec,
  type JobResult,
  type JobSpecInput,
  type PublishJobResult,
  type PublishJobSpec,
  type StepJobResult,
  type StepJobSpec,
  type SourceRef,
  type StoredOutputRef,
} from './job-spec.js';

/** What a worker needs to run a job; the daemon (or `ftrack-encode run-job`) composes it. */
export interface FarmJobDeps {
  /** The encoder that does the work on this machine (NativeEncoder in the daemon). */
  encoder: Encoder;
  probe: MediaProbe;
  hasher: Hasher;
  fs: FileSystem;
  logger: Logger;
  /** Per-job scratch directories are made under it (component downloads, publish encodes). */
  scratchDir: string;
  threads?: number;
  /** Publish jobs naming a profile: the worker's catalog. */
  profile?: (name: string) => EncodeProfile;
  /**
   * Publish jobs: run the core PublishReview with its review media stored in `location`
   * (undefined = the worker's default). The daemon builds a fresh ftrack session per job.
   * `encoder` wraps this worker's encoder for the run (a publish flow's parent: segments from its children).
   */
  runPublish?: (
    location: string | undefined,
    request: PublishReviewRequest,
    options?: { encoder?: (local: Encoder) => Encoder },
  ) => Promise<PublishReviewResult>;
  /** Component sources: finds where a component is stored. */
  registry?: ReviewRegistry;
  /** Component sources: a reader for the named location, or undefined when this worker cannot read it. */
  storage?: (locationName: string) => StorageAccessor | undefined | Promise<StorageAccessor | undefined>;
}

export interface RunJobOptions extends RunOptions {
  /** Distinguishes concurrent attempts of the same job in staged file names. */
  attemptTag?: string;
  /** Send the progress still held back (a flow's parent, before its children report into its bar). */
  flushProgress?: () => Promise<void>;
}

/** Run one farm job to completion: the unit of work behind BullMQ workers and `run-job`. */
export async function runJobSpec(input: JobSpec | JobSpecInput, deps: FarmJobDeps, options: RunJobOptions = {}): Promise<JobResult> {
  const parsed = JobSpec.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new EncodeError('E_USAGE', `Invalid job spec: ${issues.join('; ')}`, { details: { issues } });
  }
  const spec = parsed.data;
  if (spec.kind === 'step') return runStepJob(spec, deps, options);
  return spec.kind === 'encode' ? runEncodeJob(spec, deps, options) : runPublishJob(spec, deps, options);
}

/** The audio pass or a join of a segmented encode, with this worker's encoder; the submitter validates the joined output. */
async function runStepJob(spec: StepJobSpec, deps: FarmJobDeps, options: RunJobOptions): Promise<StepJobResult> {
  const step = spec.step;
  if (!deps.encoder.runStep) throw new EncodeError('E_UNSUPPORTED', `The ${deps.encoder.id} encoder of this worker cannot run segment steps.`);
  await deps.fs.ensureWritableDir(step.plan.outputDir);
  await deps.encoder.runStep(step, { ...(options.signal ? { signal: options.signal } : {}) });
  return { kind: 'step', outputs: step.kind === 'audio' ? step.parts.map((p) => p.path) : [step.join.output.tempPath] };
}

function framePaths(source: MediaSource): string[] {
  if (source.kind === 'file') return [source.path];
  const frames: string[] = [];
  for (let f = source.first; f <= source.last; f++) if (!source.missing.includes(f)) frames.push(sequenceFramePath(source, f));
  return frames;
}

function algorithmOf(checksum: string): HashAlgorithm {
  const algorithm = checksum.split(':')[0];
  return algorithm === 'md5' || algorithm === 'sha1' ? algorithm : 'sha256';
}

/** Download a component from the first location this worker can read, into `dir`. */
export async function fetchComponent(ref: Extract<SourceRef, { kind: 'component' }>, dir: string, deps: FarmJobDeps, options: RunOptions): Promise<string> {
  if (!deps.registry || !deps.storage) {
    throw new EncodeError('E_SOURCE_NOT_ACCESSIBLE', `This worker cannot fetch ftrack component ${ref.componentId}: no ftrack connection is configured.`, {
      hint: 'Give the daemon FTRACK_SERVER, FTRACK_API_USER and FTRACK_API_KEY.',
    });
  }
  const component = await deps.registry.findSourceComponent({ componentId: ref.componentId });
  const candidates = component.locations.filter((l) => !ref.locationName || l.locationName === ref.locationName);
  for (const location of candidates) {
    const accessor = await deps.storage(location.locationName);
    if (!accessor) continue;
    const fileType = component.fileType.startsWith('.') ? component.fileType : `.${component.fileType}`;
    const target = join(dir, `${component.name.replace(/[^A-Za-z0-9_.-]/g, '_')}${fileType}`);
    options.onProgress?.({ stage: 'locate', message: `fetching component ${component.name} from ${location.locationName}` });
    await accessor.get(location.resourceIdentifier, target, {
      ...(options.signal ? { signal: options.signal } : {}),
      onProgress: (p) => options.onProgress?.({ ...p, stage: 'locate' }),
    });
    return target;
  }
  throw new EncodeError(
    'E_SOURCE_NOT_ACCESSIBLE',
    `Component ${ref.componentId} is in no location this worker can read (${component.locations.map((l) => l.locationName).join(', ') || 'none'}).`,
    {
      hint: 'Configure the location on the daemon, or upload the source to ftrack.server.',
      details: { componentId: ref.componentId },
    },
  );
}

async function makeScratch(deps: FarmJobDeps, prefix: string): Promise<string> {
  await mkdir(deps.scratchDir, { recursive: true });
  return mkdtemp(join(deps.scratchDir, `${prefix}-`));
}

/** Staged name beside the planned temp file: same directory (atomic rename), same extension. */
function stagedPath(tempPath: string, tag: string): string {
  const ext = extname(tempPath);
  return join(dirname(tempPath), `${basename(tempPath, ext)}.${tag}.stage${ext}`);
}

async function verifySource(frames: string[], expected: string, deps: FarmJobDeps, signal: AbortSignal): Promise<void> {
  const seen = formatChecksum(await deps.hasher.hashFiles(frames, algorithmOf(expected), { signal }));
  if (seen !== expected) {
    throw new EncodeError('E_CHECKSUM_MISMATCH', `The source on this worker does not match the submitted one (${seen} vs ${expected}).`, {
      hint: 'The file changed after submission, or this worker mounts different storage at that path.',
    });
  }
}

/**
 * Encode while checking the source is the submitted one. Both read the source (the second read
 * mostly from the page cache), so the check no longer delays every encode by a full read of the
 * source; a mismatch stops the encode and is the error reported, whatever the encode then said.
 * Returns once both are done: a stopped encode has removed its files.
 */
async function encodeWhileVerifying(plan: EncodePlan, frames: string[], expected: string, deps: FarmJobDeps, options: RunJobOptions): Promise<ProducedFile[]> {
  const stopEncode = new AbortController();
  const stopCheck = new AbortController();
  const linked = (own: AbortController) => (options.signal ? AbortSignal.any([options.signal, own.signal]) : own.signal);
  // Whichever fails first stops the other and is the error reported.
  let failedFirst: 'check' | 'encode' | undefined;
  const checked = verifySource(frames, expected, deps, linked(stopCheck)).catch((error: unknown) => {
    failedFirst ??= 'check';
    stopEncode.abort(error);
    throw error;
  });
  const encoded = deps.encoder.encode(plan, { ...options, signal: linked(stopEncode) }).catch((error: unknown) => {
    failedFirst ??= 'encode';
    stopCheck.abort(error);
    throw error;
  });
  const [encode, check] = await Promise.allSettled([encoded, checked]);
  throwIfCancelled(options.signal);
  if (check.status === 'rejected' && failedFirst === 'check') throw check.reason;
  if (encode.status === 'rejected') throw encode.reason;
  if (check.status === 'rejected') throw check.reason;
  return encode.value;
}

async function runEncodeJob(spec: EncodeJobSpec, deps: FarmJobDeps, options: RunJobOptions): Promise<EncodeJobResult> {
  const { signal } = options;
  const tag = (options.attemptTag ?? Math.random().toString(36).slice(2, 8)).replace(/[^A-Za-z0-9]/g, '');
  let scratch: string | undefined;
  let plan: EncodePlan = spec.plan;
  const staged = plan.outputs.map((o) => ({ ...o, tempPath: stagedPath(o.tempPath, tag) }));
  try {
    if (spec.source?.kind === 'component') {
      scratch = await makeScratch(deps, 'encode');
      plan = { ...plan, source: { kind: 'file', path: await fetchComponent(spec.source, scratch, deps, options) } };
    }
    const frames = framePaths(plan.source);
    if (!(await deps.fs.exists(frames[0] ?? ''))) {
      throw new EncodeError('E_SOURCE_NOT_ACCESSIBLE', `The source ${frames[0] ?? '(none)'} is not visible on this worker.`, {
        hint: 'The farm Encoder needs the source and the output directory on storage mounted at the same path on every worker.',
      });
    }
    await deps.fs.ensureWritableDir(plan.outputDir);
    const produced = await encodeWhileVerifying({ ...plan, outputs: staged }, frames, spec.sourceChecksum, deps, options);
    const capabilities = await deps.encoder.capabilities();
    // Core's one validation, the same a local encode gets.
    const validated = await validateOutputs(deps, staged, produced, { hashAlgorithm: 'sha256', ...options });
    const outputs: StoredOutputRef[] = validated.map((o) => ({ name: o.name, path: o.path, checksum: formatChecksum(o.checksum), size: o.size }));
    // Commit: staged -> the planned temp path, each an atomic rename on the same filesystem.
    for (const output of outputs) {
      const target = spec.plan.outputs.find((o) => o.name === output.name)!.tempPath;
      await deps.fs.rename(output.path, target);
      output.path = target;
    }
    return { kind: 'encode', outputs, encoderId: capabilities.id, encoderVersion: capabilities.version };
  } catch (error) {
    await Promise.all(staged.map((o) => deps.fs.remove(o.tempPath).catch(() => undefined)));
    if (signal?.aborted) await Promise.all(spec.plan.outputs.map((o) => deps.fs.remove(o.tempPath).catch(() => undefined)));
    throw error;
  } finally {
    if (scratch) await deps.fs.removeDir(scratch).catch(() => undefined);
  }
}

async function runPublishJob(spec: PublishJobSpec, deps: FarmJobDeps, options: RunJobOptions): Promise<PublishJobResult> {
  const runPublish = publishRunner(deps);
  const profile = jobProfile(spec, deps);
  const scratch = await makeScratch(deps, 'publish');
  try {
    const input = spec.source.kind === 'path' ? spec.source.input : await fetchComponent(spec.source, scratch, deps, options);
    // Outside BullMQ (run-job) a segmented publish runs its segments on this machine.
    return publishJobResult(await runPublish(spec.location, publishRequest(spec, profile, input, scratch, deps, options)));
  } finally {
    await deps.fs.removeDir(scratch).catch(() => undefined);
  }
}

/** The worker's publish, or why this worker cannot publish. */
export function publishRunner(deps: FarmJobDeps): NonNullable<FarmJobDeps['runPublish']> {
  if (!deps.runPublish) {
    throw new EncodeError('E_CONFIG_INVALID', 'This worker cannot run publish jobs: no ftrack connection is configured.', {
      hint: 'Give the daemon FTRACK_SERVER, FTRACK_API_USER and FTRACK_API_KEY.',
    });
  }
  return deps.runPublish;
}

/** A publish job's profile: the one it carries, or the named one from this worker's catalog. */
export function jobProfile(spec: PublishJobSpec, deps: FarmJobDeps): EncodeProfile {
  if (typeof spec.profile !== 'string') return spec.profile;
  if (!deps.profile) throw new EncodeError('E_PROFILE_INVALID', `This worker has no profile catalog to resolve "${spec.profile}".`);
  return deps.profile(spec.profile);
}

/** The core PublishReview request of a publish job whose source is at `input`, encoding under `scratch`. */
export function publishRequest(
  spec: PublishJobSpec,
  profile: EncodeProfile,
  input: string,
  scratch: string,
  deps: FarmJobDeps,
  options: RunOptions,
): PublishReviewRequest {
  const segments = spec.segments ?? profile.segments;
  return {
    input,
    versionId: spec.versionId,
    profile,
    scratchDir: scratch,
    ...(spec.gapPolicy ? { gapPolicy: spec.gapPolicy } : {}),
    ...(spec.hashAlgorithm ? { hashAlgorithm: spec.hashAlgorithm } : {}),
    ...(deps.threads !== undefined ? { threads: deps.threads } : {}),
    ...(segments !== undefined ? { segments } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
}

/** What a publish job hands back: references only. */
export function publishJobResult(result: PublishReviewResult): PublishJobResult {
  return {
    kind: 'publish',
    versionId: result.versionId,
    skipped: result.skipped,
    ...(result.reason ? { reason: result.reason } : {}),
    locationName: result.locationName,
    components: result.components,
    key: result.key,
  };
}
