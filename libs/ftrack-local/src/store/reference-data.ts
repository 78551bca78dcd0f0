// Rows every ftrack server has: locations, object types, statuses, types,
// priorities, a project schema, asset types. Inserted once, ids stable.
import type { EntityRepo, Row } from './entity-repo.js';
import { customAttributeTypeRows } from '../custom-attributes/attribute-types.js';
import { stableId } from './stable-id.js';
import { LOCATION_IDS } from '@ftrack-encode/ftrack-protocol';
import { statusId, typeId, workflowRows, WORKFLOW_IDS, type SeedRow } from './workflow-data.js';

export { LOCATION_IDS };

export const OBJECT_TYPE_IDS = {
  Task: '11c137c0-ee7e-4f9c-91c5-8c77cec22b2c',
  Shot: 'bad911de-3bd6-47b9-8b46-3476e237cb36',
  Sequence: 'e5139355-61da-4c8f-9db4-3abc870166bc',
  Episode: '22139355-61da-4c8f-9db4-3abc870166bc',
  Folder: '3c133785-51cb-11e3-980a-20c9d0831e59',
  AssetBuild: '4be63b64-5010-42fb-bf1f-428af9d638f0',
  Milestone: '01decdd1-51cb-11e3-9d5b-20c9d0831e59',
} as const;

export const DEFAULT_PRIORITY_ID = '9661b320-3a0c-11e2-81c1-0800200c9a66';

export const REFERENCE_IDS = {
  statusNotStarted: statusId('Not started'),
  statusInProgress: statusId('In progress'),
  statusPendingReview: statusId('Pending Review'),
  statusApproved: statusId('Approved'),
  typeGeneric: typeId('Generic'),
  typeCompositing: typeId('Compositing'),
  projectSchema: WORKFLOW_IDS.projectSchema,
  assetTypeUpload: stableId('asset-type:Upload'),
  assetTypeReview: stableId('asset-type:Review'),
};

type Seed = [type: string, row: Row];

function referenceRows(): SeedRow[] {
  const rows: Seed[] = [];
  const locations: [string, string, string][] = [
    [LOCATION_IDS.server, 'ftrack.server', 'ftrack server'],
    [LOCATION_IDS.origin, 'ftrack.origin', 'origin'],
    [LOCATION_IDS.unmanaged, 'ftrack.unmanaged', 'unmanaged'],
    [LOCATION_IDS.review, 'ftrack.review', 'review'],
    [LOCATION_IDS.connect, 'ftrack.connect', 'connect'],
  ];
  for (const [id, name, label] of locations) rows.push(['Location', { id, name, label, description: null }]);
  Object.entries(OBJECT_TYPE_IDS).forEach(([name, id], sort) => {
    rows.push([
      'ObjectType',
      {
        id,
        name,
        icon: name.toLowerCase(),
        sort,
        is_leaf: name === 'Task' || name === 'Milestone',
        is_time_reportable: name === 'Task',
        is_taskable: true,
        is_typeable: name === 'Task' || name === 'Milestone',
        is_statusable: true,
        is_schedulable: name === 'Task' || name === 'Milestone',
      },
    ]);
  });
  rows.push(['AssetType', { id: REFERENCE_IDS.assetTypeUpload, name: 'Upload', short: 'upload', component: 'main' }]);
  rows.push(['AssetType', { id: REFERENCE_IDS.assetTypeReview, name: 'Review', short: 'review', component: 'main' }]);
  for (const name of ['Default', 'Dailies', 'Client Review']) rows.push(['ListCategory', { id: stableId(`list-category:${name}`), name }]);
  for (const row of customAttributeTypeRows()) rows.push(['CustomAttributeType', row]);
  return [...rows.map(([type, row]): SeedRow => ({ type, key: [row['id']], row })), ...workflowRows(OBJECT_TYPE_IDS)];
}

/** Inserts the reference rows that are not there yet (idempotent). */
export function ensureReferenceData(repo: EntityRepo): void {
  repo.transaction(() => {
    for (const { type, key, row } of referenceRows()) {
      const stored = repo.get(type, key);
      if (!stored) repo.insert(type, key, row);
      // Data dirs from older versions lack attributes added since (e.g. the ProjectSchema's workflows).
      else if (Object.keys(row).some((name) => !(name in stored))) repo.replace(type, key, { ...row, ...stored }, stored);
    }
  });
}
