// Where an entity sits for custom attributes: its configuration entity_type,
// project, object type, and the chain of ids hierarchical values inherit along
// (the entity first, then its asset and contexts up to the project).
import type { EntityRepo, Row } from '../store/entity-repo.js';
import type { SchemaView } from '../store/schema-view.js';
import { configurationEntityType } from './value-types.js';

export interface EntityScope {
  entityType: string;
  projectId: string | null;
  objectTypeId: string | null;
  /** Ids to look for a hierarchical value, nearest first. */
  chain: string[];
}

const MAX_DEPTH = 100;

export function entityScope(view: SchemaView, repo: EntityRepo, type: string, row: Row): EntityScope | undefined {
  const entityType = configurationEntityType(view, type);
  if (entityType === undefined) return undefined;
  const id = String(row['id']);
  const chain = [id];
  let contextId: unknown;
  if (type === 'AssetVersion') {
    const assetId = row['asset_id'];
    const asset = typeof assetId === 'string' ? repo.get('Asset', [assetId]) : undefined;
    if (asset) {
      chain.push(String(asset['id']));
      contextId = asset['context_id'];
    }
  } else if (type === 'Asset') {
    contextId = row['context_id'];
  } else if (view.isA(type, 'Context')) {
    contextId = row['parent_id'];
  }
  let projectId: string | null = type === 'Project' ? id : typeof row['project_id'] === 'string' ? row['project_id'] : null;
  const contextTypes = view.concreteTypes('Context');
  for (let depth = 0; typeof contextId === 'string' && depth < MAX_DEPTH && !chain.includes(contextId); depth++) {
    const context = repo.findAmong(contextTypes, [contextId]);
    if (!context) break;
    chain.push(contextId);
    if (context.type === 'Project') projectId = contextId;
    else if (projectId === null && typeof context.row['project_id'] === 'string') projectId = context.row['project_id'];
    contextId = context.row['parent_id'];
  }
  const objectTypeId = typeof row['object_type_id'] === 'string' ? row['object_type_id'] : null;
  return { entityType, projectId, objectTypeId, chain };
}
