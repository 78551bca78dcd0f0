import { describe, expect, it } from 'vitest';
import { defaultSchemaModel } from '../schema/index.js';
import { QueryEvaluationError } from './errors.js';
import { executeQuery } from './evaluate.js';
import { parseQuery } from './parser.js';
import type { QueryDataSource, Row } from './types.js';

const SERVER = '3a372bde-05bc-11e4-8908-20c9d081909b';
const REVIEW = 'cd41be70-8809-11e3-b98a-20c9d081909b';
const TASK_OT = '11c137c0-ee7e-4f9c-91c5-8c77cec22b2c';

const ctx = (type: string, id: string, name: string, parent: string | null, extra: Row = {}): [string, Row] => [
  type,
  { id, name, parent_id: parent, project_id: 'p-1', context_type: type === 'Project' ? 'show' : 'task', ...extra },
];

// A small production: demo/sq010/{sh010,SH020}/{comp,anim,Comp} with versions, components,
// locations, metadata, statuses, notes, assignments and a job.
const DATA: [string, Row][] = [
  ctx('Project', 'p-1', 'demo', null, { full_name: 'Demo', status: 'active', project_schema_id: 'ps-1', created_at: '2024-01-01T00:00:00Z' }),
  ctx('Project', 'p-2', 'other', null, { project_id: 'p-2', status: 'hidden', project_schema_id: 'ps-2' }),
  ['ProjectSchema', { id: 'ps-1', name: 'VFX', task_workflow_schema_id: 'wf-1' }],
  ['ProjectSchema', { id: 'ps-2', name: 'Anim' }],
  ['WorkflowSchema', { id: 'wf-1', name: 'Tasks' }],
  ['WorkflowSchemaStatus', { workflow_schema_id: 'wf-1', status_id: 'st-ns' }],
  ['WorkflowSchemaStatus', { workflow_schema_id: 'wf-1', status_id: 'st-ip' }],
  ['State', { id: 'state-ns', name: 'Not started', short: 'NOT_STARTED' }],
  ['State', { id: 'state-ip', name: 'In progress', short: 'IN_PROGRESS' }],
  ['State', { id: 'state-done', name: 'Done', short: 'DONE' }],
  ['Status', { id: 'st-ns', name: 'Not started', color: '#ccc', sort: 0, is_active: true, state_id: 'state-ns' }],
  ['Status', { id: 'st-ip', name: 'In Progress', color: '#0f0', sort: 1, is_active: true, state_id: 'state-ip' }],
  ['Status', { id: 'st-ap', name: 'Approved', color: '#00f', sort: 2, is_active: true, state_id: 'state-done' }],
  ['Priority', { id: 'pr-hi', name: 'High', sort: 1 }],
  ['Priority', { id: 'pr-lo', name: 'Low', sort: 5 }],
  ctx('Sequence', 'sq-1', 'sq010', 'p-1', { status_id: 'st-ip' }),
  ctx('Shot', 'sh-1', 'sh010', 'sq-1', { status_id: 'st-ip' }),
  ctx('Shot', 'sh-2', 'SH020', 'sq-1', { status_id: 'st-ns' }),
  ctx('Task', 't-1', 'comp', 'sh-1', { status_id: 'st-ns', priority_id: 'pr-lo', object_type_id: TASK_OT, created_at: '2024-03-01T10:00:00' }),
  ctx('Task', 't-2', 'anim', 'sh-1', { status_id: 'st-ip', priority_id: 'pr-hi', object_type_id: TASK_OT, created_at: '2024-02-01T10:00:00Z' }),
  ctx('Task', 't-3', 'Comp', 'sh-2', { status_id: 'st-ap', priority_id: null, object_type_id: TASK_OT, created_at: null }),
  ctx('Folder', 'f-1', 'ref', 'p-2', { project_id: 'p-2' }),
  ['User', { id: 'u-1', username: 'jane', first_name: 'Jane', last_name: 'Doe', is_active: true, resource_type: 'user' }],
  ['User', { id: 'u-2', username: 'jenkins', first_name: 'CI', last_name: 'Bot', is_active: true, resource_type: 'user' }],
  ['Appointment', { id: 'ap-1', context_id: 't-1', resource_id: 'u-1', type: 'assignment' }],
  ['Appointment', { id: 'ap-2', context_id: 't-2', resource_id: 'u-2', type: 'assignment' }],
  ['Appointment', { id: 'ap-3', context_id: 't-3', resource_id: 'u-1', type: 'allocation' }],
  ['Timelog', { id: 'tl-1', user_id: 'u-1', context_id: 't-1', start: '2015-06-02T09:00:00', duration: 3600 }],
  ['Note', { id: 'n-1', parent_id: 't-1', parent_type: 'Task', user_id: 'u-1', content: 'fix edge' }],
  ['Note', { id: 'n-2', parent_id: 'v-1', parent_type: 'AssetVersion', user_id: 'u-2', content: 'ok' }],
  ['AssetType', { id: 'at-1', name: 'Upload', short: 'upload' }],
  ['Asset', { id: 'a-1', name: 'plate', context_id: 'sh-1', type_id: 'at-1' }],
  ['Asset', { id: 'a-2', name: 'comp', context_id: 'sh-2', type_id: 'at-1' }],
  [
    'AssetVersion',
    {
      id: 'v-1',
      asset_id: 'a-1',
      version: 1,
      task_id: 't-1',
      status_id: 'st-ap',
      is_published: 1,
      comment: 'first',
      date: '2024-01-01T10:00:00Z',
      thumbnail_id: 'c-3',
    },
  ],
  [
    'AssetVersion',
    { id: 'v-2', asset_id: 'a-1', version: 2, task_id: 't-1', status_id: 'st-ip', is_published: true, comment: 'Second', date: '2024-01-02T10:00:00+02:00' },
  ],
  ['AssetVersion', { id: 'v-3', asset_id: null, version: 1, status_id: 'st-ns', comment: null }],
  ['FileComponent', { id: 'c-1', name: 'ftrackreview-mp4', version_id: 'v-2', file_type: '.mp4', size: 1000, system_type: 'file' }],
  ['FileComponent', { id: 'c-2', name: 'main', version_id: 'v-2', file_type: '.mov', size: 5000, system_type: 'file' }],
  ['FileComponent', { id: 'c-3', name: 'thumbnail', version_id: 'v-1', file_type: '.jpg', size: 10, system_type: 'file' }],
  ['SequenceComponent', { id: 'c-seq', name: 'frames', version_id: 'v-1', file_type: '.exr', padding: 4, size: 0, system_type: 'sequence' }],
  ['FileComponent', { id: 'c-f1', name: '1001', container_id: 'c-seq', file_type: '.exr', size: 7, system_type: 'file' }],
  ['FileComponent', { id: 'c-f2', name: '1002', container_id: 'c-seq', file_type: '.exr', size: 7, system_type: 'file' }],
  ['Location', { id: SERVER, name: 'ftrack.server' }],
  ['Location', { id: REVIEW, name: 'ftrack.review' }],
  ['ComponentLocation', { id: 'cl-1', component_id: 'c-1', location_id: SERVER, resource_identifier: 'c-1' }],
  ['ComponentLocation', { id: 'cl-2', component_id: 'c-2', location_id: SERVER, resource_identifier: 'c-2' }],
  ['ComponentLocation', { id: 'cl-3', component_id: 'c-1', location_id: REVIEW, resource_identifier: 'https://cdn/x.mp4' }],
  ['Metadata', { parent_id: 'c-1', key: 'ftr_meta', value: '{"frameIn": 0, "frameOut": 10}', parent_type: 'FileComponent' }],
  ['Metadata', { parent_id: 'c-1', key: 'source', value: '100% A.mov', parent_type: 'FileComponent' }],
  ['Metadata', { parent_id: 'p-1', key: 'some_key', value: 'some_value', parent_type: 'Project' }],
  ['Job', { id: 'j-1', status: 'done', type: 'api_job', data: '{"output": []}', user_id: 'u-2', created_at: '2024-05-05T05:05:05.123456' }],
  ['JobComponent', { component_id: 'c-1', job_id: 'j-1' }],
];

