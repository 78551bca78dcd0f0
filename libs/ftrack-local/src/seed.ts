// The demo hierarchy Project -> Sequence -> Shot -> Task -> Asset -> AssetVersion.
// Idempotent: a restart on the same data dir reuses the seed if it still exists.
import { ensureDemoCustomAttributes } from './custom-attributes/demo-configurations.js';
import type { EntityRepo } from './store/entity-repo.js';
import { EntityWriter } from './store/entity-writer.js';
import { REFERENCE_IDS } from './store/reference-data.js';
import type { SchemaView } from './store/schema-view.js';
import { readMeta, writeMeta, type Db } from './store/sqlite.js';

export interface DemoSeed {
  projectId: string;
  sequenceId: string;
  shotId: string;
  taskId: string;
  assetId: string;
  versionId: string;
}

export function ensureDemoSeed(db: Db, repo: EntityRepo, view: SchemaView, userId: string): DemoSeed {
  const seed = ensureDemoHierarchy(db, repo, view, userId);
  ensureDemoCustomAttributes(repo, seed);
  return seed;
}

function ensureDemoHierarchy(db: Db, repo: EntityRepo, view: SchemaView, userId: string): DemoSeed {
  const stored = readMeta(db, 'demo_seed');
  if (stored) {
    const seed = JSON.parse(stored) as DemoSeed;
    if (repo.get('Project', [seed.projectId]) && repo.get('AssetVersion', [seed.versionId])) return seed;
  }
  const writer = new EntityWriter(view, repo);
  const { result } = repo.transaction(() => {
    const id = (entity: Record<string, unknown>) => String(entity['id']);
    const projectId = id(writer.create('Project', { name: 'demo', full_name: 'Demo project' }, userId));
    const ref = (type: string, entityId: string) => ({ __entity_type__: type, id: entityId });
    const sequenceId = id(writer.create('Sequence', { name: 'sq010', parent: ref('Project', projectId) }, userId));
    const shotId = id(writer.create('Shot', { name: 'sh010', parent: ref('Sequence', sequenceId) }, userId));
    const taskId = id(writer.create('Task', { name: 'compositing', parent: ref('Shot', shotId), type_id: REFERENCE_IDS.typeCompositing }, userId));
    const assetId = id(writer.create('Asset', { name: 'sh010_comp', parent: ref('Shot', shotId), type_id: REFERENCE_IDS.assetTypeReview }, userId));
    const versionId = id(writer.create('AssetVersion', { asset: ref('Asset', assetId), task: ref('Task', taskId), comment: 'Seeded by ftrack-local' }, userId));
    const seed: DemoSeed = { projectId, sequenceId, shotId, taskId, assetId, versionId };
    writeMeta(db, 'demo_seed', JSON.stringify(seed));
    return seed;
  });
  return result;
}
