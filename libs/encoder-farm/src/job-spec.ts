import { z } from 'zod';
import {
  EncodeProfile,
  SegmentsSetting,
  type EncodePlan,
  type EncodeProfileInput,
  type RegisteredComponent,
  type RegistrationKey,
  type SegmentStep,
} from '@ftrack-encode/core';

/**
 * What a farm job carries: REFERENCES only. Never media bytes (sources live on shared
 * storage or in an ftrack location) and never credentials (each worker has its own).
 * The same JSON is a BullMQ job's data and the file `ftrack-encode run-job --spec` reads,
 * so other farm managers (Deadline, OpenCue) can run the identical unit of work.
 */
export const SourceRef = z.discriminatedUnion('kind', [
  /** A movie path or sequence pattern every worker sees at the same path (shared storage). */
  z.object({ kind: z.literal('path'), input: z.string().min(1) }),
  /** An ftrack component; the worker downloads it from `locationName` (or the first location it can read). */
  z.object({ kind: z.literal('component'), componentId: z.string().min(1), locationName: z.string().min(1).optional() }),
]);
export type SourceRef = z.infer<typeof SourceRef>;

const MediaSourceShape = z.union([
  z.object({ kind: z.literal('file'), path: z.string().min(1) }).loose(),
  z.object({ kind: z.literal('sequence'), pattern: z.string().min(1), first: z.number().int(), last: z.number().int() }).loose(),
]);

/** The structural minimum a worker relies on; the rest of the plan travels untouched. */
const PlanShape = z
  .object({
    id: z.string().min(1),
    profileName: z.string(),
    profileHash: z.string(),
    source: MediaSourceShape,
    outputs: z.array(z.object({ name: z.string().min(1), path: z.string().min(1), tempPath: z.string().min(1) }).loose()).min(1),
  })
  .loose()
  .transform((plan) => plan as unknown as EncodePlan);

/** Encoder-port job: run a ready plan, leave the files at each planned tempPath (shared storage). */
export const EncodeJobSpec = z.object({
  specVersion: z.literal(1).default(1),
  kind: z.literal('encode'),
  plan: PlanShape,
  /** `algorithm:hex` of the source the submitter planned from; the worker checks it sees the same bytes. */
  sourceChecksum: z.string().min(1),
  /** Where to fetch the source when the plan's path is not visible on the worker. */
  source: SourceRef.optional(),
});
export type EncodeJobSpec = z.infer<typeof EncodeJobSpec>;

/**
 * A step of a segment-parallel encode (docs/segments.md) the worker runs with its encoder's
 * `runStep`: the audio pass over the whole source, or the stream-copy join of one output's
 * segments (themselves plain encode jobs). Files at the paths the step names (shared storage).
 */
export const StepJobSpec = z.object({
  specVersion: z.literal(1).default(1),
  kind: z.literal('step'),
  step: z
    .object({ kind: z.enum(['audio', 'join']), plan: PlanShape })
    .loose()
    .transform((step) => step as unknown as SegmentStep),
});
export type StepJobSpec = z.infer<typeof StepJobSpec>;

/** The whole publish (core PublishReview) on the worker: encode, store, register, announce. */
export const PublishJobSpec = z.object({
  specVersion: z.literal(1).default(1),
  kind: z.literal('publish'),
  source: SourceRef,
  versionId: z.string().min(1),
  /** A profile name from the worker's catalog, or the profile itself (what the submitter resolved). */
  profile: z.union([z.string().min(1), EncodeProfile]),
  /** Storage location for the review media; the worker's default when absent. */
  location: z.string().min(1).optional(),
  /** `algorithm:hex` when the submitter knows it (path sources); part of the dedup key. */
  sourceChecksum: z.string().min(1).optional(),
  gapPolicy: z.enum(['error', 'hold', 'black']).optional(),
  hashAlgorithm: z.enum(['sha256', 'md5', 'sha1']).optional(),
  /**
   * Segment-parallel encode (docs/segments.md); default the profile's. On BullMQ workers the publish
   * becomes a flow: one child job per segment (and the audio), the join and registration in this job.
   * Not part of the dedup key, like threads.
   */
  segments: SegmentsSetting.optional(),
});
export type PublishJobSpec = z.infer<typeof PublishJobSpec>;

export const JobSpec = z.discriminatedUnion('kind', [EncodeJobSpec, StepJobSpec, PublishJobSpec]);
export type JobSpec = z.infer<typeof JobSpec>;
/** What callers write: specVersion optional, a publish profile may be partial input. */
export type JobSpecInput =
  (Omit<EncodeJobSpec, 'specVersion'> & { specVersion?: 1 }) | (Omit<StepJobSpec, 'specVersion'> & { specVersion?: 1 }) | z.input<typeof PublishJobSpec>;
export type { EncodeProfileInput };

/** A stored output handed back by reference: where it is and what it must hash to. */
export interface StoredOutputRef {
  name: string;
  path: string;
  checksum: string;
  size: number;
}

export interface EncodeJobResult {
  kind: 'encode';
  outputs: StoredOutputRef[];
  encoderId: string;
  encoderVersion: string;
}

export interface StepJobResult {
  kind: 'step';
  /** The files the step wrote. */
  outputs: string[];
}

export interface PublishJobResult {
  kind: 'publish';
  versionId: string;
  skipped: boolean;
  reason?: string;
  locationName: string;
  components: RegisteredComponent[];
  key: RegistrationKey;
}

export type JobResult = EncodeJobResult | StepJobResult | PublishJobResult;
