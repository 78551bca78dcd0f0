import { Session, type ServerInformation } from '@ftrack/api';
import { EncodeError } from '@ftrack-encode/core';
import { authError, isAuthFailure, redactSecrets } from './ftrack-errors.js';
import { resolveCredentials, type FtrackCredentials, type FtrackSessionConfig } from './ftrack-config.js';
import { SchemaCache } from './schema-cache.js';

type Operation = { action: string; [key: string]: unknown };
type InitResult = [ServerInformation, unknown[]];

/** The batch @ftrack/api 1.11.2 sends from its constructor: server information + schemas. */
function isInitBatch(operations: readonly Operation[]): boolean {
  return operations.length === 2 && operations[0]?.action === 'query_server_information' && operations[1]?.action === 'query_schemas';
}

/**
 * One JSON API round trip outside the Session (used only for session start-up, before the
 * Session can make calls). Maps the answer to EncodeErrors that name server and user, never the key.
 */
async function rawCall(credentials: FtrackCredentials, operations: Operation[]): Promise<unknown[]> {
  const { serverUrl, apiUser, apiKey } = credentials;
  let response: Response;
  try {
    response = await fetch(`${serverUrl}/api`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'ftrack-user': apiUser, 'ftrack-api-key': apiKey },
      body: JSON.stringify(operations),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new EncodeError('E_FTRACK_FAILED', `Cannot reach ftrack at ${serverUrl}: ${cause?.code ?? cause?.message ?? String(error)}.`, {
      hint: 'Check FTRACK_SERVER and the network (proxy, VPN).',
      details: { server: serverUrl },
    });
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    if (response.status === 401 || response.status === 403) throw authError(serverUrl, apiUser);
    throw new EncodeError('E_FTRACK_FAILED', `ftrack at ${serverUrl} answered HTTP ${response.status} with something that is not JSON.`, {
      hint: 'Is FTRACK_SERVER the ftrack web address (not a proxy login page)?',
      details: { server: serverUrl, status: response.status },
    });
  }
  if (!Array.isArray(body)) {
    const { exception, content } = (body ?? {}) as { exception?: string; content?: string };
    const message = redactSecrets(String(content ?? 'unknown error'), [apiKey]);
    if (response.status === 401 || response.status === 403 || isAuthFailure(exception, message)) throw authError(serverUrl, apiUser);
    throw new EncodeError('E_FTRACK_FAILED', `ftrack at ${serverUrl} failed to start a session: ${exception ?? 'Error'}: ${message}`, {
      details: { server: serverUrl, status: response.status },
    });
  }
  return body;
}

async function initialize(credentials: FtrackCredentials, cache: SchemaCache | undefined): Promise<InitResult> {
  const [info] = (await rawCall(credentials, [{ action: 'query_server_information' }])) as [ServerInformation];
  const hash = typeof info.schema_hash === 'string' && info.schema_hash ? info.schema_hash : undefined;
  let schemas = hash && cache ? await cache.read(hash) : undefined;
  if (!schemas) {
    [schemas] = (await rawCall(credentials, [{ action: 'query_schemas' }])) as [unknown[]];
    // A cache write failure only costs the next start a query_schemas call.
    if (hash && cache && Array.isArray(schemas)) await cache.write(hash, schemas).catch(() => undefined);
  }
  return [info, schemas ?? []];
}

/**
 * A Session whose start-up asks for server information first and takes the schemas from the
 * on-disk cache when the server's schema_hash matches — @ftrack/api 1.11.2 has no option for
 * this (its constructor always sends query_schemas), so the start-up batch is intercepted.
 */
function sessionClassFor(start: () => Promise<InitResult>) {
  class CachedSchemaSession extends Session {}
  const baseCall = Session.prototype.call as (this: Session, ...args: unknown[]) => Promise<unknown>;
  // Assigned on the prototype: the base constructor calls this.call() before a subclass body could run.
  (CachedSchemaSession.prototype as unknown as { call: (this: Session, ...args: unknown[]) => Promise<unknown> }).call = function (
    this: Session,
    ...args: unknown[]
  ): Promise<unknown> {
    if (!this.initialized && isInitBatch(args[0] as Operation[])) return start();
    return baseCall.apply(this, args);
  };
  return CachedSchemaSession;
}

export interface FtrackSession {
  session: Session;
  credentials: FtrackCredentials;
}

/**
 * Opens a Session (short-lived: one per publish) and waits until it is usable.
 * E_FTRACK_AUTH for rejected credentials, E_FTRACK_FAILED when the server is unreachable.
 */
export async function createFtrackSession(config: FtrackSessionConfig = {}): Promise<FtrackSession> {
  const credentials = resolveCredentials(config);
  const cache = config.schemaCacheDir ? new SchemaCache(config.schemaCacheDir) : undefined;
  const SessionClass = sessionClassFor(() => initialize(credentials, cache));
  const session = new SessionClass(credentials.serverUrl, credentials.apiUser, credentials.apiKey, {
    decodeDatesAsIso: true,
    eventHubOptions: { applicationId: 'ftrack-encode' },
  });
  await session.initializing;
  return { session, credentials };
}
