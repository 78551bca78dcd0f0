// `ftrack-encode server`: start ftrack-local and print how to reach it.
import type { EncodeMediaFn } from './api/encode-jobs.js';
import { startFtrackLocal, type FtrackLocalServer } from './server.js';

export interface ServerCommandOptions {
  port?: number;
  dataDir?: string;
  seed?: boolean;
  json?: boolean;
  host?: string;
  /** Built web app (apps/web/dist) to serve at /web/. */
  webRoot?: string;
  /** Runs encode_media; without it encode_media jobs fail with a clear message. */
  encodeMedia?: EncodeMediaFn;
  /** Browser origins besides the server's own that may call it (CORS). */
  corsOrigins?: string[];
}

export async function runServerCommand(options: ServerCommandOptions, out: (line: string) => void): Promise<FtrackLocalServer> {
  const server = await startFtrackLocal({
    port: options.port ?? 0,
    ...(options.host ? { host: options.host } : {}),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.webRoot ? { webRoot: options.webRoot } : {}),
    ...(options.encodeMedia ? { encodeMedia: options.encodeMedia } : {}),
    ...(options.corsOrigins ? { corsOrigins: options.corsOrigins } : {}),
    seed: options.seed === false ? false : 'demo',
  });
  const seed = server.seed
    ? {
        projectId: server.seed.projectId,
        shotId: server.seed.shotId,
        taskId: server.seed.taskId,
        assetId: server.seed.assetId,
        versionId: server.seed.versionId,
      }
    : null;
  if (options.json) {
    out(JSON.stringify({ url: server.url, user: server.user, apiKey: server.apiKey, dataDir: server.dataDir, seed }));
    return server;
  }
  out(`ftrack-local is running at ${server.url}`);
  out(`  FTRACK_SERVER=${server.url}`);
  out(`  FTRACK_API_USER=${server.user}`);
  out(`  FTRACK_API_KEY=${server.apiKey}`);
  out(`  data dir: ${server.dataDir}`);
  if (seed) out(`  review page: ${server.url}/review/version/${seed.versionId}`);
  if (options.webRoot) out(`  web app: ${server.url}/web/`);
  out(`  encode_media: ${options.encodeMedia ? 'on (best encoder available)' : 'off (--no-encoder)'}`);
  if (options.corsOrigins?.length) out(`  CORS origins: ${options.corsOrigins.join(', ')}`);
  out('Press Ctrl+C to stop.');
  return server;
}
