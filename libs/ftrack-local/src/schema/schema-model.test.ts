import { describe, expect, it } from 'vitest';
import { defaultSchemaModel, relation } from './index.js';

const model = defaultSchemaModel();

describe('SchemaModel types', () => {
  it('knows every schema and rejects unknown types', () => {
    expect(model.types).toHaveLength(116);
    expect(model.has('Shot')).toBe(true);
    expect(model.has('Shoot')).toBe(false);
    expect(model.get('Shoot')).toBeUndefined();
    expect(() => model.require('Shoot')).toThrow('Unknown entity type "Shoot"');
  });

  it('derives inheritance from classifier aliases, id foreign keys and the explicit table', () => {
    expect(model.ancestors('Shot')).toEqual(['TypedContext', 'Context']);
    expect(model.ancestors('Project')).toEqual(['Context']);
    expect(model.ancestors('SequenceComponent')).toEqual(['ContainerComponent', 'Component']);
    expect(model.ancestors('FileComponent')).toEqual(['Component']);
    expect(model.ancestors('AssetVersionList')).toEqual(['List']);
    expect(model.ancestors('User')).toEqual(['Resource']);
    expect(model.ancestors('AssetVersion')).toEqual([]);
    expect(model.isA('Task', 'Context')).toBe(true);
    expect(model.isA('Project', 'TypedContext')).toBe(false);
  });

  it('lists concrete types of a base, skipping abstract bases', () => {
    expect(model.concreteTypes('Context').sort()).toEqual(['AssetBuild', 'Episode', 'Folder', 'Milestone', 'Project', 'Sequence', 'Shot', 'Task'].sort());
    expect(model.concreteTypes('TypedContext')).not.toContain('Project');
    expect(model.concreteTypes('Component').sort()).toEqual(['ContainerComponent', 'FileComponent', 'SequenceComponent']);
    expect(model.concreteTypes('ContainerComponent').sort()).toEqual(['ContainerComponent', 'SequenceComponent']);
    expect(model.concreteTypes('Task')).toEqual(['Task']);
    expect(model.isAbstract('TypedContext')).toBe(true);
    expect(model.isAbstract('List')).toBe(true);
    expect(model.isAbstract('Task')).toBe(false);
  });

  it('every subtype carries all attributes of its base (inheritance is consistent with the data)', () => {
    for (const type of model.types) {
      for (const base of model.ancestors(type)) {
        const own = new Set(Object.keys(model.require(type).properties));
        const missing = Object.keys(model.require(base).properties).filter((p) => !own.has(p));
        expect({ type, base, missing }).toEqual({ type, base, missing: [] });
      }
    }
  });
});

