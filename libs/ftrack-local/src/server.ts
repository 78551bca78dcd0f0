// Composes the local ftrack server: SQLite store, JSON API, storage endpoints,
// event hub, review page, static web app.
import { mkdtemp } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerServices } from './api/context.js';
import { EncodeJobRunner, type EncodeMediaFn } from './api/encode-jobs.js';
import { QueryService } from './api/query-service.js';
import { Faults, type FaultConfig, type FaultController } from './faults.js';
import { handleApi } from './http/api-route.js';
import { Authenticator } from './http/auth.js';
import { Cors } from './http/cors.js';
import { sendJson, sendText } from './http/respond.js';
import { serveStatic } from './http/static-files.js';
import { EventHub } from './hub/event-hub.js';
import { buildUpdateEvent } from './hub/update-events.js';
import { handleReviewPage } from './review-page/routes.js';
import { CustomAttributes } from './custom-attributes/custom-attributes.js';
import { asOwnerChange } from './custom-attributes/owner-changes.js';
import { defaultSchemaModel, loadSchemas, SCHEMA_HASH } from './schema/index.js';
import { ensureDemoSeed, type DemoSeed } from './seed.js';
import { FileStore } from './storage/file-store.js';
import { LatestWins } from './storage/latest-wins.js';
import { handleStorage } from './storage/routes.js';
import { SignedTokens } from './storage/tokens.js';
import { ComputedAttributes } from './store/computed.js';
import type { EntityChange } from './store/entity-repo.js';
import { EntityRepo } from './store/entity-repo.js';
import { ensureReferenceData, LOCATION_IDS } from './store/reference-data.js';
import { SchemaView } from './store/schema-view.js';
import { lockDataDir, prepareDataDir, restrictFiles, type DataDirLock } from './store/data-dir.js';
import { DB_FILE_NAME, openDatabase, type Db } from './store/sqlite.js';
import { provisionUsers, resetApiKey, storedApiUsers, type ApiUser } from './store/users.js';

export const SERVER_LOCATION_ID = LOCATION_IDS.server;
export const SERVER_VERSION = '4.13.0';

export interface FtrackLocalOptions {
  /** Default 0 (a random free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default: a new temp dir. */
  dataDir?: string;
  /** Create Project -> Sequence -> Shot -> Task -> Asset -> AssetVersion (reused on restart). */
  seed?: 'demo' | false;
  /** Default: one development user with a generated key persisted in dataDir. */
  users?: { username: string; apiKey: string }[];
  /** Fault injection; also enables the per-request `x-ftrack-local-fault` header (use `{}` for the header alone). */
  faults?: FaultConfig;
  /** Browser origins besides the server's own that may call it with credentials (CORS). */
  corsOrigins?: string[];
  /** Runs encode_media: produce the review files from the source, or throw. Injected by the app. */
  encodeMedia?: EncodeMediaFn;
  /** Static files of the web app, served at /web/ with COOP/COEP headers. */
  webRoot?: string;
  logger?: (line: string) => void;
  /** Server time the queries of one request may use before they stop with an error. Default 1000 ms. */
  queryBudgetMs?: number;
}

export interface FtrackLocalServer {
  url: string;
  user: string;
  apiKey: string;
  dataDir: string;
  seed?: DemoSeed;
  faults: FaultController;
  close(): Promise<void>;
}

export async function startFtrackLocal(options: FtrackLocalOptions = {}): Promise<FtrackLocalServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'ftrack-local-')));
  await prepareDataDir(dataDir);
  const lock = await lockDataDir(dataDir);
  try {
    return await startLocked(options, dataDir, lock);
  } catch (error) {
    await lock.release();
    throw error;
  }
}

