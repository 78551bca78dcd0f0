import type { JobsOptions, WorkerOptions } from 'bullmq';
import { stableHash } from '@ftrack-encode/core';

/** One queue per capability: a CPU worker never takes an NVENC job it cannot run. */
export const DEFAULT_QUEUE = 'encode-cpu';
export const DEFAULT_PREFIX = 'ftrack-encode';

export function queueForHardware(hardware: string): string {
  return `encode-${hardware.replace(/^h264_|^hevc_/, '')}`;
}

/**
 * The lane of a queue's segment steps (the audio pass, the joins): every daemon works it beside its
 * encode slots, so a step never waits behind a segment encode (nor holds a slot a segment needs). A
 * step decodes and encodes no picture: an AAC pass costs a few percent of a video encode, a join
 * only copies packets.
 */
export function stepQueueFor(queue: string): string {
  return `${queue}-steps`;
}

/**
 * Job options, chosen deliberately:
 * - attempts 3, exponential backoff from 5 s: transient failures (a worker lost its
 *   storage mount, ftrack answered 502) get two more tries on possibly another worker;
 *   bad input fails at once through UnrecoverableError (see wire-errors.ts).
 * - removeOnComplete/removeOnFail bounded by age and count: Redis memory stays flat
 *   (noeviction means a full Redis refuses writes), yet a finished job stays long enough
 *   for its id to dedupe a re-submit and for an operator to read why it failed.
 */
export const JOB_OPTIONS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 5000 },
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
};

export interface WorkerTimings {
  /** How long a job's lock lives without renewal; renewed every lockDuration/2 while encoding. */
  lockDurationMs?: number;
  /** How often workers look for jobs whose lock expired (their worker died). */
  stalledIntervalMs?: number;
  /** Stalls before a job fails instead of running again (a job that kills its worker). */
  maxStalledCount?: number;
}

/**
 * Worker options: lockDuration 30 s with renewal every 15 s survives event-loop stalls of
 * a busy host; stalledInterval 30 s means a killed daemon's job runs again within about
 * a minute; maxStalledCount 2 lets a job survive two dead workers but not loop forever on
 * a source that crashes every worker (OOM). Tests shorten the timings.
 */
export function workerOptions(timings: WorkerTimings = {}): Pick<WorkerOptions, 'lockDuration' | 'stalledInterval' | 'maxStalledCount'> {
  return {
    lockDuration: timings.lockDurationMs ?? 30_000,
    stalledInterval: timings.stalledIntervalMs ?? 30_000,
    maxStalledCount: timings.maxStalledCount ?? 2,
  };
}

/** BullMQ custom ids must not contain ':'; checksums look like `sha256:ab12...`. */
function idPart(value: string): string {
  return value.replace(/[^A-Za-z0-9_.-]/g, '_');
}

/**
 * Dedup key of a publish: the same source bytes through the same profile into the same
 * version is one job, however often it is submitted (at-least-once delivery upstream).
 * Component sources use the component id: ftrack components are immutable once stored.
 */
export function publishJobId(versionId: string, sourceKey: string, profileHash: string): string {
  return `publish-${idPart(versionId)}-${stableHash(sourceKey)}-${idPart(profileHash)}`;
}

/** An Encoder-port job is identified by its plan (outputs at plan-unique temp paths) and source bytes. */
export function encodeJobId(planId: string, sourceChecksum: string, profileHash: string): string {
  return `encode-${idPart(planId)}-${stableHash(sourceChecksum)}-${idPart(profileHash)}`;
}

/** A segment step (the audio pass, one join) of a segmented encode: one per plan and step. */
export function stepJobId(planId: string, step: string): string {
  return `step-${idPart(planId)}-${idPart(step)}`;
}

/** Cancel requests: a key (seen by a worker that picks the job up later) and a channel (running jobs). */
export function cancelKey(prefix: string, jobId: string): string {
  return `${prefix}:cancel:${jobId}`;
}
export function cancelChannel(prefix: string): string {
  return `${prefix}:cancel`;
}
export function capabilitiesKey(prefix: string, queue: string): string {
  return `${prefix}:capabilities:${queue}`;
}
