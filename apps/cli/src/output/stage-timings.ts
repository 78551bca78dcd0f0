import { performance } from 'node:perf_hooks';
import type { Logger, Progress, ProgressListener } from '@ftrack-encode/core';

/**
 * Passes progress on, and logs (debug, so `--verbose`) each new stage with the milliseconds since
 * the process started: where a run's wall time goes (Node start, probe, encode, validate, …).
 */
export function withStageTimings(listener: ProgressListener, logger: Logger): ProgressListener {
  let last = '';
  return (p: Progress) => {
    if (p.stage !== last) logStage(logger, (last = p.stage));
    listener(p);
  };
}

/** One stage mark: `stage` began (or, for 'done', the command's work ended) `ms` after the process started. */
export function logStage(logger: Logger, stage: string): void {
  logger.debug('stage', { stage, ms: Math.round(performance.now()) });
}
