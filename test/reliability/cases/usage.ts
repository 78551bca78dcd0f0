// `--json` means JSON for every outcome: usage errors print {"error":{"code":"E_USAGE",…}} on stdout
// (one document, nothing else) and exit 2.
import { expect } from 'vitest';
import { failingRow } from './builders.js';
import type { ReliabilityCase } from '../table.js';

function usage(name: string, args: (clip: string) => string[], mentions?: string): ReliabilityCase {
  return failingRow({
    name,
    fault: `ftrack-encode ${args('<clip>').join(' ')}`,
    code: 'E_USAGE',
    state: 'one JSON error document on stdout, exit 2, nothing written',
    setup: async (h) => ({ args: args(h.clips.small) }),
    check: (_h, _ctx, result) => {
      expect(result.stdout.trim().split('\n'), 'exactly one line on stdout').toHaveLength(1);
      if (mentions) expect(result.stdout).toContain(mentions);
    },
  });
}

export const usageCases: ReliabilityCase[] = [
  usage('--json usage: encode with no input', () => ['encode', '--json'], 'input'),
  usage('--json usage: --threads abc', (clip) => ['encode', clip, '--threads', 'abc', '--json'], '--threads'),
  usage('--json usage: unknown option', (clip) => ['encode', clip, '--bogus-option', '--json'], '--bogus-option'),
  usage('--json usage: publish --threads -1', (clip) => ['publish', clip, '--threads', '-1', '--json']),
  usage('--json usage: publish with neither input nor version', () => ['publish', '--json']),
  usage('--json usage: unknown command', () => ['frobnicate', '--json'], 'frobnicate'),
];
