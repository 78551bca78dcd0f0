// Server-side defaults clients never send (protocol §3.4): schema defaults,
// system_type, context_type, object_type_id, status/type/priority, version numbers.
import { randomUUID } from 'node:crypto';
import { nowDatetime } from './datetime.js';
import type { EntityRepo, Row } from './entity-repo.js';
import { DEFAULT_PRIORITY_ID, REFERENCE_IDS } from './reference-data.js';
import type { SchemaView } from './schema-view.js';
import { VersionNumbers } from './version-numbers.js';

const COMPONENT_SYSTEM_TYPES: Record<string, string> = {
  FileComponent: 'file',
  SequenceComponent: 'sequence',
  ContainerComponent: 'container',
};

function setIfMissing(row: Row, attribute: string, value: unknown): void {
  if (row[attribute] === undefined || row[attribute] === null) row[attribute] = value;
}

export function applyDefaults(
  view: SchemaView,
  repo: EntityRepo,
  type: string,
  row: Row,
  userId: string,
  versions: VersionNumbers = new VersionNumbers(repo),
): void {
  const schema = view.schema(type);
  for (const [name, prop] of Object.entries(schema.properties)) {
    if (row[name] !== undefined || prop.default === undefined) continue;
    const kind = view.kind(type, name);
    if (kind !== 'scalar' && kind !== 'datetime') continue;
    row[name] = prop.default === '{uid}' ? randomUUID() : prop.default;
  }
  const has = (name: string) => name in schema.properties;
  if (has('created_at')) setIfMissing(row, 'created_at', nowDatetime());
  if (has('created_by_id')) setIfMissing(row, 'created_by_id', userId);

  if (COMPONENT_SYSTEM_TYPES[type]) setIfMissing(row, 'system_type', COMPONENT_SYSTEM_TYPES[type]);
  if (type === 'SequenceComponent') setIfMissing(row, 'padding', 0);

  if (type === 'Project') {
    setIfMissing(row, 'context_type', 'show');
    setIfMissing(row, 'status', 'active');
    setIfMissing(row, 'project_schema_id', REFERENCE_IDS.projectSchema);
    setIfMissing(row, 'full_name', row['name']);
  } else if (view.isTypedContext(type)) {
    setIfMissing(row, 'context_type', 'task');
    setIfMissing(row, 'object_type_id', view.objectTypeId(type));
    setIfMissing(row, 'status_id', REFERENCE_IDS.statusNotStarted);
    setIfMissing(row, 'type_id', REFERENCE_IDS.typeGeneric);
    setIfMissing(row, 'priority_id', DEFAULT_PRIORITY_ID);
    setIfMissing(row, 'bid', 0);
    setIfMissing(row, 'sort', 0);
    if (row['project_id'] === undefined || row['project_id'] === null) row['project_id'] = projectOf(view, repo, row['parent_id']);
  }

  if (view.isA(type, 'List')) {
    setIfMissing(row, 'user_id', userId);
    setIfMissing(row, 'date', nowDatetime());
  }

  switch (type) {
    case 'AssetVersion':
      setIfMissing(row, 'status_id', REFERENCE_IDS.statusNotStarted);
      setIfMissing(row, 'user_id', userId);
      setIfMissing(row, 'date', nowDatetime());
      if (row['version'] === undefined || row['version'] === null) row['version'] = versions.next(row['asset_id']);
      break;
    case 'Job':
      setIfMissing(row, 'user_id', userId);
      break;
    case 'Timer':
      // User.start_timer sends no start: the server starts the clock.
      setIfMissing(row, 'start', nowDatetime());
      setIfMissing(row, 'user_id', userId);
      break;
    case 'Note':
      setIfMissing(row, 'user_id', userId);
      setIfMissing(row, 'date', nowDatetime());
      setIfMissing(row, 'is_todo', false);
      break;
    case 'User':
      setIfMissing(row, 'is_active', true);
      break;
    case 'Status':
      setIfMissing(row, 'is_active', true);
      break;
  }
}

/** Project of a context given its parent id (a Project's own id, or the parent's project). */
export function projectOf(view: SchemaView, repo: EntityRepo, parentId: unknown): string | null {
  if (typeof parentId !== 'string') return null;
  const parent = repo.findAmong(view.concreteTypes('Context'), [parentId]);
  if (!parent) return null;
  return parent.type === 'Project' ? parentId : ((parent.row['project_id'] as string | null) ?? null);
}
