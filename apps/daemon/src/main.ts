import 'reflect-metadata';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { toEncodeError } from '@ftrack-encode/core';
import { loadAppConfig } from '@ftrack-encode/composition';
import { Daemon, createLogger } from './daemon.js';
import { configFlags, daemonSettings, type DaemonFlags } from './daemon-settings.js';

function nonNegativeInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a non-negative integer.`);
    return n;
  };
}

const program = new Command('ftrack-encode-daemon')
  .description(
    'Farm worker for ftrack-encode: runs encode and publish jobs from the BullMQ queues on Redis with the\n' +
      'native ffmpeg, listens to the ftrack event hub for uploads to auto-encode, serves /healthz, /readyz\n' +
      'and /metrics. Config: ftrack-encode.config.json (farm section), REDIS_URL, FTRACK_SERVER,\n' +
      'FTRACK_API_USER, FTRACK_API_KEY. SIGTERM/SIGINT stop it gracefully.',
  )
  .option('--config <file>', 'config file (default ./ftrack-encode.config.json or $FTRACK_ENCODE_CONFIG)')
  .option('--health-port <port>', 'port of /healthz, /readyz and /metrics (0 = any free port)', nonNegativeInt('--health-port'))
  .option(
    '--concurrency <n>',
    "encode and publish jobs at once per queue (default cores / farm.threadsPerEncode); segment steps (audio, joins) run beside them in the queue's steps lane, farm.stepConcurrency at once (default 1)",
    nonNegativeInt('--concurrency'),
  )
  .option('--name <name>', 'worker name shown in job records and logs (default host-pid)')
  .option('--json', 'JSON log lines (pino) on stderr')
  .option('-v, --verbose', 'debug logging')
  .exitOverride();

async function main(): Promise<number> {
  try {
    program.parse(process.argv);
  } catch (error) {
    return error instanceof CommanderError ? (error.exitCode === 0 ? 0 : 2) : 1;
  }
  const flags = program.opts<DaemonFlags>();
  let logger = createLogger({ json: Boolean(flags.json), verbose: Boolean(flags.verbose), name: flags.name ?? 'daemon' });
  try {
    const config = await loadAppConfig({ ...(flags.config ? { path: flags.config } : {}), flags: configFlags(flags) });
    const settings = daemonSettings(config, flags);
    logger = createLogger(settings);
    const daemon = new Daemon(settings, logger);
    let signals = 0;
    const stop = (signal: NodeJS.Signals) => {
      if (++signals > 1) {
        logger.warn('second signal: exiting now', { signal });
        process.exit(1);
      }
      void daemon.stop(signal).then(() => process.exit(0));
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    process.on('uncaughtException', (error) => {
      // @ftrack/api 1.11 re-subscribes from a socket 'open' callback and throws there when the hub
      // dropped in between (e.g. while disconnecting); it reconnects on its own, so that one is a warning.
      if (error.name === 'EventServerPublishError' || error.constructor.name === 'EventServerPublishError' || /not connected to server/.test(error.message)) {
        logger.warn('ftrack event hub race ignored', { error: error.message });
        return;
      }
      logger.error('uncaught exception', { error: error.stack ?? String(error) });
      process.exit(70);
    });
    await daemon.start();
    return -1; // keep running
  } catch (error) {
    const failure = toEncodeError(error);
    logger.error(`cannot start: ${failure.message}`, { code: failure.code, ...(failure.hint ? { hint: failure.hint } : {}) });
    return failure.exitCode;
  }
}

const code = await main();
if (code >= 0) process.exit(code);
