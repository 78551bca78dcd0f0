// Custom attributes through the real @ftrack/api client over HTTP: values per
// applicable configuration, hierarchical inheritance, writes, `any` queries.
import { Session } from '@ftrack/api';
import { describe, expect, it } from 'vitest';
import { seededServer } from '../test-support/seeded-server.js';

interface ValueRow {
  __entity_type__: string;
  key: string;
  value: unknown;
  configuration_id: string;
  entity_id: string;
}

const local = seededServer();

async function values(type: string, id: string): Promise<Record<string, ValueRow>> {
  const result = await local.session.query(`select custom_attributes from ${type} where id is "${id}"`);
  const rows = (result.data[0] as { custom_attributes: ValueRow[] }).custom_attributes;
  return Object.fromEntries(rows.map((row) => [row.key, row]));
}

async function configurationId(key: string): Promise<string> {
  const result = await local.session.query(`select id from CustomAttributeConfiguration where key is "${key}"`);
  return (result.data[0] as { id: string }).id;
}

describe('custom attributes', () => {
  it('seeds the attribute types of a fresh site', async () => {
    const result = await local.session.query('select name from CustomAttributeType');
    expect((result.data as { name: string }[]).map((t) => t.name).sort()).toEqual([
      'boolean',
      'date',
      'dynamic enumerator',
      'enumerator',
      'expression',
      'number',
      'text',
      'url',
    ]);
  });

  it('lists one value per configuration: own, inherited from the shot and project, or the default', async () => {
    const task = await values('Task', local.server.seed!.taskId);
    expect(Object.keys(task).sort()).toEqual(['fend', 'fps', 'fstart', 'handles', 'resolutionHeight', 'resolutionWidth']);
    expect(task['fps']!.value).toBe(24); // project
    expect(task['fend']!.value).toBe(1050); // shot
    expect(task['resolutionWidth']!.value).toBe(1920); // default
    expect(task['fps']!.__entity_type__).toBe('ContextCustomAttributeValue');
    expect(task['fps']!.entity_id).toBe(local.server.seed!.taskId);
    const version = await values('AssetVersion', local.server.seed!.versionId);
    expect(version['fps']!.__entity_type__).toBe('AssetVersionCustomAttributeValue');
    expect(version['handles']!.value).toBe(8);
  });

  it('includes the value for clients that ask for serialisable (strict) responses', async () => {
    const strict = new Session(local.server.url, local.server.user, local.server.apiKey, { autoConnectEventHub: false, ensureSerializableResponse: true });
    await strict.initializing;
    const result = await strict.query(`select custom_attributes from Task where id is "${local.server.seed!.taskId}"`);
    const rows = (result.data[0] as { custom_attributes: ValueRow[] }).custom_attributes;
    expect(rows.find((r) => r.key === 'fps')?.value).toBe(24);
  });

  it('answers the AYON query for stored hierarchical values (stored only, no defaults)', async () => {
    const { projectId, shotId } = local.server.seed!;
    const fps = await configurationId('fps');
    const result = await local.session.query(
      `select value, entity_id, configuration_id, key from ContextCustomAttributeValue where entity_id in ("${projectId}", "${shotId}") and configuration_id is "${fps}"`,
    );
    expect(result.data).toEqual([expect.objectContaining({ __entity_type__: 'ContextCustomAttributeValue', entity_id: projectId, key: 'fps', value: 24 })]);
  });

  it('writes a value by updating the listed row, and deleting it reverts to the inherited value', async () => {
    const { taskId, shotId } = local.server.seed!;
    const fps = await configurationId('fps');
    await local.session.update('ContextCustomAttributeValue', [fps, taskId], { value: 30 });
    expect((await values('Task', taskId))['fps']!.value).toBe(30);
    expect((await values('Shot', shotId))['fps']!.value).toBe(24);
    await local.session.delete('ContextCustomAttributeValue', [fps, taskId]);
    expect((await values('Task', taskId))['fps']!.value).toBe(24);
  });

  it('accepts the Python pattern: create CustomAttributeValue, then append it to the collection', async () => {
    const { shotId } = local.server.seed!;
    const handles = await configurationId('handles');
    await local.session.call([
      { action: 'create', entity_type: 'CustomAttributeValue', entity_data: { configuration_id: handles, entity_id: shotId, value: 12 } },
      {
        action: 'update',
        entity_type: 'Shot',
        entity_key: [shotId],
        entity_data: { custom_attributes: [{ __entity_type__: 'CustomAttributeValue', configuration_id: handles, entity_id: shotId }] },
      },
    ]);
    expect((await values('Shot', shotId))['handles']!.value).toBe(12);
    expect((await values('Task', local.server.seed!.taskId))['handles']!.value).toBe(12);
  });

  it('finds entities with custom_attributes any (key and value)', async () => {
    const { shotId, sequenceId } = local.server.seed!;
    const at24 = await local.session.query('select name from Shot where custom_attributes any (key is "fps" and value is 24)');
    expect((at24.data as { id: string }[]).map((s) => s.id)).toContain(shotId);
    const fps = await configurationId('fps');
    await local.session.create('ContextCustomAttributeValue', { configuration_id: fps, entity_id: sequenceId, value: 48 });
    const at48 = await local.session.query('select name from Shot where custom_attributes any (key is fps and value is 48)');
    expect((at48.data as { id: string }[]).map((s) => s.id)).toEqual([shotId]);
    const none = await local.session.query('select id from Shot where custom_attributes any (key is fps and value is 24)');
    expect(none.data).toHaveLength(0);
  });

  it('applies non-hierarchical configurations by entity type and checks value types', async () => {
    const { versionId, taskId } = local.server.seed!;
    const booleanType = (await local.session.query('select id from CustomAttributeType where name is "boolean"')).data[0] as { id: string };
    const config = (
      await local.session.create('CustomAttributeConfiguration', {
        key: 'client_approved',
        label: 'Client approved',
        type_id: booleanType.id,
        entity_type: 'assetversion',
        is_hierarchical: false,
        default: false,
        config: '{}',
      })
    ).data as { id: string };
    expect((await values('AssetVersion', versionId))['client_approved']!.value).toBe(false);
    expect((await values('Task', taskId))['client_approved']).toBeUndefined();
    await local.session.update('AssetVersionCustomAttributeValue', [config.id, versionId], { value: true });
    expect((await values('AssetVersion', versionId))['client_approved']!.value).toBe(true);
    await expect(local.session.update('AssetVersionCustomAttributeValue', [config.id, versionId], { value: 'yes' })).rejects.toMatchObject({
      name: 'ServerValidationError',
      message: 'Custom attribute value for "client_approved" must be of type boolean. Got "yes" of type string.',
    });
    await expect(local.session.update('ContextCustomAttributeValue', [config.id, taskId], { value: true })).rejects.toMatchObject({
      name: 'ServerValidationError',
    });
  });

  it('sets values by key in create data and removes them with the entity', async () => {
    const { sequenceId } = local.server.seed!;
    const shot = (
      await local.session.create('Shot', {
        name: 'sh099',
        parent: { __entity_type__: 'Sequence', id: sequenceId },
        custom_attributes: { fstart: 990 },
      } as never)
    ).data as { id: string };
    expect((await values('Shot', shot.id))['fstart']!.value).toBe(990);
    await local.session.delete('Shot', [shot.id]);
    const stored = await local.session.query(`select value from CustomAttributeValue where entity_id is "${shot.id}"`);
    expect(stored.data).toHaveLength(0);
  });
});
