// The corpus as a table: one row per fault or bad-input case, and the report printed after the run.
import type { ErrorCode } from '@ftrack-encode/core';
import type { Harness } from './harness.js';

/** Codes the corpus expects that core may not define yet (issue 9 adds them). */
export type PendingCode = 'E_STORAGE_CONFLICT';
export type ExpectedCode = ErrorCode | PendingCode;

export interface ReliabilityCase {
  /** Unique, short: the row's name in the printed table. */
  name: string;
  /** What goes wrong (the fault injected or the bad input given). */
  fault: string;
  /** The error code the CLI must report, or success. */
  expected: ExpectedCode | 'success';
  /** The state the server and the disk must be left in, in words; `run` asserts it. */
  state: string;
  /** Runs the scenario and asserts the outcome; throws (an assertion error) when the row fails. */
  run(h: Harness): Promise<void>;
  /** Per-row test timeout (default: the suite's). */
  timeoutMs?: number;
}

export interface RowOutcome {
  area: string;
  row: ReliabilityCase;
  passed: boolean;
  /** First line of the failure. */
  reason?: string;
}

const outcomes: RowOutcome[] = [];

/** Note a row's outcome; a row recorded again (started, then finished) keeps the last one. */
export function record(outcome: RowOutcome): void {
  const index = outcomes.findIndex((o) => o.row === outcome.row);
  if (index >= 0) outcomes[index] = outcome;
  else outcomes.push(outcome);
}

function clip(text: string, width: number): string {
  return text.length <= width ? text.padEnd(width) : `${text.slice(0, width - 1)}…`;
}

/** case → expected → pass/FAIL, grouped by area, with a count; failures carry their first line. */
export function formatTable(rows: readonly RowOutcome[] = outcomes): string {
  const lines = ['', `Reliability corpus: ${rows.filter((r) => r.passed).length}/${rows.length} rows pass`, ''];
  lines.push(`${'area'.padEnd(12)} ${'case'.padEnd(54)} ${'expected'.padEnd(24)} result`);
  lines.push('-'.repeat(100));
  for (const r of rows) {
    lines.push(`${clip(r.area, 12)} ${clip(r.row.name, 54)} ${clip(r.row.expected, 24)} ${r.passed ? 'pass' : 'FAIL'}`);
    if (!r.passed && r.reason) lines.push(`${' '.repeat(13)}↳ ${clip(r.reason.replace(/\s+/g, ' '), 86)}`);
  }
  const failed = rows.filter((r) => !r.passed && r.reason !== 'not run');
  if (failed.length > 0) {
    lines.push('', 'Failed rows in full:');
    for (const r of failed) {
      lines.push(
        `- ${r.area} / ${r.row.name}`,
        `    fault:    ${r.row.fault}`,
        `    expected: ${r.row.expected}; ${r.row.state}`,
        `    got:      ${(r.reason ?? '').replace(/\s+/g, ' ')}`,
      );
    }
  }
  return lines.join('\n');
}

/** Print the table; rows of `areas` that never started (filtered out with -t) are listed as not run. */
export function printTable(areas: Record<string, readonly ReliabilityCase[]>): void {
  const rows = Object.entries(areas).flatMap(([area, cases]) =>
    cases.map((row) => outcomes.find((o) => o.row === row) ?? { area, row, passed: false, reason: 'not run' }),
  );
  console.log(formatTable(rows));
}