const byType = new Map<string, Row[]>();
for (const [type, row] of DATA) byType.set(type, [...(byType.get(type) ?? []), row]);

const source: QueryDataSource = {
  model: defaultSchemaModel(),
  rows: (type) => {
    if (!source.model.has(type) || source.model.isAbstract(type)) throw new Error(`rows() asked for ${type}`);
    return byType.get(type) ?? [];
  },
  computed: (type, row, attribute) => {
    if (attribute === 'thumbnail_url' && row['thumbnail_id']) return { url: `http://local/thumb/${String(row['thumbnail_id'])}` };
    if (attribute === 'link' && type === 'Task') return [{ id: row['id'], name: row['name'], type: 'TypedContext' }];
    return undefined;
  },
};

const run = (expression: string, strict = false) => executeQuery(parseQuery(expression), source, { strict });
const ids = (expression: string) => run(expression).data.map((e) => e['id'] ?? `${String(e['parent_id'])}/${String(e['key'])}`);

describe('executeQuery: output shape', () => {
  it('returns concrete type, primary keys, system projections and the projection', () => {
    expect(run('select name from Task where id is t-1')).toEqual({
      data: [{ __entity_type__: 'Task', id: 't-1', project_id: 'p-1', context_type: 'task', object_type_id: TASK_OT, name: 'comp' }],
      metadata: { next: { offset: null } },
    });
  });

  it('strict mode returns only type, keys and what was asked', () => {
    expect(run('select name from Task where id is t-1', true).data).toEqual([{ __entity_type__: 'Task', id: 't-1', name: 'comp' }]);
  });

  it('without select uses the default projections', () => {
    expect(run('Task where name is anim', true).data).toEqual([{ __entity_type__: 'Task', id: 't-2', context_type: 'task', name: 'anim' }]);
    expect(run('select parent_id, key from Metadata where key is "ftr_meta" and parent_id is "c-1" and parent_type is "FileComponent"', true).data).toEqual([
      { __entity_type__: 'Metadata', parent_id: 'c-1', key: 'ftr_meta' },
    ]);
  });

  it('sends datetimes as naive UTC datetime objects and normalises stored booleans', () => {
    const [t2] = run('select name, created_at from Task where id is t-2', true).data;
    expect(t2).toEqual({ __entity_type__: 'Task', id: 't-2', name: 'anim', created_at: { __type__: 'datetime', value: '2024-02-01T10:00:00' } });
    const versions = run('select date, is_published from AssetVersion order by version, date', true).data;
    expect(versions.map((v) => [v['id'], v['date'], v['is_published']])).toEqual([
      ['v-1', { __type__: 'datetime', value: '2024-01-01T10:00:00' }, true],
      ['v-3', null, null],
      ['v-2', { __type__: 'datetime', value: '2024-01-02T08:00:00' }, true],
    ]);
    expect(run('select created_at from Job', true).data[0]!['created_at']).toEqual({ __type__: 'datetime', value: '2024-05-05T05:05:05' });
  });

  it('expands a bare relation to the target default projections (reference, collection, mapped metadata)', () => {
    expect(run('select status, notes from Task where id is t-1', true).data[0]).toEqual({
      __entity_type__: 'Task',
      id: 't-1',
      status: { __entity_type__: 'Status', id: 'st-ns' },
      notes: [{ __entity_type__: 'Note', id: 'n-1' }],
    });
    expect(run(`select metadata from FileComponent where id is c-1 offset 0 limit 500`).data[0]).toEqual({
      __entity_type__: 'FileComponent',
      id: 'c-1',
      system_type: 'file',
      version_id: 'v-2',
      metadata: [
        { __entity_type__: 'Metadata', parent_id: 'c-1', key: 'ftr_meta', value: '{"frameIn": 0, "frameOut": 10}', parent_type: 'FileComponent' },
        { __entity_type__: 'Metadata', parent_id: 'c-1', key: 'source', value: '100% A.mov', parent_type: 'FileComponent' },
      ],
    });
  });

  it('nests multi-level projections and sends full data at every occurrence, finitely', () => {
    expect(run('select status.state.short from Task where status.state.short is NOT_STARTED limit 2', true).data).toEqual([
      {
        __entity_type__: 'Task',
        id: 't-1',
        status: { __entity_type__: 'Status', id: 'st-ns', state: { __entity_type__: 'State', id: 'state-ns', short: 'NOT_STARTED' } },
      },
    ]);
    const [v1] = run('select version, asset.versions.version from AssetVersion where asset_id is_not None limit 1').data;
    expect(v1).toEqual({
      __entity_type__: 'AssetVersion',
      id: 'v-1',
      asset_id: 'a-1',
      version: 1,
      asset: {
        __entity_type__: 'Asset',
        id: 'a-1',
        context_id: 'sh-1',
        versions: [
          { __entity_type__: 'AssetVersion', id: 'v-1', asset_id: 'a-1', version: 1 },
          { __entity_type__: 'AssetVersion', id: 'v-2', asset_id: 'a-1', version: 2 },
        ],
      },
    });
  });

  it('renders unset references as null and empty collections as []', () => {
    expect(run('select asset, components from AssetVersion where id is v-3', true).data[0]).toEqual({
      __entity_type__: 'AssetVersion',
      id: 'v-3',
      asset: null,
      components: [],
    });
  });

  it('walks many-to-many, derived and computed attributes', () => {
    const [schema] = run('select _task_workflow.statuses.name, _task_workflow.statuses.color from ProjectSchema where id is ps-1', true).data;
    expect(schema!['_task_workflow']).toEqual({
      __entity_type__: 'WorkflowSchema',
      id: 'wf-1',
      statuses: [
        { __entity_type__: 'Status', id: 'st-ns', name: 'Not started', color: '#ccc' },
        { __entity_type__: 'Status', id: 'st-ip', name: 'In Progress', color: '#0f0' },
      ],
    });
    expect(run('select latest_version.version from Asset where id is a-1', true).data[0]!['latest_version']).toEqual({
      __entity_type__: 'AssetVersion',
      id: 'v-2',
      version: 2,
    });
    expect(run('select ancestors.name from Task where id is t-1', true).data[0]!['ancestors']).toEqual([
      { __entity_type__: 'Sequence', id: 'sq-1', name: 'sq010' },
      { __entity_type__: 'Shot', id: 'sh-1', name: 'sh010' },
    ]);
    expect(run('select thumbnail_url, thumbnail.name from AssetVersion where id is v-1', true).data[0]).toEqual({
      __entity_type__: 'AssetVersion',
      id: 'v-1',
      thumbnail_url: { url: 'http://local/thumb/c-3' },
      thumbnail: { __entity_type__: 'FileComponent', id: 'c-3', name: 'thumbnail' },
    });
    expect(run('select link from Task where id is t-3', true).data[0]!['link']).toEqual([{ id: 't-3', name: 'Comp', type: 'TypedContext' }]);
    expect(run('select thumbnail_url from AssetVersion where id is v-2', true).data[0]!['thumbnail_url']).toBeNull();
  });

  it('projects through components, locations and jobs (the media graph)', () => {
    const [v2] = run('select components.name, components.component_locations.location.name from AssetVersion where id is v-2', true).data;
    expect(v2!['components']).toEqual([
      {
        __entity_type__: 'FileComponent',
        id: 'c-1',
        name: 'ftrackreview-mp4',
        component_locations: [
          { __entity_type__: 'ComponentLocation', id: 'cl-1', location: { __entity_type__: 'Location', id: SERVER, name: 'ftrack.server' } },
          { __entity_type__: 'ComponentLocation', id: 'cl-3', location: { __entity_type__: 'Location', id: REVIEW, name: 'ftrack.review' } },
        ],
      },
      {
        __entity_type__: 'FileComponent',
        id: 'c-2',
        name: 'main',
        component_locations: [
          { __entity_type__: 'ComponentLocation', id: 'cl-2', location: { __entity_type__: 'Location', id: SERVER, name: 'ftrack.server' } },
        ],
      },
    ]);
    expect(run('select job_components.component.name from Job where id is j-1', true).data[0]!['job_components']).toEqual([
      {
        __entity_type__: 'JobComponent',
        component_id: 'c-1',
        job_id: 'j-1',
        component: { __entity_type__: 'FileComponent', id: 'c-1', name: 'ftrackreview-mp4' },
      },
    ]);
    expect(run('select members.name from SequenceComponent', true).data[0]!['members']).toEqual([
      { __entity_type__: 'FileComponent', id: 'c-f1', name: '1001' },
      { __entity_type__: 'FileComponent', id: 'c-f2', name: '1002' },
    ]);
  });

  it('projects a cast path only where the related entity has the attribute', () => {
    expect(run('select parent.name, parent.full_name from Context where id in (sq-1, sh-1) order by name descending', true).data).toEqual([
      { __entity_type__: 'Sequence', id: 'sq-1', parent: { __entity_type__: 'Project', id: 'p-1', name: 'demo', full_name: 'Demo' } },
      { __entity_type__: 'Shot', id: 'sh-1', parent: { __entity_type__: 'Sequence', id: 'sq-1', name: 'sq010' } },
    ]);
  });
});

