import type { Command } from 'commander';
import { EncodeError, type HealthCheck } from '@ftrack-encode/core';
import { diagnose, validateAdapterConfig } from '@ftrack-encode/composition';
import { loadConfig, StreamLogger } from '@ftrack-encode/node-platform';
import { Terminal } from '../output/terminal.js';
import { openFtrackTarget } from '../ftrack/ftrack-target.js';
import { addOutputOptions, type CommonFlags } from './shared-options.js';

const MARK: Record<HealthCheck['status'], string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' };

export async function runDoctor(flags: CommonFlags): Promise<HealthCheck[]> {
  const terminal = new Terminal({ json: Boolean(flags.json), quiet: Boolean(flags.quiet) });
  const written = await loadConfig(flags.config ? { path: flags.config } : {});
  const config = validateAdapterConfig(written);
  const logger = new StreamLogger({ level: flags.verbose ? 'debug' : 'error', json: Boolean(flags.json) });
  // Against the server a publish would use: the configured one, or the embedded ftrack-local.
  const target = await openFtrackTarget(config, logger);
  let checks: HealthCheck[];
  try {
    checks = await diagnose(config, {
      logger,
      written,
      ftrack: { ...target, label: target.embedded ? `embedded ftrack-local at ${target.serverUrl}` : target.serverUrl },
    });
  } finally {
    await target.embedded?.close();
  }
  if (flags.json) terminal.json({ checks });
  else {
    for (const c of checks) {
      terminal.print(`${MARK[c.status]}  ${c.name.padEnd(28)} ${c.detail}`);
      if (c.hint && c.status !== 'ok') terminal.print(`      ${''.padEnd(28)} hint: ${c.hint}`);
    }
  }
  const failed = checks.filter((c) => c.status === 'fail');
  if (failed.length > 0) {
    // The JSON result is already printed: report the failure by exit code only.
    throw Object.assign(new EncodeError('E_CHECK_FAILED', `${failed.length} check(s) failed: ${failed.map((c) => c.name).join(', ')}.`), {
      reported: Boolean(flags.json),
    });
  }
  return checks;
}

export function registerDoctorCommand(program: Command, run: (action: () => Promise<unknown>, flags: CommonFlags) => Promise<void>): void {
  addOutputOptions(
    program
      .command('doctor')
      .summary('check this machine and site set-up: ffmpeg, encoders, filters, fonts, OCIO, ftrack, storage, farm')
      .description(
        'One line per check with ok / warn / FAIL and a hint. Encoders: each backend checks what it needs\n' +
          '(native: ffmpeg, ffprobe, libx264, libvpx-vp9, aac, libopus, zscale, lut3d, drawtext, fonts;\n' +
          'wasm: the core loads; farm: Redis, maxmemory-policy noeviction, queue depth, daemons seen).\n' +
          'ftrack (the configured server, else the embedded ftrack-local): sign-in and server version,\n' +
          'schema cache, a put/get/remove round trip in the configured location, the event hub.\n' +
          'Exit 0 when no check fails. --json: {"checks": [{"name", "status", "detail", "hint"}]}.',
      ),
  ).action(async (flags: CommonFlags) => run(() => runDoctor(flags), flags));
}
