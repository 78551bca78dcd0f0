// Row builders for the common shape: one CLI run that must fail with a code and leave nothing behind.
import type { CliResult } from '../../support/cli.js';
import type { Harness, RowContext } from '../harness.js';
import type { ExpectedCode, ReliabilityCase } from '../table.js';

export interface FailingRun {
  /** The command line (with --json unless `json: false`). */
  args: string[];
  /** The version the run targets: must end with only `before` on it. */
  versionId?: string;
  /** Component ids on the version before the run. */
  before?: string[];
  env?: Record<string, string | undefined>;
}

export interface FailingRowSpec {
  name: string;
  fault: string;
  code: ExpectedCode;
  /** Exit code when it is not the code's own (SIGTERM → 143). */
  exit?: number;
  state?: string;
  /** Prepare the run (files, config, version) in the row's context. */
  setup(h: Harness, ctx: RowContext): Promise<FailingRun>;
  /** Row-specific checks after the standard ones. */
  check?(h: Harness, ctx: RowContext, result: CliResult, run: FailingRun): Promise<void> | void;
  timeoutMs?: number;
}

const DEFAULT_STATE = 'nothing registered, no stored file orphaned, nothing in --out, no scratch dir';

/** Run once; exact code; nothing registered, nothing orphaned, no partial file, no scratch directory. */
export function failingRow(spec: FailingRowSpec): ReliabilityCase {
  return {
    name: spec.name,
    fault: spec.fault,
    expected: spec.code,
    state: spec.state ?? DEFAULT_STATE,
    ...(spec.timeoutMs ? { timeoutMs: spec.timeoutMs } : {}),
    run: async (h) => {
      const ctx = await h.context(spec.name);
      const run = await spec.setup(h, ctx);
      const result = await h.cli(run.args, ctx, run.env ?? {});
      h.expectError(result, spec.code, { ...(spec.exit !== undefined ? { exit: spec.exit } : {}), json: run.args.includes('--json') });
      await h.expectNoTrace(ctx, run.versionId, run.before ?? []);
      await spec.check?.(h, ctx, result, run);
    },
  };
}