describe('executeQuery: base types', () => {
  it('Context returns every concrete subtype with its own type', () => {
    const data = run('Context order by name').data;
    expect(data.map((e) => `${e.__entity_type__}:${String(e['name'])}`)).toEqual([
      'Task:anim',
      'Task:comp',
      'Task:Comp',
      'Project:demo',
      'Project:other',
      'Folder:ref',
      'Shot:sh010',
      'Shot:SH020',
      'Sequence:sq010',
    ]);
  });

  it('TypedContext excludes projects; Component and ContainerComponent include subtypes', () => {
    expect(ids('TypedContext where name is sh010')).toEqual(['sh-1']);
    expect(ids('TypedContext where parent_id is p-1 or parent_id is p-2').sort()).toEqual(['f-1', 'sq-1']);
    expect(run('Component where version_id is v-1').data.map((e) => e.__entity_type__)).toEqual(['SequenceComponent', 'FileComponent']);
    expect(ids('ContainerComponent')).toEqual(['c-seq']);
  });

  it('allows attributes of subtypes on a base query (other subtypes never match)', () => {
    expect(ids('Context where status.name is "in progress"')).toEqual(['t-2', 'sh-1', 'sq-1']);
  });
});

describe('executeQuery: operators', () => {
  it('is / = / is_not / != with case-insensitive names and exact ids', () => {
    expect(ids('Task where name is COMP')).toEqual(['t-1', 't-3']);
    expect(ids('Task where name = comp and id != t-1')).toEqual(['t-3']);
    expect(ids('Task where id is T-1')).toEqual([]);
    expect(ids('Task where name is_not comp')).toEqual(['t-2']);
  });

  it('ordered comparisons on numbers, strings and datetimes (as instants)', () => {
    expect(ids('AssetVersion where version > 1')).toEqual(['v-2']);
    expect(ids('AssetVersion where version >= 1 and version <= 1')).toEqual(['v-1', 'v-3']);
    expect(ids('AssetVersion where version greater_than 0 and version less_than 2')).toEqual(['v-1', 'v-3']);
    expect(ids('AssetVersion where date after "2024-01-02T00:00:00"')).toEqual(['v-2']);
    expect(ids('AssetVersion where date before 2024-01-02T09:00:00')).toEqual(['v-1', 'v-2']);
    expect(ids('AssetVersion where date is "2024-01-02T08:00:00Z"')).toEqual(['v-2']);
    expect(ids('AssetVersion where date < 2024-01-02')).toEqual(['v-1']);
    expect(ids('Task where name < b')).toEqual(['t-2']);
    expect(ids('Task where timelogs.start >= "2015-06-01T00:00:00"')).toEqual(['t-1']);
  });

  it('like / not_like with %, _ and backslash escapes', () => {
    expect(ids('Task where name like "co%"')).toEqual(['t-1', 't-3']);
    expect(ids('Task where name like "_nim"')).toEqual(['t-2']);
    expect(ids('Task where name not_like "%omp"')).toEqual(['t-2']);
    expect(ids('Component where name like "ftrackreview_mp4"')).toEqual(['c-1']);
    expect(ids(String.raw`Component where name like "ftrackreview\_mp4"`)).toEqual([]);
    expect(ids(String.raw`Metadata where value like "%\%%"`)).toEqual(['c-1/source']);
    expect(ids(String.raw`Metadata where value like "1000%"`)).toEqual([]);
  });

  it('in / not_in with literal lists, empty lists and sub-queries', () => {
    expect(ids('AssetVersion where task_id in ("t-1","t-2") order by version descending')).toEqual(['v-2', 'v-1']);
    expect(ids(`ComponentLocation where location_id is ${SERVER} and component_id in (c-1,c-2)`)).toEqual(['cl-1', 'cl-2']);
    expect(ids('Task where name in (ANIM, x)')).toEqual(['t-2']);
    expect(ids('Task where id in ()')).toEqual([]);
    expect(ids('Task where id not_in ()')).toEqual(['t-1', 't-2', 't-3']);
    expect(ids('Task where status.name not_in ("Omitted", "On Hold", "approved")')).toEqual(['t-1', 't-2']);
    expect(ids('AssetVersion where asset_id in (None, a-9)')).toEqual(['v-3']);
    expect(ids('Project where project_schema in (select id from ProjectSchema where name is "VFX")')).toEqual(['p-1']);
    expect(ids('Project where project_schema not_in (select id from ProjectSchema where name is "VFX")')).toEqual(['p-2']);
    expect(ids('AssetVersion where asset_id in (select id from Asset where context_id in (select id from Shot where name is sh010))')).toEqual(['v-1', 'v-2']);
  });

  it('null semantics: is None on scalars, references and paths; comparisons never match null', () => {
    expect(ids('AssetVersion where asset is None')).toEqual(['v-3']);
    expect(ids('AssetVersion where asset is_not None')).toEqual(['v-1', 'v-2']);
    expect(ids('AssetVersion where asset_id is null')).toEqual(['v-3']);
    expect(ids('AssetVersion where asset.name is None')).toEqual(['v-3']);
    expect(ids('AssetVersion where comment is NONE')).toEqual(['v-3']);
    expect(ids('AssetVersion where comment != first')).toEqual(['v-2']);
  });

  it('coerces literals to the attribute type', () => {
    expect(ids('AssetVersion where version is "2"')).toEqual(['v-2']);
    expect(ids('AssetVersion where is_published is true')).toEqual(['v-1', 'v-2']);
    expect(ids('AssetVersion where is_published is "False"')).toEqual([]);
    expect(ids('Task where project_id is 123')).toEqual([]);
    expect(() => run('AssetVersion where version is abc')).toThrow('Cannot compare numeric attribute "version" with "abc".');
    expect(() => run('AssetVersion where date > soon')).toThrow(QueryEvaluationError);
  });

  it('paths through references and (existentially) through collections', () => {
    expect(ids('AssetVersion where asset.parent.name is sh010')).toEqual(['v-1', 'v-2']);
    expect(ids('AssetVersion where components.name is main')).toEqual(['v-2']);
    expect(ids('Asset where versions.version > 1')).toEqual(['a-1']);
    expect(ids('Shot where children.name is comp')).toEqual(['sh-1', 'sh-2']);
    expect(ids('FileComponent where component_locations.location_id is ' + REVIEW)).toEqual(['c-1']);
    expect(ids('Location where location_components.component.version.version is 2')).toEqual([SERVER, REVIEW]);
  });

  it('has / any, including empty any () and not', () => {
    expect(ids('Note where author has (first_name is "Jane" and last_name is "Doe")')).toEqual(['n-1']);
    expect(ids('Project where metadata any (key=some_key and value=some_value)')).toEqual(['p-1']);
    expect(ids('Project where metadata any (key=some_key and value=other)')).toEqual([]);
    expect(ids('User where not timelogs any ()')).toEqual(['u-2']);
    expect(ids('User where timelogs any ()')).toEqual(['u-1']);
    expect(ids('Task where assignments any (resource.username = "jane")')).toEqual(['t-1']);
    expect(ids('Shot where ancestors any (name is sq010)')).toEqual(['sh-1', 'sh-2']);
    expect(ids('Sequence where descendants any (name is anim)')).toEqual(['sq-1']);
  });

  it('casts narrow polymorphic relations', () => {
    expect(ids('TypedContext where name is sh010 and parent[TypedContext] has (name is sq010 and project.name is demo)')).toEqual(['sh-1']);
    expect(ids('Context where parent[Project] has (name is demo)')).toEqual(['sq-1']);
    expect(ids('Task where parent[Sequence] has ()')).toEqual([]);
    expect(ids('Context where parent[Project].name is other')).toEqual(['f-1']);
  });

  it('and / or / not and parentheses', () => {
    expect(ids('Task where (name is comp or name is anim) and not status.name is "not started"')).toEqual(['t-2', 't-3']);
    expect(ids('select value from Metadata where (parent_id is "c-1"and key is "ftr_meta") offset 0 limit 500')).toEqual(['c-1/ftr_meta']);
  });
});

