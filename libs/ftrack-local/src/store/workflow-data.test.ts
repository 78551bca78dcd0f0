// The demo ProjectSchema's workflows read the way the clients read them:
// JS projectSchema.getStatuses and the queries behind Python's
// project_schema.get_statuses / get_types.
import { projectSchema, Session } from '@ftrack/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFtrackLocal, type FtrackLocalServer } from '../index.js';

let server: FtrackLocalServer;
let session: Session;
let schemaId: string;

const names = (rows: unknown): string[] => (rows as { name: string }[]).map((r) => r.name);

beforeAll(async () => {
  server = await startFtrackLocal({ seed: 'demo' });
  session = new Session(server.url, server.user, server.apiKey, { autoConnectEventHub: false });
  await session.initializing;
  const project = await session.query(`select project_schema_id from Project where id is "${server.seed!.projectId}"`);
  schemaId = (project.data[0] as { project_schema_id: string }).project_schema_id;
});

afterAll(async () => {
  await server.close();
});

describe('workflows of the demo ProjectSchema', () => {
  it('JS getStatuses for Task, AssetVersion and an object type', async () => {
    const task = await projectSchema.getStatuses(session, schemaId, 'Task');
    expect(names(task)).toEqual(['Not started', 'Ready to start', 'In progress', 'Pending Review', 'Requires changes', 'On Hold', 'Approved', 'Omitted']);
    expect((task[0] as { color: string }).color).toMatch(/^#/);
    const version = await projectSchema.getStatuses(session, schemaId, 'AssetVersion');
    expect(names(version)).toEqual(['Not started', 'Pending Review', 'Requires changes', 'Approved']);
    const compositing = (await session.query('select id from Type where name is "Compositing"')).data[0] as { id: string };
    expect(names(await projectSchema.getStatuses(session, schemaId, 'Task', compositing.id))).toEqual(names(task)); // no overrides
    const shot = await projectSchema.getStatuses(session, schemaId, 'Shot');
    expect(names(shot)).toEqual(['Not started', 'In progress', 'On Hold', 'Completed', 'Omitted']);
  });

  it('answers the queries behind Python get_statuses and get_types', async () => {
    const types = await session.query(`select _task_type_schema.types.name from ProjectSchema where id is ${schemaId}`);
    expect(names((types.data[0] as { _task_type_schema: { types: unknown } })._task_type_schema.types)).toContain('Compositing');
    const schemas = await session.query(`select _schemas.type_id, _schemas.id from ProjectSchema where id is ${schemaId}`);
    const assetBuild = (schemas.data[0] as { _schemas: { id: string; type_id: string }[] })._schemas.find(
      (s) => s.type_id === '4be63b64-5010-42fb-bf1f-428af9d638f0',
    );
    expect(assetBuild).toBeDefined();
    const statuses = await session.query(`select task_status.name from SchemaStatus where schema_id is ${assetBuild!.id}`);
    expect((statuses.data as { task_status: { name: string } }[]).map((s) => s.task_status.name)).toContain('Completed');
    const buildTypes = await session.query(`select task_type.name from SchemaType where schema_id is ${assetBuild!.id}`);
    expect((buildTypes.data as { task_type: { name: string } }[]).map((s) => s.task_type.name)).toEqual(['Character', 'Prop', 'Environment']);
    const workflow = await session.query(`select _version_workflow.name, task_workflow_schema.name from ProjectSchema where id is ${schemaId}`);
    expect(workflow.data[0]).toMatchObject({ _version_workflow: { name: 'VFX Version Workflow' }, task_workflow_schema: { name: 'VFX Task Workflow' } });
  });

  it('has the priorities and list categories of a fresh site', async () => {
    const priorities = await session.query('select name, value from Priority order by sort');
    expect(names(priorities.data)).toEqual(['Urgent', 'High', 'Medium', 'Low', 'None']);
    const categories = await session.query('select name from ListCategory');
    expect(names(categories.data)).toContain('Dailies');
  });
});
