import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { EncodeError } from '@ftrack-encode/core';
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

/** Run one command's action: map any failure to its stable exit code. */
async function run(action: () => Promise<unknown>, flags: CommonFlags): Promise<void> {
  try {
    await action();
    process.exitCode = 0;
  } catch (error) {
    process.exitCode = new Terminal({ json: Boolean(flags.json), quiet: Boolean(flags.quiet) }).fail(error);
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
  .showHelpAfterError()
  .addHelpText('after', exitCodeHelp())
  .exitOverride();

registerEncodeCommand(program, run);
registerProbeCommand(program, run);
registerProfilesCommand(program, run);
registerPublishCommand(program, run);
registerServerCommand(program, run);
registerJobsCommand(program, run);
registerRunJobCommand(program, run);
registerDemoCommand(program, run);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version exit 0; usage errors exit with E_USAGE's code.
    process.exitCode = error.exitCode === 0 ? 0 : new EncodeError('E_USAGE', error.message).exitCode;
  } else {
    process.exitCode = new Terminal({ json: false, quiet: false }).fail(error);
  }
}

// The command is over (long-running ones like `server` return only once stopped). Exit now:
// @ftrack/api's event hub leaves 30 s reply and WebSocket-close timers behind that would
// otherwise hold a finished publish open. stdout/stderr are synchronous on pipes and files.
process.exit(process.exitCode ?? 0);
