// Everything an action needs, built once per server and per call.
import type { EntityRepo } from '../store/entity-repo.js';
import type { SchemaView } from '../store/schema-view.js';
import type { ApiUser } from '../store/users.js';
import type { FileStore } from '../storage/file-store.js';
import type { SignedTokens } from '../storage/tokens.js';
import type { Db } from '../store/sqlite.js';
import type { QueryService } from './query-service.js';
import type { EncodeJobRunner } from './encode-jobs.js';
import type { Budget } from '../query/index.js';

export interface ServerServices {
  db: Db;
  repo: EntityRepo;
  view: SchemaView;
  files: FileStore;
  tokens: SignedTokens;
  queries: QueryService;
  encodeJobs: EncodeJobRunner;
  /** Absolute base URL of this server, e.g. http://127.0.0.1:4000 */
  baseUrl: () => string;
  serverInformation: (user: ApiUser, values?: readonly string[]) => Record<string, unknown>;
  schemas: () => unknown[];
  /** Server time one request's queries may use before they are stopped. */
  queryBudgetMs: number;
  /** Stores a new API key for the user; `activate` makes it the one that authenticates (after commit). */
  resetApiKey: (userId: string) => { apiKey: string; activate: () => void };
}

export interface CallContext extends ServerServices {
  user: ApiUser;
  strict: boolean;
  /** Work to do once the batch has committed (file removals, background jobs). */
  afterCommit: (() => void | Promise<void>)[];
  /** Async preparation done before the transaction (multi-part completion checks). */
  prepared: Map<number, unknown>;
  /** Set by the batch runner when the transaction starts. */
  budget?: Budget;
}

export type Operation = Record<string, unknown> & { action?: unknown };
