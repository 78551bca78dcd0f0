// POST /api: authenticate, apply faults, run the batch, publish ftrack.update.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { runBatch, parseOperations } from '../api/batch.js';
import type { ServerServices } from '../api/context.js';
import type { EntityChange } from '../store/entity-repo.js';
import type { ApiUser } from '../store/users.js';
import type { Faults } from '../faults.js';
import { requestFaults } from './request-faults.js';
import type { Authenticator } from './auth.js';
import { header } from './auth.js';
import { ApiError, invalidCredentials, toApiError } from './errors.js';
import { delay, readJson, sendError, sendJson } from './respond.js';

export interface CommitInfo {
  user: ApiUser;
  clientToken?: string;
  pushToken?: string;
}

export interface ApiRouteDeps {
  services: ServerServices;
  auth: Authenticator;
  faults: Faults;
  /** Whether the x-ftrack-local-fault header is honoured. */
  faultHeader: boolean;
  onCommitted: (changes: EntityChange[], info: CommitInfo) => void;
  log: (line: string) => void;
}

function parseApiOptions(value: string | undefined): Record<string, boolean> {
  const options: Record<string, boolean> = {};
  for (const item of (value ?? '').split(/[;,]/)) {
    const [name, raw] = item.split(/[:=]/).map((s) => s.trim().toLowerCase());
    if (name) options[name] = raw === '1' || raw === 'true';
  }
  return options;
}

function summarize(ops: readonly Record<string, unknown>[]): { actions: string[]; entityTypes: string[] } {
  return {
    actions: ops.map((op) => String(op['action'])),
    entityTypes: ops.map((op) => op['entity_type']).filter((t): t is string => typeof t === 'string'),
  };
}

export async function handleApi(req: IncomingMessage, res: ServerResponse, deps: ApiRouteDeps): Promise<void> {
  const started = Date.now();
  let actions = '';
  try {
    const user = deps.auth.fromApiHeaders(req);
    if (!user) throw invalidCredentials();
    const body = await readJson(req);
    const ops = parseOperations(body);
    const shape = summarize(ops);
    actions = shape.actions.join(',');
    const perRequest = requestFaults(req, deps.faultHeader);
    const latency = deps.faults.apiLatencyMs() + (perRequest.latencyMs ?? 0);
    if (latency > 0) await delay(latency);
    const held = deps.faults.takeApiLatency(shape);
    if (held > 0) {
      // A held call whose client went away meanwhile is dropped unrun (it never reached the work).
      await deps.faults.hold(held);
      if (res.destroyed || req.socket.destroyed) return void deps.log(`POST /api [${actions}] dropped: client gone while held`);
    }
    const failStatus = perRequest.failStatus ?? deps.faults.checkApiCall(shape);
    if (failStatus !== undefined) throw new ApiError('ServerError', `Injected fault: failing this API call (${actions}).`, failStatus);

    const apiOptions = parseApiOptions(header(req, 'ftrack-api-options'));
    const pushToken = header(req, 'ftrack-pushtoken');
    const clientToken = header(req, 'ftrack-clienttoken');
    const { results, changes } = await runBatch(ops, {
      ...deps.services,
      user,
      strict: apiOptions['strict'] === true,
      afterCommit: [],
      prepared: new Map(),
    });
    // Lost-response fault: the batch is committed, the answer never arrives.
    if (deps.faults.takeApiResponseDrop(shape)) res.socket?.destroy();
    else sendJson(res, 200, results);
    if (changes.length > 0) {
      deps.onCommitted(changes, {
        user,
        ...(clientToken ? { clientToken } : {}),
        ...(pushToken && pushToken !== 'undefined' ? { pushToken } : {}),
      });
    }
    deps.log(`POST /api [${actions}] 200 ${Date.now() - started}ms`);
  } catch (error) {
    const apiError = toApiError(error);
    // Without strict mode the real server answers errors with 200; the clients read the body first.
    const strict = header(req, 'ftrack-strict-api') === 'true';
    const status = apiError.status === 401 || apiError.status >= 500 || strict ? apiError.status : 200;
    sendError(res, new ApiError(apiError.exception, apiError.content, status, apiError.errorCode));
    deps.log(`POST /api [${actions}] ${status} ${apiError.exception} ${Date.now() - started}ms`);
  }
}
