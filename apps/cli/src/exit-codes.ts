import { ERROR_CODES } from '@ftrack-encode/core';

/** The table printed at the end of --help: scripts branch on these. */
export function exitCodeHelp(): string {
  const rows = Object.entries(ERROR_CODES)
    .sort(([, a], [, b]) => a - b)
    .map(([code, exit]) => `  ${String(exit).padStart(3)}  ${code}`);
  return ['', 'Exit codes:', '    0  success', '    1  unexpected error', ...rows].join('\n');
}