describe('SchemaModel attributes', () => {
  it('classifies attribute kinds', () => {
    expect(model.attribute('AssetVersion', 'version')).toMatchObject({ kind: 'scalar', valueType: 'integer', isKey: false });
    expect(model.attribute('AssetVersion', 'date')).toMatchObject({ kind: 'datetime', format: 'date-time' });
    expect(model.attribute('AssetVersion', 'asset')).toMatchObject({ kind: 'reference', target: 'Asset' });
    expect(model.attribute('AssetVersion', 'components')).toMatchObject({ kind: 'collection', target: 'Component' });
    expect(model.attribute('AssetVersion', 'metadata')).toMatchObject({ kind: 'mapped_array', target: 'Metadata' });
    expect(model.attribute('AssetVersion', 'asset_id')).toMatchObject({ kind: 'scalar', isKey: true, backendName: 'assetid' });
    expect(model.attribute('AssetVersion', 'thumbnail_url')).toMatchObject({ computed: true, valueType: 'object' });
    expect(model.attribute('AssetVersion', 'is_latest_version')).toMatchObject({ immutable: true, valueType: 'boolean' });
    expect(model.attribute('Task', 'custom_attribute_links')).toMatchObject({ restricted: true });
    // A $ref next to type "string" is a scalar FK column, not a reference.
    expect(model.attribute('DashboardResource', 'dashboard_id')).toMatchObject({ kind: 'scalar', isKey: true });
  });

  it('exposes keys, required, immutable, computed and defaults', () => {
    expect(model.primaryKey('Metadata')).toEqual(['parent_id', 'key']);
    expect(model.primaryKey('JobComponent')).toEqual(['component_id', 'job_id']);
    expect(model.required('AssetVersion')).toEqual(['id', 'is_published', 'status_id']);
    expect(model.immutable('AssetVersion')).toContain('is_latest_version');
    expect(model.computed('AssetVersion')).toEqual(['thumbnail_url']);
    expect(model.computed('Asset')).toEqual(['latest_version']);
    let n = 0;
    const defaults = model.defaults('Task', () => `uuid-${++n}`);
    expect(defaults).toMatchObject({
      id: 'uuid-1',
      name: '',
      object_type_id: '11c137c0-ee7e-4f9c-91c5-8c77cec22b2c',
      priority_id: '9661b320-3a0c-11e2-81c1-0800200c9a66',
    });
    expect(model.defaults('Job', () => 'j')).toMatchObject({ id: 'j', status: 'queued', type: 'api_job' });
  });

  it('maps default and system projections to API names', () => {
    expect(model.defaultProjections('Metadata')).toEqual(['parent_id', 'key', 'value', 'parent_type']);
    expect(model.defaultProjections('Task')).toEqual(['context_type', 'id', 'name']);
    expect(model.systemProjections('Task')).toEqual(['project_id', 'context_type', 'object_type_id']);
    expect(model.systemProjections('AssetVersion')).toEqual(['asset_id']);
    expect(model.systemProjections('Asset')).toEqual(['context_id']);
    expect(model.systemProjections('FileComponent')).toEqual(['system_type', 'version_id']);
    expect(model.systemProjections('AssetVersionList')).toEqual(['project_id', 'system_type']);
    // `_casted_value` is the column `value` aliases (`casted_value`); project_id: no such attribute.
    expect(model.systemProjections('ListCustomAttributeValue')).toEqual(['entity_id', 'key', 'value']);
    expect(model.apiName('TypedContext', 'statusid')).toBe('status_id');
    expect(model.apiName('Task', 'nonsense')).toBeUndefined();
  });
});

