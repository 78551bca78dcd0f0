import { instanceCachingFactory, type DependencyContainer } from 'tsyringe';
import type { JobsOptions } from 'bullmq';
import { TOKENS, type Logger } from '@ftrack-encode/core';
import { FarmClient } from './farm-client.js';
import { FarmEncoder } from './farm-encoder.js';
import { DEFAULT_QUEUE } from './queue-options.js';

export interface FarmEncoderOptions {
  redisUrl: string;
  /** Capability queue: encode-cpu (default), encode-nvenc, ... */
  queue?: string;
  /** Redis key prefix of the farm (default ftrack-encode). */
  prefix?: string;
  logger?: Logger;
  /** Override job options (attempts, backoff). */
  jobOptions?: JobsOptions;
}

/** Token for the submitter connection, so apps can close it (and reuse it for publish jobs). */
export const FARM_CLIENT = Symbol('FarmClient');

/**
 * Encoder = FarmEncoder. Needs a Hasher registered (node-platform). Connects lazily on the
 * first encode and fails fast (E_QUEUE_UNAVAILABLE) when Redis is unreachable.
 */
export function registerFarmEncoder(container: DependencyContainer, options: FarmEncoderOptions): void {
  container.register<FarmClient>(FARM_CLIENT, {
    useFactory: instanceCachingFactory(
      () =>
        new FarmClient({
          redisUrl: options.redisUrl,
          ...(options.prefix ? { prefix: options.prefix } : {}),
          ...(options.logger ? { logger: options.logger } : {}),
          ...(options.jobOptions ? { jobOptions: options.jobOptions } : {}),
        }),
    ),
  });
  container.register(TOKENS.Encoder, {
    useFactory: instanceCachingFactory((c) => new FarmEncoder(c.resolve<FarmClient>(FARM_CLIENT), c.resolve(TOKENS.Hasher), options.queue ?? DEFAULT_QUEUE)),
  });
}
