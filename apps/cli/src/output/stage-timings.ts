import { readFileSync } from 'node:fs';
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

/**
 * One stage mark: `stage` began (or, for 'done', the command's work ended) `ms` after the process
 * started. `cpuMs` is the CPU time spent by then: `self` this process (user + system), `children`
 * the finished child processes (ffprobe, ffmpeg) where the OS tells it. On a shared machine CPU
 * time says what a stage costs when wall time is noisy.
 */
export function logStage(logger: Logger, stage: string): void {
  const usage = process.cpuUsage();
  const children = childrenCpuMs();
  logger.debug('stage', {
    stage,
    ms: Math.round(performance.now()),
    cpuMs: { self: Math.round((usage.user + usage.system) / 1000), ...(children === undefined ? {} : { children }) },
  });
}

/** User + system ms of the waited-for children, from /proc/self/stat (Linux; undefined elsewhere). */
function childrenCpuMs(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the command name (which may hold spaces): cutime and cstime are the 16th and 17th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[13]) + Number(fields[14]);
    return Number.isFinite(ticks) ? Math.round((ticks * 1000) / CLOCK_TICKS_PER_SECOND) : undefined;
  } catch {
    return undefined;
  }
}

/** USER_HZ: 100 on every Linux Node supports. */
const CLOCK_TICKS_PER_SECOND = 100;