describe('executeQuery: ordering and paging', () => {
  it('orders by several keys, case-insensitively, nulls last in both directions', () => {
    expect(ids('select name from Task order by name descending')).toEqual(['t-1', 't-3', 't-2']);
    expect(ids('Task order by priority.sort')).toEqual(['t-2', 't-1', 't-3']);
    expect(ids('Task order by priority.sort descending')).toEqual(['t-1', 't-2', 't-3']);
    expect(ids('Task order by created_at descending')).toEqual(['t-1', 't-2', 't-3']);
    expect(ids('AssetVersion order by asset_id, version descending')).toEqual(['v-2', 'v-1', 'v-3']);
  });

  it('pages with offset/limit in either order and reports the next offset', () => {
    expect(run('Task order by name limit 2 offset 0').metadata.next.offset).toBe(2);
    const second = run('Task order by name offset 2 limit 2');
    expect(second.data.map((e) => e['id'])).toEqual(['t-3']);
    expect(second.metadata.next.offset).toBeNull();
    expect(run('Task limit 3').metadata.next.offset).toBeNull();
    expect(run('Task').metadata.next.offset).toBeNull();
    expect(run('Task').data).toHaveLength(3);
    expect(run('User where username is jenkins limit 0')).toEqual({ data: [], metadata: { next: { offset: null } } });
    expect(run('Task offset 9 limit 5')).toEqual({ data: [], metadata: { next: { offset: null } } });
    expect(run('select name, created_at from Task where project_id is p-1 order by name descending offset 2 limit 500').data.map((e) => e['id'])).toEqual([
      't-2',
    ]);
  });
});

