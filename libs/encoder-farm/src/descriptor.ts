// The farm as a plug-in: `--backend farm` and the `farm` block of the configuration.
import { z } from 'zod';
import type { Config, EncoderDescriptor } from '@ftrack-encode/core';

export const AutoEncodeRule = z.object({
  /** Asset type short names (e.g. "upload", "img"); empty = any. */
  assetTypes: z.array(z.string()).default([]),
  /** Component names to encode; empty = any that is not review media. */
  componentNames: z.array(z.string()).default([]),
  profile: z.string().default('ftrack-review'),
  location: z.string().default('ftrack.server'),
});

/** The `farm` block: where the queue is, and how a daemon works it. */
export const FarmSettings = z.object({
  redisUrl: z.string().default('redis://127.0.0.1:6379'),
  queuePrefix: z.string().default('ftrack-encode'),
  concurrency: z.number().int().positive().optional(),
  /** Segment steps (audio passes, joins) a daemon runs at once beside its encode slots. */
  stepConcurrency: z.number().int().positive().default(1),
  threadsPerEncode: z.number().int().min(1).default(2),
  scratchDir: z.string().optional(),
  autoEncode: z.array(AutoEncodeRule).default([]),
  healthPort: z.number().int().min(0).default(9464),
  stopDeadlineSeconds: z.number().positive().default(30),
});
export type FarmSettings = z.infer<typeof FarmSettings>;
export type AutoEncodeRuleConfig = z.infer<typeof AutoEncodeRule>;

/** The farm block of a configuration validated by the composition (defaults when absent). */
export function farmSettings(config: Config): FarmSettings {
  return FarmSettings.parse(config['farm'] ?? {});
}

export const farmEncoder: EncoderDescriptor<FarmSettings> = {
  kind: 'encoder',
  id: 'farm',
  summary: 'BullMQ workers on Redis (farm.redisUrl / REDIS_URL); encode needs shared storage, publish does not (with --segments: a shared farm.scratchDir)',
  config: { key: 'farm', schema: FarmSettings, env: { REDIS_URL: 'redisUrl' } },
  capabilities: { local: false, needsFtrack: false },
  async diagnose({ settings, inUse }) {
    const { diagnoseFarm } = await import('./diagnose.js');
    return diagnoseFarm(settings, inUse);
  },
  async register({ container, settings, logger }) {
    const { registerFarmEncoder, FARM_CLIENT } = await import('./register-farm-encoder.js');
    registerFarmEncoder(container, { redisUrl: settings.redisUrl, prefix: settings.queuePrefix, logger });
    return async () => {
      if (container.isRegistered(FARM_CLIENT)) await container.resolve<{ close(): Promise<void> }>(FARM_CLIENT).close();
    };
  },
};
