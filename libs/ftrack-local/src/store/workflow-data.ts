// The workflows of a fresh ftrack site on the one ProjectSchema ("VFX Scheme"):
// task and version workflows with their statuses, task types, priorities and a
// status schema per object type, so project_schema.get_statuses('Task'),
// get_types('Task'), get_statuses('AssetVersion') and the JS getStatuses work.
import type { Row } from './entity-repo.js';
import { stableId } from './stable-id.js';

export type StateShort = 'NOT_STARTED' | 'IN_PROGRESS' | 'BLOCKED' | 'DONE';

export const stateId = (short: StateShort): string => stableId(`state:${short}`);
export const statusId = (name: string): string => stableId(`status:${name}`);
export const typeId = (name: string): string => stableId(`type:${name}`);

export const WORKFLOW_IDS = {
  projectSchema: stableId('project-schema:VFX'),
  taskWorkflow: stableId('workflow-schema:Task'),
  versionWorkflow: stableId('workflow-schema:AssetVersion'),
  taskTypeSchema: stableId('task-type-schema:VFX'),
};

const STATUSES: [name: string, color: string, state: StateShort][] = [
  ['Not started', '#CCCCCC', 'NOT_STARTED'],
  ['Ready to start', '#7F8C8D', 'NOT_STARTED'],
  ['In progress', '#3498DB', 'IN_PROGRESS'],
  ['Pending Review', '#FFA500', 'IN_PROGRESS'],
  ['Requires changes', '#E74C3C', 'IN_PROGRESS'],
  ['On Hold', '#9B59B6', 'BLOCKED'],
  ['Approved', '#1CBC90', 'DONE'],
  ['Completed', '#2ECC71', 'DONE'],
  ['Omitted', '#555555', 'DONE'],
];

const TASK_STATUSES = ['Not started', 'Ready to start', 'In progress', 'Pending Review', 'Requires changes', 'On Hold', 'Approved', 'Omitted'];
const VERSION_STATUSES = ['Not started', 'Pending Review', 'Requires changes', 'Approved'];
const OBJECT_STATUSES = ['Not started', 'In progress', 'On Hold', 'Completed', 'Omitted'];

const TASK_TYPES: [name: string, color: string][] = [
  ['Generic', '#510100'],
  ['Compositing', '#1F6E43'],
  ['Animation', '#E67E22'],
  ['Modeling', '#8E44AD'],
  ['Rigging', '#16A085'],
  ['Lighting', '#F1C40F'],
  ['FX', '#C0392B'],
  ['Layout', '#2980B9'],
  ['Lookdev', '#D35400'],
  ['Tracking', '#27AE60'],
  ['Rotoscoping', '#7F8C8D'],
  ['Editing', '#34495E'],
];

const ASSET_BUILD_TYPES: [name: string, color: string][] = [
  ['Character', '#E91E63'],
  ['Prop', '#795548'],
  ['Environment', '#4CAF50'],
];

export const PRIORITIES: [name: string, color: string, value: number, id?: string][] = [
  ['Urgent', '#E74C3C', 4],
  ['High', '#E67E22', 3],
  ['Medium', '#FFCC00', 2, '9661b320-3a0c-11e2-81c1-0800200c9a66'],
  ['Low', '#3498DB', 1],
  ['None', '#CCCCCC', 0],
];

export interface SeedRow {
  type: string;
  key: unknown[];
  row: Row;
}

const byId = (type: string, row: Row): SeedRow => ({ type, key: [row['id']], row });

export function workflowRows(objectTypeIds: Readonly<Record<string, string>>): SeedRow[] {
  const rows: SeedRow[] = [];
  for (const short of ['NOT_STARTED', 'IN_PROGRESS', 'BLOCKED', 'DONE'] as const) {
    const name = short
      .replace('_', ' ')
      .toLowerCase()
      .replace(/^./, (c) => c.toUpperCase());
    rows.push(byId('State', { id: stateId(short), name, short }));
  }
  STATUSES.forEach(([name, color, state], sort) =>
    rows.push(byId('Status', { id: statusId(name), name, color, sort, is_active: true, state_id: stateId(state) })),
  );
  [...TASK_TYPES, ...ASSET_BUILD_TYPES].forEach(([name, color], sort) => rows.push(byId('Type', { id: typeId(name), name, color, sort, is_billable: true })));
  PRIORITIES.forEach(([name, color, value, id], sort) => rows.push(byId('Priority', { id: id ?? stableId(`priority:${name}`), name, color, sort, value })));

  const workflow = (id: string, name: string, statuses: string[]) => {
    rows.push(byId('WorkflowSchema', { id, name }));
    for (const status of statuses) {
      const row = { workflow_schema_id: id, status_id: statusId(status) };
      rows.push({ type: 'WorkflowSchemaStatus', key: [id, row.status_id], row });
    }
  };
  workflow(WORKFLOW_IDS.taskWorkflow, 'VFX Task Workflow', TASK_STATUSES);
  workflow(WORKFLOW_IDS.versionWorkflow, 'VFX Version Workflow', VERSION_STATUSES);

  rows.push(byId('TaskTypeSchema', { id: WORKFLOW_IDS.taskTypeSchema, name: 'VFX Task Types' }));
  for (const [name] of TASK_TYPES) {
    const row = { task_type_schema_id: WORKFLOW_IDS.taskTypeSchema, type_id: typeId(name) };
    rows.push({ type: 'TaskTypeSchemaType', key: [row.task_type_schema_id, row.type_id], row });
  }

  rows.push(
    byId('ProjectSchema', {
      id: WORKFLOW_IDS.projectSchema,
      name: 'VFX Scheme',
      task_workflow_schema_id: WORKFLOW_IDS.taskWorkflow,
      asset_version_workflow_schema_id: WORKFLOW_IDS.versionWorkflow,
      task_type_schema_id: WORKFLOW_IDS.taskTypeSchema,
    }),
  );
  for (const [objectType, objectTypeId] of Object.entries(objectTypeIds)) {
    const link = { project_schema_id: WORKFLOW_IDS.projectSchema, object_type_id: objectTypeId };
    rows.push({ type: 'ProjectSchemaObjectType', key: [objectTypeId, WORKFLOW_IDS.projectSchema], row: link });
    // Tasks take the task workflow; every other object type has a status schema of its own.
    if (objectType === 'Task') continue;
    const schemaId = stableId(`schema:${objectType}`);
    rows.push(byId('Schema', { id: schemaId, project_schema_id: WORKFLOW_IDS.projectSchema, type_id: objectTypeId, object_type_id: objectTypeId }));
    OBJECT_STATUSES.forEach((status, sort) => {
      const row = { status_id: statusId(status), schema_id: schemaId, sort };
      rows.push({ type: 'SchemaStatus', key: [row.status_id, schemaId], row });
    });
    const types = objectType === 'AssetBuild' ? ASSET_BUILD_TYPES : [];
    types.forEach(([name], sort) => {
      const row = { type_id: typeId(name), schema_id: schemaId, sort };
      rows.push({ type: 'SchemaType', key: [row.type_id, schemaId], row });
    });
  }
  return rows;
}
