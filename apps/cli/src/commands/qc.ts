import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { EncodeError } from '@ftrack-encode/core';
import { backendChoices } from '@ftrack-encode/composition';
import { processSignals } from '../process-signals.js';
import { requireQcRenderer, writeQcReport } from '../qc/write-report.js';
import { runEncode, type EncodeFlags, type EncodeHooks } from './encode.js';
import { addOutputOptions, addSourceOptions, cancelOnSignals, parseIntOption, type CommonFlags } from './shared-options.js';

interface QcFlags extends EncodeFlags {
  report: string;
  frames?: number;
}

// One paragraph: commander wraps it to the terminal.
export const REPORT_HELP =
  'The report (DIR/index.html, PNGs beside it; no network, no scripts): a contact sheet (one frame per ' +
  "second, or --frames N), every frame's SSIM of each video output against the source as it should look " +
  '(SVG plot), the middle frame source vs review with waveform and vectorscope, the colour pipeline, ' +
  'the exact ffmpeg command lines and the metadata the publish registers.';

/** --frames: a positive count. */
export function parseFrames(value: string): number {
  const n = parseIntOption('--frames')(value);
  if (n < 1) throw new EncodeError('E_USAGE', `--frames must be at least 1, got "${value}".`);
  return n;
}

/** The report around `qc`'s encode: refused before encoding when this machine cannot make it. */
function reportHooks(report: string, frames: number | undefined): EncodeHooks {
  return {
    ready: (scope) => requireQcRenderer(scope.container, scope.backend),
    after: async (result, scope) => ({
      report: await writeQcReport(
        scope.container,
        result,
        { dir: report, backend: scope.backend, ...(frames !== undefined ? { frames } : {}) },
        { signal: cancelOnSignals() },
      ),
    }),
  };
}

async function runQc(input: string, flags: QcFlags): Promise<void> {
  const scratch = flags.out ? undefined : await mkdtemp(join(tmpdir(), 'ftrack-encode-qc-out-'));
  // A second Ctrl-C exits at once: the outputs nobody asked to keep still go.
  const forget = scratch ? processSignals.onForcedExit(() => rmSync(scratch, { recursive: true, force: true })) : () => undefined;
  try {
    await runEncode(input, { ...flags, out: flags.out ?? scratch }, reportHooks(flags.report, flags.frames));
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
    forget();
  }
}

export function registerQcCommand(program: Command, run: (action: () => Promise<unknown>, flags: CommonFlags) => Promise<void>): void {
  addOutputOptions(
    addSourceOptions(
      program
        .command('qc')
        .summary('encode like `encode`, then write a visual QC report (HTML) of the review media')
        .description(`Encode <input> with a profile (into a temporary directory unless --out), then write the report.\n\n${REPORT_HELP}`)
        .argument('<input>', 'movie file or image sequence pattern')
        .requiredOption('--report <dir>', 'directory for index.html and its images (created)')
        .option('--frames <n>', 'contact sheet frames, spread over the output (default: one per second)', parseFrames)
        .option('-p, --profile <name>', 'encode profile (see `profiles list`)')
        .option('-o, --out <dir>', 'keep the encoded outputs here (default: a temporary directory, removed)')
        .option('-b, --backend <backend>', backendChoices('encode'))
        .option('--gaps <policy>', 'missing frames in a sequence: error | hold | black')
        .option('--threads <n>', 'threads per encode (0 = ffmpeg decides)', parseIntOption('--threads'))
        .option('--no-quality-gate', "do not fail on the quality gate (the report still shows every frame's SSIM)"),
    ),
  ).action(async (input: string, flags: QcFlags) => run(() => runQc(input, flags), flags));
}