describe('relation()', () => {
  const cases: [string, string, Record<string, unknown>][] = [
    ['AssetVersion', 'asset', { kind: 'reference', target: 'Asset', localKey: 'asset_id' }],
    ['AssetVersion', 'thumbnail', { kind: 'reference', target: 'Component', localKey: 'thumbnail_id' }],
    ['AssetVersion', 'task', { kind: 'reference', target: 'Task', localKey: 'task_id' }],
    ['Context', 'parent', { kind: 'reference', target: 'Context', localKey: 'parent_id' }],
    ['Shot', 'parent', { kind: 'reference', target: 'Context', localKey: 'parent_id' }],
    ['Task', 'project', { kind: 'reference', target: 'Project', localKey: 'project_id' }],
    ['Note', 'author', { kind: 'reference', target: 'User', localKey: 'user_id' }],
    ['Component', 'version', { kind: 'reference', target: 'AssetVersion', localKey: 'version_id' }],
    ['FileComponent', 'container', { kind: 'reference', target: 'ContainerComponent', localKey: 'container_id' }],
    ['Asset', 'parent', { kind: 'reference', target: 'Context', localKey: 'context_id' }],
    ['Status', 'state', { kind: 'reference', target: 'State', localKey: 'state_id' }],
    ['Recipient', 'user', { kind: 'reference', target: 'User', localKey: 'resource_id' }],
    ['ProjectSchema', '_task_workflow', { kind: 'reference', localKey: 'task_workflow_schema_id' }],
    ['ComponentLocation', 'location', { kind: 'reference', target: 'Location', localKey: 'location_id' }],
    ['Asset', 'latest_version', { kind: 'reference', target: 'AssetVersion', derived: 'latest_version' }],
    ['Asset', 'versions', { kind: 'collection', target: 'AssetVersion', remoteKey: 'asset_id' }],
    ['AssetVersion', 'components', { kind: 'collection', target: 'Component', remoteKey: 'version_id' }],
    ['FileComponent', 'component_locations', { kind: 'collection', target: 'ComponentLocation', remoteKey: 'component_id' }],
    ['Context', 'children', { kind: 'collection', target: 'Context', remoteKey: 'parent_id' }],
    ['Project', 'children', { kind: 'collection', target: 'Context', remoteKey: 'parent_id' }],
    ['Project', 'descendants', { kind: 'collection', target: 'TypedContext', remoteKey: 'project_id' }],
    ['Shot', 'descendants', { kind: 'collection', target: 'TypedContext', derived: 'descendants' }],
    ['Context', 'assets', { kind: 'collection', target: 'Asset', remoteKey: 'context_id' }],
    ['Shot', 'notes', { kind: 'collection', target: 'Note', remoteKey: 'parent_id' }],
    ['FileComponent', 'metadata', { kind: 'collection', target: 'Metadata', remoteKey: 'parent_id', mapped: true }],
    ['Project', 'metadata', { kind: 'collection', target: 'Metadata', remoteKey: 'parent_id', mapped: true }],
    ['Job', 'job_components', { kind: 'collection', target: 'JobComponent', remoteKey: 'job_id' }],
    ['Location', 'location_components', { kind: 'collection', target: 'ComponentLocation', remoteKey: 'location_id' }],
    ['SequenceComponent', 'members', { kind: 'collection', target: 'Component', remoteKey: 'container_id' }],
    ['Note', 'replies', { kind: 'collection', target: 'Note', remoteKey: 'in_reply_to_id' }],
    ['Task', 'assignments', { kind: 'collection', target: 'Appointment', remoteKey: 'context_id', filter: { type: 'assignment' } }],
    ['User', 'timelogs', { kind: 'collection', target: 'Timelog', remoteKey: 'user_id' }],
    ['Task', 'incoming_links', { kind: 'collection', remoteKey: 'to_id' }],
    [
      'WorkflowSchema',
      'statuses',
      { kind: 'collection', target: 'Status', through: { type: 'WorkflowSchemaStatus', ownerKey: 'workflow_schema_id', targetKey: 'status_id' } },
    ],
  ];
  it.each(cases)('%s.%s', (type, attribute, expected) => {
    expect(relation(type, attribute)).toMatchObject(expected);
  });

  it('is undefined for scalars, unknown attributes and unresolvable relations', () => {
    expect(relation('AssetVersion', 'version')).toBeUndefined();
    expect(relation('AssetVersion', 'nope')).toBeUndefined();
    expect(relation('Context', 'scopes')).toBeUndefined();
    expect(model.relation('SettingComponent', 'setting')).toBeUndefined();
  });

  it('resolves every relation attribute of the types the media pipeline touches', () => {
    const types = [
      'Project',
      'Shot',
      'Task',
      'Asset',
      'AssetVersion',
      'FileComponent',
      'SequenceComponent',
      'ComponentLocation',
      'Location',
      'Job',
      'JobComponent',
      'Metadata',
      'Note',
      'Status',
      'User',
    ];
    const unresolved = types.flatMap((type) =>
      model
        .attributes(type)
        .filter((a) => a.target !== undefined && a.kind !== 'scalar' && !a.restricted && model.relation(type, a.name) === undefined)
        .map((a) => `${type}.${a.name}`),
    );
    expect(unresolved).toEqual(['Project.scopes', 'Shot.scopes', 'Task.scopes']);
  });
});
