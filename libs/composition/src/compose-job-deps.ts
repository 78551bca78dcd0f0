import { mkdir } from 'node:fs/promises';
import { PublishReview, TOKENS, type Config, type Encoder, type Logger, type PublishLock } from '@ftrack-encode/core';
import { profileCatalog } from './profile-catalog.js';
import type { FarmJobDeps } from '@ftrack-encode/encoder-farm';
import { createScope } from './create-scope.js';
import type { FtrackEndpoint } from '@ftrack-encode/core';

export interface JobDepsOptions {
  logger: Logger;
  /** Per-job scratch directories are made under it. */
  scratchDir: string;
  threads: number;
  /** Hardware encoder of this worker's queue (h264_nvenc ...). */
  hardware?: string;
  /** ftrack for publish jobs and component sources; encode jobs only without it. */
  ftrack?: FtrackEndpoint;
  /** The farm-wide lock (Redis) in the daemon; a file lock for `run-job`. */
  lock?: PublishLock;
}

/**
 * What a farm job needs on this machine (daemon workers and `ftrack-encode run-job`): the
 * native encoder does the work; each publish job gets a scope of its own (its own ftrack
 * session, the job's storage location, the lock) so nothing leaks between jobs.
 */
export async function composeJobDeps(config: Config, options: JobDepsOptions): Promise<{ deps: FarmJobDeps; close(): Promise<void> }> {
  const { logger, ftrack } = options;
  await mkdir(options.scratchDir, { recursive: true });
  const worker = { logger, backend: 'native' as const, threads: options.threads, ...(options.hardware ? { hardware: options.hardware } : {}) };
  // A long-lived scope for the encoder and, with ftrack, look-ups (where is this component?).
  const base = await createScope(config, { ...worker, ...(ftrack ? { ftrack } : {}), ...(options.lock ? { lock: options.lock } : {}) });
  const catalog = profileCatalog(config);
  const deps: FarmJobDeps = {
    encoder: base.container.resolve(TOKENS.Encoder),
    probe: base.container.resolve(TOKENS.MediaProbe),
    hasher: base.container.resolve(TOKENS.Hasher),
    fs: base.container.resolve(TOKENS.FileSystem),
    logger,
    scratchDir: options.scratchDir,
    threads: options.threads,
    profile: (name) => catalog.get(name),
  };
  if (!ftrack) {
    logger.warn('no ftrack connection configured (FTRACK_SERVER, FTRACK_API_USER, FTRACK_API_KEY): only encode jobs can run');
    return { deps, close: () => base.close() };
  }
  if (base.ftrack) deps.registry = base.ftrack.registry;
  // A location this worker cannot read is "not here", so the next location is tried.
  deps.storage = (name) => base.location(name).catch(() => undefined);
  deps.runPublish = async (location, request, run = {}) => {
    const scope = await createScope(config, { ...worker, ftrack, ...(location ? { location } : {}), ...(options.lock ? { lock: options.lock } : {}) });
    try {
      if (run.encoder) scope.container.register(TOKENS.Encoder, { useValue: run.encoder(scope.container.resolve<Encoder>(TOKENS.Encoder)) });
      return await scope.container.resolve(PublishReview).run(request);
    } finally {
      await scope.close();
    }
  };
  return { deps, close: () => base.close() };
}
