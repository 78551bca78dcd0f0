// Runs one /api batch: operations in order, in ONE transaction, all or nothing (protocol §2).
import { invalidAction, validationError } from '../http/errors.js';
import { Budget } from '../query/index.js';
import type { EntityChange } from '../store/entity-repo.js';
import { EntityWriter } from '../store/entity-writer.js';
import type { ActionHandler } from './action.js';
import type { CallContext, Operation } from './context.js';
import { querySchemas, queryServerInformation } from './info-actions.js';
import { delayedJob, encodeMedia } from './job-actions.js';
import { query, search } from './query-actions.js';
import { completeMultipartUpload, generateSignedUrl, getUploadMetadata } from './upload-actions.js';
import { getWidgetUrl, resetRemote, sendReviewSessionInvite, sendUserInvite } from './user-actions.js';
import { create, remove, update } from './write-actions.js';

const HANDLERS: Readonly<Record<string, ActionHandler>> = {
  query_server_information: queryServerInformation,
  query_schemas: querySchemas,
  query,
  search,
  create,
  update,
  delete: remove,
  get_upload_metadata: getUploadMetadata,
  complete_multipart_upload: completeMultipartUpload,
  generate_signed_url: generateSignedUrl,
  encode_media: encodeMedia,
  delayed_job: delayedJob,
  reset_remote: resetRemote,
  get_widget_url: getWidgetUrl,
  send_user_invite: sendUserInvite,
  send_review_session_invite: sendReviewSessionInvite,
};

export function parseOperations(body: unknown): Operation[] {
  if (!Array.isArray(body)) throw validationError('The request body must be a JSON list of operations.');
  return body.map((op) => {
    if (typeof op !== 'object' || op === null || Array.isArray(op)) throw validationError('Each operation must be an object.');
    return op as Operation;
  });
}

function handlerFor(op: Operation): ActionHandler {
  const name = typeof op.action === 'string' ? op.action : String(op.action);
  const handler = Object.hasOwn(HANDLERS, name) ? HANDLERS[name] : undefined;
  if (!handler) throw invalidAction(name);
  return handler;
}

export interface BatchOutcome {
  results: unknown[];
  changes: EntityChange[];
}

export async function runBatch(operations: readonly Operation[], ctx: CallContext): Promise<BatchOutcome> {
  const handlers = operations.map(handlerFor);
  for (const [index, handler] of handlers.entries()) {
    if (handler.prepare) await handler.prepare(operations[index]!, ctx, index);
  }
  const writer = new EntityWriter(ctx.view, ctx.repo);
  const running: CallContext = { ...ctx, budget: Budget.of(ctx.queryBudgetMs) };
  // The budget covers the whole request: every operation ticks it, and queries tick per row.
  const { result, changes } = ctx.repo.transaction(() =>
    handlers.map((handler, index) => {
      running.budget?.tick();
      return handler.run(operations[index]!, running, writer, index);
    }),
  );
  for (const id of writer.removedFiles) await ctx.files.remove(id).catch(() => undefined);
  for (const hook of ctx.afterCommit) await hook();
  return { results: result, changes };
}
