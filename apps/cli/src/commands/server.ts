import type { Command } from 'commander';
import { resolve } from 'node:path';
import { parseIntOption, setup, type CommonFlags } from './shared-options.js';
import { encodeMediaHook } from '../ftrack/encode-media-hook.js';
import { defaultLocalDataDir } from '../ftrack/ftrack-target.js';
import { untilStopped } from '../process-signals.js';
import { webAppRoot } from '../ftrack/web-root.js';

interface ServerFlags extends CommonFlags {
  port?: number;
  data?: string;
  seed?: string;
  host?: string;
  /** `--no-encoder` sets this to false. */
  encoder?: boolean;
  corsOrigin?: string[];
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function registerServerCommand(program: Command, run: (action: () => Promise<unknown>, flags: CommonFlags) => Promise<void>): void {
  program
    .command('server')
    .summary('run ftrack-local, the ftrack-compatible local server')
    .description(
      'Runs ftrack-local: the ftrack JSON API, query language, uploads/downloads, event hub and a review page,\n' +
        'for offline pipeline development and CI. Prints its URL, user and API key (use them as FTRACK_SERVER,\n' +
        'FTRACK_API_USER, FTRACK_API_KEY). With --json, prints exactly one line once ready:\n' +
        '{"url","user","apiKey","dataDir","seed":{"projectId","shotId","taskId","assetId","versionId"}}',
    )
    .option('--port <port>', 'TCP port (0 = any free port)', parseIntOption('--port'), 0)
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--data <dir>', 'data directory (SQLite database and stored files)')
    .option('--seed <what>', '"demo": create Project → Sequence → Shot → Task → Asset → AssetVersion')
    .option('--json', 'print one JSON line with url, user, apiKey, dataDir and seed ids')
    .option('--no-encoder', 'answer encode_media with a failed job instead of encoding (default: the best encoder available, native else wasm)')
    .option('--cors-origin <origin>', 'a browser origin (e.g. http://localhost:5173) that may call the server with credentials; repeatable', collect)
    .option('--config <file>', 'config file')
    .action(async (flags: ServerFlags) =>
      run(async () => {
        const { config, logger } = await setup({ ...flags, quiet: true });
        const { runServerCommand } = await import('@ftrack-encode/ftrack-local');
        // Like the embedded default: encode_media runs on this machine's best encoder.
        const encodeMedia = flags.encoder === false ? undefined : encodeMediaHook(config, logger);
        const server = await runServerCommand(
          {
            port: flags.port ?? 0,
            host: flags.host ?? '127.0.0.1',
            dataDir: resolve(flags.data ?? defaultLocalDataDir(config)),
            seed: flags.seed === 'demo',
            json: Boolean(flags.json),
            ...(encodeMedia ? { encodeMedia } : {}),
            ...(flags.corsOrigin?.length ? { corsOrigins: flags.corsOrigin } : {}),
            ...(webAppRoot() ? { webRoot: webAppRoot() } : {}),
          },
          (line) => process.stdout.write(`${line}\n`),
        );
        await untilStopped();
        await server.close();
      }, flags),
    );
}
