import type { Progress, ProgressListener, Stage } from '@ftrack-encode/core';

// A flow's one bar (the parent job's progress), over its runs on several daemons: the planning run up
// to FLOW_PLANNED, the segment children (their frames added up) up to FLOW_SEGMENTS_DONE, the join
// run (join, validate, store, register) the rest. `percent` is the flow's, whatever the stage says.
export const FLOW_PLANNED = 2;
export const FLOW_SEGMENTS_DONE = 90;

/** The stages of a publish run, in order: where a run is, whichever it reports. */
const RUN_STAGES: readonly Stage[] = ['locate', 'check', 'probe', 'plan', 'encode', 'validate', 'store', 'register', 'announce'];

/** How far through a publish run a progress report is, 0..1: its stage's place, plus the stage's own percent within it. */
export function runFraction(progress: Progress): number {
  const index = Math.max(0, RUN_STAGES.indexOf(progress.stage));
  const within = Math.min(100, Math.max(0, progress.percent ?? 0)) / 100;
  return (index + within) / RUN_STAGES.length;
}

/**
 * A run of a flow's parent reporting into its share of the flow's bar, [from, to]: never below what
 * the bar already shows (`shown`: the parent's progress when the run started, e.g. the children's
 * sum), never back (a stage restarting at 0, a second checksum pass).
 */
export function flowRunProgress(listener: ProgressListener | undefined, share: { from: number; to: number }, shown = 0): ProgressListener {
  let bar = Math.max(shown, share.from);
  return (progress) => {
    bar = Math.max(bar, share.from + (share.to - share.from) * runFraction(progress));
    listener?.({ ...progress, percent: Math.round(bar * 100) / 100 });
  };
}

/** The percent a job's stored progress shows (0 when it has none). */
export function shownPercent(progress: unknown): number {
  const percent = (progress as Partial<Progress> | null | undefined)?.percent;
  return typeof percent === 'number' && Number.isFinite(percent) ? percent : 0;
}
