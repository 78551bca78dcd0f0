import {
  EncodeError,
  IMAGE_CODECS,
  VIDEO_CODECS,
  formatChecksum,
  sequenceFramePath,
  throwIfCancelled,
  toEncodeError,
  type EncodePlan,
  type Encoder,
  type EncoderCapabilities,
  type Hasher,
  type MediaSource,
  type ProducedFile,
  type RunOptions,
  type SegmentStep,
} from '@ftrack-encode/core';
import { buildEncodeInvocation, buildStepInvocation } from '@ftrack-encode/ffmpeg';
import type { FarmClient } from './farm-client.js';
import { DEFAULT_QUEUE, encodeJobId, stepQueueFor } from './queue-options.js';

function framePaths(source: MediaSource): string[] {
  if (source.kind === 'file') return [source.path];
  const frames: string[] = [];
  for (let f = source.first; f <= source.last; f++) if (!source.missing.includes(f)) frames.push(sequenceFramePath(source, f));
  return frames;
}

/**
 * Encoder on a farm: each encode is a BullMQ job a daemon worker runs with its native
 * ffmpeg. The job carries the plan and the source checksum, never bytes.
 *
 * Shared-storage assumption: the Encoder port hands back files at each planned
 * `tempPath`, so the plan's source and output directory must be visible at the same
 * paths on the submitter and on every worker (NFS/SMB mount). The worker encodes under a
 * staged name and renames into `tempPath` once validated. Sites without shared storage
 * submit whole publish jobs instead (FarmClient + `kind: 'publish'`): the worker then
 * stores and registers the media itself and nothing comes back but references.
 */
export class FarmEncoder implements Encoder {
  readonly id = 'farm';

  constructor(
    private readonly client: FarmClient,
    private readonly hasher: Hasher,
    private readonly queue: string = DEFAULT_QUEUE,
  ) {}

  /** What the queue's workers advertised; a generic ffmpeg set while none is up (jobs wait for one). */
  async capabilities(): Promise<EncoderCapabilities> {
    const [advertised, workers] = await Promise.all([this.client.capabilities(this.queue), this.client.workers(this.queue)]);
    // Segments are plain encode jobs spread over the daemons (`auto`: one per daemon seen recently);
    // the audio pass and the joins are step jobs.
    const segments = { workers: Math.max(1, workers) };
    if (advertised) return { ...advertised, id: this.id, version: `${advertised.id} ${advertised.version}`, segments };
    return {
      id: this.id,
      version: 'unknown (no worker has reported yet)',
      codecs: [...VIDEO_CODECS, ...IMAGE_CODECS],
      unsupported: [],
      encoders: [],
      hardware: [],
      sequences: true,
      segments,
    };
  }

  async encode(plan: EncodePlan, options: RunOptions = {}): Promise<ProducedFile[]> {
    const { signal } = options;
    throwIfCancelled(signal);
    const sourceChecksum = await this.hasher
      .hashFiles(framePaths(plan.source), 'sha256', signal ? { signal } : {})
      .then(formatChecksum, (error: unknown) => Promise.reject(toEncodeError(error, 'E_SOURCE_UNREADABLE')));
    const result = await this.client.run(
      { kind: 'encode', plan, sourceChecksum },
      { queue: this.queue, jobId: encodeJobId(plan.id, sourceChecksum, plan.profileHash), ...options },
    );
    if (result.kind !== 'encode') throw new EncodeError('E_JOB_FAILED', `Farm job returned a ${result.kind} result for an encode.`);
    return result.outputs.map((o) => ({ name: o.name, path: o.path }));
  }

  /** A step of a segmented encode as its own job in the steps lane, on whichever daemon takes it (shared storage). */
  async runStep(step: SegmentStep, options: RunOptions = {}): Promise<void> {
    throwIfCancelled(options.signal);
    const result = await this.client.run({ kind: 'step', step }, { queue: stepQueueFor(this.queue), ...options });
    if (result.kind !== 'step') throw new EncodeError('E_JOB_FAILED', `Farm job returned a ${result.kind} result for a segment step.`);
  }

  /** The command a native worker runs for this plan. */
  async describe(plan: EncodePlan): Promise<string[][]> {
    return [['ffmpeg', ...buildEncodeInvocation(plan).args]];
  }

  async describeStep(step: SegmentStep): Promise<string[][]> {
    return [['ffmpeg', ...buildStepInvocation(step, step.plan.outputDir).args]];
  }
}
