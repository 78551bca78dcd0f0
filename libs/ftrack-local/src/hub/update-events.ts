// ftrack.update events for committed changes (protocol §7.5): one event per
// batch, entities with backend attribute names in keys/changes.
import type { EntityChange, EntityRepo, Row } from '../store/entity-repo.js';
import type { SchemaView } from '../store/schema-view.js';
import type { HubEvent } from './event-hub.js';

export interface UpdateContext {
  user: { id: string; username: string; name: string };
  clientToken?: string;
  pushToken?: string;
}

const ACTIONS = { add: 'add', update: 'update', remove: 'remove' } as const;

export function buildUpdateEvent(view: SchemaView, repo: EntityRepo, changes: readonly EntityChange[], ctx: UpdateContext): HubEvent {
  const entities = changes.map((change) => {
    const row = change.after ?? change.before ?? {};
    const keys = changedAttributes(change);
    const schema = view.schema(change.type);
    const backend = (name: string) => {
      const alias = schema.properties[name]?.alias_for;
      return typeof alias === 'string' ? alias : name;
    };
    const changes: Record<string, { old: unknown; new: unknown }> = {};
    for (const key of keys) changes[backend(key)] = { old: change.before?.[key] ?? null, new: change.after?.[key] ?? null };
    const parents = parentChain(view, repo, change.type, row);
    return {
      entityId: change.key.length === 1 ? change.key[0] : change.key,
      entity_type: change.type,
      entityType: backendTable(view, change.type),
      action: ACTIONS[change.action],
      keys: keys.map(backend),
      changes,
      objectTypeId: row['object_type_id'] ?? null,
      parentId: row['parent_id'] ?? row['context_id'] ?? row['asset_id'] ?? row['version_id'] ?? null,
      parents,
    };
  });
  const parentIds = [...new Set(entities.flatMap((e) => e.parents.map((p) => p.entityId)))];
  return {
    topic: 'ftrack.update',
    source: { id: 'ftrack-local', user: { id: ctx.user.id, username: ctx.user.username } },
    data: {
      ...(ctx.clientToken ? { clientToken: ctx.clientToken } : {}),
      ...(ctx.pushToken ? { pushToken: ctx.pushToken } : {}),
      user: { userid: ctx.user.id, name: ctx.user.name },
      parents: parentIds,
      entities,
    },
    target: '',
    inReplyToEvent: null,
  };
}

function changedAttributes(change: EntityChange): string[] {
  const before = change.before ?? {};
  const after = change.after ?? {};
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((name) => JSON.stringify(before[name]) !== JSON.stringify(after[name]));
}

/** Lowercase backend table: `task` for typed contexts, `show` for projects. */
export function backendTable(view: SchemaView, type: string): string {
  if (view.isTypedContext(type)) return 'task';
  const alias = view.schema(type).alias_for;
  const table = typeof alias === 'string' ? alias : typeof alias === 'object' ? alias.id : type;
  return table.toLowerCase();
}

function parentChain(
  view: SchemaView,
  repo: EntityRepo,
  type: string,
  row: Row,
): { entityId: string; entityType: string; entity_type: string; parentId: string | null }[] {
  const chain = [];
  const contextTypes = view.concreteTypes('Context');
  let current: { type: string; row: Row } | undefined = view.isA(type, 'Context') ? { type, row } : undefined;
  const seen = new Set<string>();
  while (current && !seen.has(String(current.row['id']))) {
    seen.add(String(current.row['id']));
    const parentId = typeof current.row['parent_id'] === 'string' ? current.row['parent_id'] : null;
    chain.push({ entityId: String(current.row['id']), entityType: backendTable(view, current.type), entity_type: current.type, parentId });
    current = parentId ? repo.findAmong(contextTypes, [parentId]) : undefined;
  }
  return chain;
}
