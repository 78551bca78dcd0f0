// Rows every ftrack server has: locations, object types, statuses, types,
// priorities, a project schema, asset types. Inserted once, ids stable.
import type { EntityRepo, Row } from './entity-repo.js';
import { stableId } from './stable-id.js';
import { LOCATION_IDS } from '@ftrack-encode/ftrack-protocol';

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

const STATE_IDS = {
  NOT_STARTED: stableId('state:NOT_STARTED'),
  IN_PROGRESS: stableId('state:IN_PROGRESS'),
  BLOCKED: stableId('state:BLOCKED'),
  DONE: stableId('state:DONE'),
};

export const REFERENCE_IDS = {
  statusNotStarted: stableId('status:Not started'),
  statusInProgress: stableId('status:In progress'),
  statusPendingReview: stableId('status:Pending Review'),
  statusApproved: stableId('status:Approved'),
  typeGeneric: stableId('type:Generic'),
  typeCompositing: stableId('type:Compositing'),
  projectSchema: stableId('project-schema:VFX'),
  assetTypeUpload: stableId('asset-type:Upload'),
  assetTypeReview: stableId('asset-type:Review'),
};

type Seed = [type: string, row: Row];

function referenceRows(): Seed[] {
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
  for (const [short, id] of Object.entries(STATE_IDS)) {
    const name = short.replace('_', ' ').toLowerCase().replace(/^./, (c) => c.toUpperCase());
    rows.push(['State', { id, name, short }]);
  }
  const statuses: [string, string, string, keyof typeof STATE_IDS][] = [
    [REFERENCE_IDS.statusNotStarted, 'Not started', '#CCCCCC', 'NOT_STARTED'],
    [REFERENCE_IDS.statusInProgress, 'In progress', '#3498DB', 'IN_PROGRESS'],
    [REFERENCE_IDS.statusPendingReview, 'Pending Review', '#FFA500', 'IN_PROGRESS'],
    [REFERENCE_IDS.statusApproved, 'Approved', '#1CBC90', 'DONE'],
  ];
  statuses.forEach(([id, name, color, state], sort) =>
    rows.push(['Status', { id, name, color, sort, is_active: true, state_id: STATE_IDS[state] }]),
  );
  rows.push(['Type', { id: REFERENCE_IDS.typeGeneric, name: 'Generic', color: '#510100', sort: 0, is_billable: true }]);
  rows.push(['Type', { id: REFERENCE_IDS.typeCompositing, name: 'Compositing', color: '#1F6E43', sort: 1, is_billable: true }]);
  rows.push(['Priority', { id: DEFAULT_PRIORITY_ID, name: 'Medium', color: '#FFCC00', sort: 1, value: 0 }]);
  rows.push(['ProjectSchema', { id: REFERENCE_IDS.projectSchema, name: 'VFX Scheme' }]);
  rows.push(['AssetType', { id: REFERENCE_IDS.assetTypeUpload, name: 'Upload', short: 'upload', component: 'main' }]);
  rows.push(['AssetType', { id: REFERENCE_IDS.assetTypeReview, name: 'Review', short: 'review', component: 'main' }]);
  return rows;
}

/** Inserts the reference rows that are not there yet (idempotent). */
export function ensureReferenceData(repo: EntityRepo): void {
  repo.transaction(() => {
    for (const [type, row] of referenceRows()) {
      if (!repo.get(type, [row['id']])) repo.insert(type, [row['id']], row);
    }
  });
}