async function startLocked(options: FtrackLocalOptions, dataDir: string, lock: DataDirLock): Promise<FtrackLocalServer> {
  const log = options.logger ?? (() => undefined);
  const db = openDatabase(dataDir);
  const repo = new EntityRepo(db);
  const view = new SchemaView(defaultSchemaModel());
  ensureReferenceData(repo);
  const users = provisionUsers(db, repo, options.users);
  const primary = users[0]!;
  const seed = options.seed === 'demo' ? ensureDemoSeed(db, repo, view, primary.id) : undefined;

  await restrictFiles(['', '-wal', '-shm'].map((suffix) => join(dataDir, `${DB_FILE_NAME}${suffix}`)));
  const files = new FileStore(dataDir);
  await files.init();
  await discardAbandonedUploads(db, files);
  const partWriters = new LatestWins();
  const tokens = new SignedTokens(db);
  // Keys issued earlier (reset_api_key) keep working across restarts; the configured ones win.
  const auth = new Authenticator([...storedApiUsers(db).filter((s) => !users.some((u) => u.username === s.username)), ...users]);
  const faults = new Faults(options.faults);
  const hub = new EventHub(auth, log);
  let baseUrl = '';

  const signedUrl = (route: string, id: string) =>
    `${baseUrl}${route}?${new URLSearchParams({ id, token: tokens.sign({ op: 'get', componentId: id }) }).toString()}`;
  const computed = new ComputedAttributes(view, repo, {
    thumbnail: (id) => signedUrl('/component/thumbnail', id),
    download: (id) => signedUrl('/component/get', id),
  });

  const publishChanges = (changes: EntityChange[], user: ApiUser, extra: { clientToken?: string; pushToken?: string } = {}) => {
    if (changes.length === 0) return;
    try {
      const row = repo.get('User', [user.id]);
      const name = `${String(row?.['first_name'] ?? '')} ${String(row?.['last_name'] ?? '')}`.trim() || user.username;
      const reported = changes.map((change) => asOwnerChange(view, repo, change)).filter((c): c is EntityChange => c !== undefined);
      if (reported.length === 0) return;
      hub.publish(buildUpdateEvent(view, repo, reported, { user: { id: user.id, username: user.username, name }, ...extra }));
    } catch (error) {
      log(`could not publish ftrack.update: ${(error as Error).message}`);
    }
  };

  const encodeJobs = new EncodeJobRunner({
    repo,
    view,
    files,
    dataDir,
    ...(options.encodeMedia ? { encodeMedia: options.encodeMedia } : {}),
    log,
    onCommitted: (changes, userId) => {
      const user = users.find((u) => u.id === userId) ?? primary;
      publishChanges(changes, user);
    },
  });

  const services: ServerServices = {
    db,
    repo,
    view,
    files,
    tokens,
    queries: new QueryService(view.model, repo, computed, new CustomAttributes(view, repo)),
    encodeJobs,
    baseUrl: () => baseUrl,
    schemas: () => loadSchemas(),
    queryBudgetMs: options.queryBudgetMs ?? 1000,
    resetApiKey: (userId) => {
      const user = resetApiKey(db, repo, userId);
      return { apiKey: user.apiKey, activate: () => auth.set(user) };
    },
    serverInformation: (user) => {
      const row = repo.get('User', [user.id]);
      return {
        version: SERVER_VERSION,
        schema_hash: SCHEMA_HASH,
        storage_scenario: { scenario: 'ftrack.automatic', data: {} },
        is_timezone_support_enabled: true,
        user_information: {
          id: user.id,
          username: user.username,
          first_name: row?.['first_name'] ?? null,
          last_name: row?.['last_name'] ?? null,
        },
      };
    },
  };

  const faultHeader = options.faults !== undefined;
  const cors = new Cors({ origins: options.corsOrigins ?? [], faultHeader });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    cors.apply(req, res);
    // Concatenate rather than resolve: `//api` must stay a path, not become a host.
    const url = new URL(`http://local${req.url ?? '/'}`);
    const path = url.pathname.replace(/^\/{2,}/, '/');
    if (req.method === 'OPTIONS') return cors.answerPreflight(req, res);
    if (path === '/api' || path === '/api/') {
      if (req.method !== 'POST') return sendText(res, 405, 'Method not allowed');
      return handleApi(req, res, {
        services,
        auth,
        faults,
        faultHeader,
        log,
        onCommitted: (changes, info) => publishChanges(changes, info.user, info),
      });
    }
    if (path === '/socket.io/1/' || path === '/socket.io/1') return hub.handshake(req, res, url);
    if (path.startsWith('/component/')) {
      url.pathname = path;
      return handleStorage(req, res, url, { db, repo, view, files, partWriters, tokens, auth, faults, faultHeader, log });
    }
    if (options.webRoot && (path === '/web' || path.startsWith('/web/'))) {
      if (path === '/web') {
        res.writeHead(301, { Location: '/web/' });
        return void res.end();
      }
      return serveStatic(req, res, options.webRoot, path.slice('/web/'.length));
    }
    if (handleReviewPage(req, res, path)) return;
    sendText(res, 404, 'Not found');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`request failed: ${(error as Error).message}`);
      if (!res.headersSent) sendJson(res, 500, { exception: 'ServerError', content: 'Internal server error.', error_code: null });
      else res.destroy();
    });
  });
  server.on('upgrade', (req, socket, head) => {
    if (!hub.handleUpgrade(req, socket, head)) socket.destroy();
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
  } catch (error) {
    // e.g. EADDRINUSE: release what was opened before reporting.
    await hub.close();
    await files.close();
    db.close();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = `http://${host}:${address.port}`;
  await lock.setUrl(baseUrl);
  log(`ftrack-local listening on ${baseUrl} (data: ${dataDir})`);

  let closing: Promise<void> | undefined;
  return {
    url: baseUrl,
    user: primary.username,
    apiKey: primary.apiKey,
    dataDir,
    ...(seed ? { seed } : {}),
    faults,
    close() {
      closing ??= (async () => {
        await encodeJobs.close();
        await hub.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await files.close();
        db.close();
        await lock.release();
      })();
      return closing;
    },
  };
}

const ABANDONED_UPLOAD_MS = 24 * 60 * 60 * 1000;

/** Multi-part uploads never completed within a day are dropped at start-up. */
async function discardAbandonedUploads(db: Db, files: FileStore): Promise<void> {
  const cutoff = new Date(Date.now() - ABANDONED_UPLOAD_MS).toISOString();
  const live = new Set(
    (db.prepare('SELECT upload_id FROM upload_session WHERE created_at >= ?').all(cutoff) as { upload_id: string }[]).map((r) => r.upload_id),
  );
  db.prepare('DELETE FROM upload_part WHERE upload_id NOT IN (SELECT upload_id FROM upload_session WHERE created_at >= ?)').run(cutoff);
  db.prepare('DELETE FROM upload_session WHERE created_at < ?').run(cutoff);
  for (const uploadId of await files.uploadIds()) {
    if (!live.has(uploadId)) await files.discardUpload(uploadId).catch(() => undefined);
  }
}
