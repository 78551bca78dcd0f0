import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { EncodeError, isEncodeError, toEncodeError } from '@ftrack-encode/core';
import { processSignals } from './process-signals.js';
import { Terminal } from './output/terminal.js';
import { exitCodeHelp } from './exit-codes.js';
import type { CommonFlags } from './commands/shared-options.js';
import { registerEncodeCommand } from './commands/encode.js';
import { registerProbeCommand } from './commands/probe.js';
import { registerProfilesCommand } from './commands/profiles.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerServerCommand } from './commands/server.js';
import { registerPublishCommand } from './commands/publish.js';
import { registerRunJobCommand } from './commands/run-job.js';
import { registerJobsCommand } from './commands/jobs.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerQcCommand } from './commands/qc.js';

processSignals.install();

/** `--json` anywhere on the command line: every outcome, usage errors included, is JSON on stdout. */
const jsonRequested = process.argv.slice(2).includes('--json');

/** Report a failure and set the exit code (128 + N when a signal cancelled the command). */
function fail(error: unknown, json: boolean, quiet = false): void {
  // A command that already printed its --json result (doctor) reports failure by exit code only.
  const reported = json && (error as { reported?: boolean }).reported === true;
  const code = reported ? toEncodeError(error).exitCode : new Terminal({ json, quiet }).fail(error);
  process.exitCode = processSignals.exitCodeFor(code, isEncodeError(error, 'E_CANCELLED'));
}

/** Run one command's action: map any failure to its stable exit code. */
async function run(action: () => Promise<unknown>, flags: CommonFlags): Promise<void> {
  try {
    await action();
    process.exitCode = 0;
  } catch (error) {
    fail(error, Boolean(flags.json), Boolean(flags.quiet));
  }
}

const program = new Command('ftrack-encode')
  .description(
    'Encode production media (movies, EXR/DPX/PNG sequences) into review media and register it with ftrack. ' +
      'Backends: native ffmpeg, ffmpeg.wasm, or a BullMQ farm. With no FTRACK_SERVER set, publish and demo ' +
      'use an embedded local ftrack server (ftrack-local).',
  )
  .version('0.1.0')
  // Root options only before the command: `publish --version ID` is the AssetVersion, not ours.
  .enablePositionalOptions()
  .showHelpAfterError(!jsonRequested)
  .addHelpText('after', exitCodeHelp())
  // With --json the usage error is reported once, as JSON on stdout, not as commander's text.
  .configureOutput(jsonRequested ? { writeErr: () => undefined } : {})
  .exitOverride();

registerEncodeCommand(program, run);
registerQcCommand(program, run);
registerProbeCommand(program, run);
registerProfilesCommand(program, run);
registerPublishCommand(program, run);
registerServerCommand(program, run);
registerJobsCommand(program, run);
registerRunJobCommand(program, run);
registerDemoCommand(program, run);
registerDoctorCommand(program, run);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError && error.exitCode === 0) {
    process.exitCode = 0; // --help, --version
  } else if (error instanceof CommanderError) {
    const usage = new EncodeError('E_USAGE', error.message.replace(/^error: /, ''), {
      hint: 'See `ftrack-encode <command> --help`.',
      details: { reason: error.code },
    });
    if (jsonRequested) fail(usage, true);
    else process.exitCode = usage.exitCode; // commander already printed the message and help
  } else {
    // Option parsers (e.g. --threads abc) throw EncodeErrors before any action runs.
    fail(error, jsonRequested);
  }
}

// The command is over (long-running ones like `server` return only once stopped). Exit now:
// @ftrack/api's event hub leaves 30 s reply and WebSocket-close timers behind that would
// otherwise hold a finished publish open. stdout/stderr are synchronous on pipes and files.
process.exit(process.exitCode ?? 0);