describe('executeQuery: errors', () => {
  const cases: [string, string][] = [
    ['Shoot', 'Unknown entity type "Shoot".'],
    ['Task where nme is x', 'Unknown attribute "nme" on Task (in "nme").'],
    ['select name.first from Task', '"name" on Task is not a relation (in "name.first").'],
    ['Task order by status.nope', 'Unknown attribute "nope" on Status (in "status.nope").'],
    ['Task where name has (id is x)', '"has" needs a relation, got an attribute in "name".'],
    ['Task where status has (nope is 1)', 'Unknown attribute "nope" on Status (in "nope").'],
    ['Task where parent[Shoot] has ()', 'Unknown entity type "Shoot" in cast "parent[Shoot]".'],
    ['Project where project_schema in (select id, name from ProjectSchema)', 'A sub-query in "in (...)" must select exactly one attribute.'],
    ['select count(id) from Task group by status_id', '"group by" and aggregate projections such as count() are not supported by ftrack-local.'],
    ['Task where custom_attribute_links any ()', 'Attribute "custom_attribute_links" on Task cannot be queried or projected.'],
  ];
  it.each(cases)('%s', (expression, message) => {
    let error: unknown;
    try {
      run(expression);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(QueryEvaluationError);
    expect((error as Error).message).toBe(message);
  });
});
