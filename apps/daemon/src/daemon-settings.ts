import { availableParallelism, hostname, tmpdir } from 'node:os';
import { farmSettings } from '@ftrack-encode/encoder-farm/descriptor';
import { join } from 'node:path';
import { EncodeError, type Config, type ConfigInput } from '@ftrack-encode/core';
import type { WorkerTimings } from '@ftrack-encode/encoder-farm';

export interface DaemonFlags {
  config?: string;
  healthPort?: number;
  concurrency?: number;
  json?: boolean;
  name?: string;
  verbose?: boolean;
}

export interface DaemonSettings {
  config: Config;
  json: boolean;
  verbose: boolean;
  name: string;
  redisUrl: string;
  prefix: string;
  healthPort: number;
  concurrency: number;
  /** Segment steps at once, beside the encode slots (their own lane). */
  stepConcurrency: number;
  threadsPerEncode: number;
  scratchDir: string;
  stopDeadlineMs: number;
  timings: WorkerTimings;
  /** Retry backoff of auto-encode publish jobs (ms). */
  retryDelayMs: number | undefined;
}

/** A timing knob (milliseconds, above 0) or a count (a whole number, 0 or more) from the environment. */
function envNumber(env: NodeJS.ProcessEnv, name: string, unit: 'ms' | 'count' = 'ms'): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  const valid = unit === 'ms' ? Number.isFinite(n) && n > 0 : Number.isInteger(n) && n >= 0;
  if (!valid) {
    throw new EncodeError(
      'E_CONFIG_INVALID',
      `${name} must be ${unit === 'ms' ? 'a positive number of milliseconds' : 'a whole number, 0 or more'}, got "${raw}".`,
    );
  }
  return n;
}

/** Flags a config layer understands (flags win over env and file). */
export function configFlags(flags: DaemonFlags): ConfigInput {
  const farm: Record<string, unknown> = {};
  if (flags.healthPort !== undefined) farm['healthPort'] = flags.healthPort;
  if (flags.concurrency !== undefined) farm['concurrency'] = flags.concurrency;
  return Object.keys(farm).length > 0 ? ({ farm } as ConfigInput) : {};
}

/**
 * Concurrency defaults to cores / threadsPerEncode: each job is one ffmpeg process using
 * threadsPerEncode threads, so the machine is busy without oversubscription.
 * Lock/stall timings are operator knobs in the environment (FTRACK_ENCODE_LOCK_DURATION_MS,
 * FTRACK_ENCODE_STALLED_INTERVAL_MS, FTRACK_ENCODE_MAX_STALLED_COUNT); tests shorten them.
 */
export function daemonSettings(config: Config, flags: DaemonFlags, env: NodeJS.ProcessEnv = process.env): DaemonSettings {
  const farm = farmSettings(config);
  const threadsPerEncode = farm.threadsPerEncode;
  const lockDurationMs = envNumber(env, 'FTRACK_ENCODE_LOCK_DURATION_MS');
  const stalledIntervalMs = envNumber(env, 'FTRACK_ENCODE_STALLED_INTERVAL_MS');
  // 0: a job whose worker stalls once fails instead of running again.
  const maxStalledCount = envNumber(env, 'FTRACK_ENCODE_MAX_STALLED_COUNT', 'count');
  return {
    config,
    json: Boolean(flags.json),
    verbose: Boolean(flags.verbose),
    name: flags.name ?? `${hostname()}-${process.pid}`,
    redisUrl: farm.redisUrl,
    prefix: farm.queuePrefix,
    healthPort: farm.healthPort,
    concurrency: farm.concurrency ?? Math.max(1, Math.floor(availableParallelism() / threadsPerEncode)),
    stepConcurrency: farm.stepConcurrency,
    threadsPerEncode,
    scratchDir: farm.scratchDir ?? join(tmpdir(), 'ftrack-encode-daemon'),
    stopDeadlineMs: farm.stopDeadlineSeconds * 1000,
    timings: {
      ...(lockDurationMs ? { lockDurationMs } : {}),
      ...(stalledIntervalMs ? { stalledIntervalMs } : {}),
      ...(maxStalledCount !== undefined ? { maxStalledCount } : {}),
    },
    retryDelayMs: envNumber(env, 'FTRACK_ENCODE_RETRY_DELAY_MS'),
  };
}
