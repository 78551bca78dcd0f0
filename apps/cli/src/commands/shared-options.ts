import type { Command } from 'commander';
import { EncodeError, type Config, type ConfigInput } from '@ftrack-encode/core';
import { StreamLogger } from '@ftrack-encode/node-platform';
import { loadAppConfig } from '@ftrack-encode/composition';
import { Terminal } from '../output/terminal.js';
import { processSignals } from '../process-signals.js';

export interface CommonFlags {
  json?: boolean;
  quiet?: boolean;
  config?: string;
  verbose?: boolean;
}

export function addOutputOptions(command: Command): Command {
  return command
    .option('--json', 'print one machine-readable JSON result on stdout (errors too)')
    .option('-q, --quiet', 'no progress, only results and errors')
    .option('-v, --verbose', 'debug logging on stderr')
    .option('--config <file>', 'config file (default ./ftrack-encode.config.json or $FTRACK_ENCODE_CONFIG)');
}

export async function setup(flags: CommonFlags, configFlags: ConfigInput = {}): Promise<{ config: Config; terminal: Terminal; logger: StreamLogger }> {
  const terminal = new Terminal({ json: Boolean(flags.json), quiet: Boolean(flags.quiet) });
  const config = await loadAppConfig({ ...(flags.config ? { path: flags.config } : {}), flags: configFlags });
  const logger = new StreamLogger({ level: flags.verbose ? 'debug' : 'warn', json: Boolean(flags.json) });
  return { config, terminal, logger };
}

export function parseIntOption(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new EncodeError('E_USAGE', `${name} must be a non-negative integer, got "${value}".`);
    return n;
  };
}

/** Aborted by Ctrl-C / SIGTERM / SIGHUP so the use case can clean up (temp files, half uploads). */
export function cancelOnSignals(): AbortSignal {
  return processSignals.signal;
}
