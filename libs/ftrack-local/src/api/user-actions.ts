// reset_remote (api_key), get_widget_url, send_user_invite and
// send_review_session_invite (protocol §3.10).
import { validationError } from '../http/errors.js';
import type { ActionHandler } from './action.js';
import { stringField } from './action.js';
import type { CallContext, Operation } from './context.js';

function keyOf(op: Operation): string | undefined {
  const key = op['entity_key'];
  if (typeof key === 'string') return key;
  return Array.isArray(key) && typeof key[0] === 'string' ? key[0] : undefined;
}

/** `reset_type: "api_key"` on a User returns `{api_key}` (Python User.reset_api_key reads data['api_key']); nothing else is cached. */
export const resetRemote: ActionHandler = {
  run(op, ctx, writer) {
    if (stringField(op, 'reset_type') !== 'api_key') return { action: 'reset_remote', data: null };
    const userId = keyOf(op);
    if (stringField(op, 'entity_type') !== 'User' || !userId) throw validationError('reset_remote api_key needs entity_type User and entity_key.');
    writer.locate('User', userId);
    const { apiKey, activate } = ctx.resetApiKey(userId);
    ctx.afterCommit.push(activate);
    return { action: 'reset_remote', data: { api_key: apiKey } };
  },
};

/** The local review page of the entity (no credentials in the URL: the page asks for them). */
export const getWidgetUrl: ActionHandler = {
  run(op, ctx, writer) {
    if (!stringField(op, 'name')) throw validationError('get_widget_url needs a widget name.');
    const type = stringField(op, 'entity_type');
    const id = keyOf(op);
    return { widget_url: `${ctx.baseUrl()}${type && id ? reviewPath(ctx, writer.locate(type, id)) : '/'}` };
  },
};

function reviewPath(ctx: CallContext, entity: { type: string; row: Record<string, unknown> }): string {
  const id = encodeURIComponent(String(entity.row['id']));
  if (entity.type === 'AssetVersion') return `/review/version/${id}`;
  if (entity.type === 'Project') return `/review/project/${id}`;
  const projectId = entity.row['project_id'];
  return ctx.view.isA(entity.type, 'Context') && typeof projectId === 'string' ? `/review/project/${encodeURIComponent(projectId)}` : '/';
}

/** ftrack-local sends no e-mail; the invite is accepted once the user exists. */
export const sendUserInvite: ActionHandler = {
  run(op, _ctx, writer) {
    const userId = stringField(op, 'user_id');
    if (!userId) throw validationError('send_user_invite needs user_id.');
    writer.locate('User', userId);
    return { sent: true };
  },
};

export const sendReviewSessionInvite: ActionHandler = {
  run(op, _ctx, writer) {
    const inviteeId = stringField(op, 'review_session_invitee_id');
    if (!inviteeId) throw validationError('send_review_session_invite needs review_session_invitee_id.');
    writer.locate('ReviewSessionInvitee', inviteeId);
    return { sent: true };
  },
};
