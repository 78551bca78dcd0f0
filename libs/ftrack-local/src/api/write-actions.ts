// create, update, delete (protocol §3.4-3.6).
import { validationError } from '../http/errors.js';
import type { ActionHandler } from './action.js';
import { stringField } from './action.js';
import type { Operation } from './context.js';

function entityData(op: Operation): Record<string, unknown> {
  const data = op['entity_data'] ?? {};
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw validationError('entity_data must be an object.');
  return data as Record<string, unknown>;
}

function entityType(op: Operation): string {
  const type = stringField(op, 'entity_type');
  if (!type) throw validationError('entity_type is required.');
  return type;
}

export const create: ActionHandler = {
  run(op, ctx, writer) {
    return { action: 'create', data: writer.create(entityType(op), entityData(op), ctx.user.id) };
  },
};

export const update: ActionHandler = {
  run(op, _ctx, writer) {
    return { action: 'update', data: writer.update(entityType(op), op['entity_key'], entityData(op)) };
  },
};

export const remove: ActionHandler = {
  run(op, _ctx, writer) {
    writer.delete(entityType(op), op['entity_key']);
    return { action: 'delete', data: true };
  },
};
