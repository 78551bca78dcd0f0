// The unmodified @ftrack/api Session (Node) against ftrack-local over real HTTP.
import { Session } from '@ftrack/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFtrackLocal, type FtrackLocalServer } from '../index.js';

let server: FtrackLocalServer;
let session: Session;

beforeAll(async () => {
  server = await startFtrackLocal({ seed: 'demo', corsOrigins: ['http://app.example:8080'] });
  session = new Session(server.url, server.user, server.apiKey, { autoConnectEventHub: false });
  await session.initializing;
});

afterAll(async () => {
  await server.close();
});

describe('Session against ftrack-local', () => {
  it('initialises with server information and the schemas', async () => {
    expect(session.initialized).toBe(true);
    const info = await session.getServerInformation();
    expect(info.schema_hash).toBe('23a1157b8b1730fd91c76f63dcd67a8f');
    expect(info.is_timezone_support_enabled).toBe(true);
    expect(session.getSchema('AssetVersion')?.primary_key).toEqual(['id']);
    expect((await session.getSchemas()).length).toBe(116);
  });

  it('queries the seeded hierarchy with nested projections', async () => {
    const seed = server.seed!;
    const result = await session.query(`select name, parent.name, project.name, status.state.short from Task where id is "${seed.taskId}"`);
    expect(result.data).toHaveLength(1);
    const task = result.data[0] as Record<string, any>;
    expect(task['__entity_type__']).toBe('Task');
    expect(task['name']).toBe('compositing');
    expect(task['parent']['name']).toBe('sh010');
    expect(task['project']['name']).toBe('demo');
    expect(task['status']['state']['short']).toBe('NOT_STARTED');
  });

  it('creates, updates and deletes entities', async () => {
    const seed = server.seed!;
    const created = await session.create('AssetVersion', {
      asset_id: seed.assetId,
      comment: 'second',
    });
    const version = created.data as Record<string, any>;
    expect(version['version']).toBe(2);
    expect(version['is_published']).toBe(true);

    await session.update('AssetVersion', [version['id']], { comment: 'changed' });
    const after = await session.query(`select comment, is_latest_version from AssetVersion where id is ${version['id']}`);
    expect((after.data[0] as any)['comment']).toBe('changed');
    expect((after.data[0] as any)['is_latest_version']).toBe(true);

    await session.delete('AssetVersion', [version['id']]);
    const gone = await session.query(`select id from AssetVersion where id is ${version['id']}`);
    expect(gone.data).toHaveLength(0);
  });

  it('creates with references to entities of the same batch', async () => {
    const seed = server.seed!;
    const shotId = crypto.randomUUID();
    const responses = await session.call([
      { action: 'create', entity_type: 'Shot', entity_data: { id: shotId, name: 'sh020', parent: { __entity_type__: 'Sequence', id: seed.sequenceId } } },
      { action: 'create', entity_type: 'Task', entity_data: { name: 'anim', parent: { __entity_type__: 'Shot', id: shotId } } },
    ]);
    const task = (responses[1] as any).data;
    expect(task.parent_id).toBe(shotId);
    expect(task.project_id).toBe(seed.projectId);
    expect(task.context_type).toBe('task');
    expect(task.object_type_id).toBe('11c137c0-ee7e-4f9c-91c5-8c77cec22b2c');
  });

  it('ensures: creates once, then finds', async () => {
    const first = (await session.ensure('AssetType', { name: 'Plate', short: 'plate' })) as Record<string, any>;
    const second = (await session.ensure('AssetType', { name: 'Plate', short: 'plate' })) as Record<string, any>;
    expect(second['id']).toBe(first['id']);
  });

  it('pages with offset and limit and ends with a null offset', async () => {
    const page1 = await session.query('select name from Location order by name limit 2');
    expect(page1.data).toHaveLength(2);
    expect(page1.metadata.next.offset).toBe(2);
    const last = await session.query('select name from Location order by name offset 4 limit 2');
    expect(last.data).toHaveLength(1);
    expect(last.metadata.next.offset).toBeNull();
  });

  it('writes and reads datetimes and metadata', async () => {
    const seed = server.seed!;
    await session.create('Metadata', { parent_id: seed.versionId, parent_type: 'AssetVersion', key: 'k', value: 'v1' });
    await session.create('Metadata', { parent_id: seed.versionId, parent_type: 'AssetVersion', key: 'k', value: 'v2' });
    const meta = await session.query(`select metadata from AssetVersion where id is ${seed.versionId}`);
    const entries = (meta.data[0] as any).metadata as { key: string; value: string }[];
    expect(entries.map((m) => [m.key, m.value])).toEqual([['k', 'v2']]);
    await session.update('Metadata', [seed.versionId, 'k'], { value: 'v3' });
    const updated = await session.query(`select value from Metadata where parent_id is "${seed.versionId}" and key is "k"`);
    expect((updated.data[0] as any).value).toBe('v3');
    await expect(session.update('Metadata', [seed.versionId, 'k'], { key: 'other' })).rejects.toMatchObject({ name: 'ServerValidationError' });
    await session.delete('Metadata', [seed.versionId, 'k']);
    expect((await session.query(`select value from Metadata where parent_id is "${seed.versionId}"`)).data).toHaveLength(0);

    await session.update('Task', [seed.taskId], { start_date: new Date('2024-01-02T03:04:05Z') as any });
    const task = await session.query(`select start_date from Task where id is ${seed.taskId}`, { decodeDatesAsIso: true });
    expect((task.data[0] as any).start_date).toBe('2024-01-02T03:04:05.000Z');
  });

  it('rejects a bad key with InvalidCredentialsError as a ServerError', async () => {
    const bad = new Session(server.url, server.user, 'wrong-key', { autoConnectEventHub: false });
    await expect(bad.initializing).rejects.toMatchObject({ name: 'ServerError', message: expect.stringContaining('API key') });
  });

  it('reports a bad query as a ServerError', async () => {
    await expect(session.query('select from where')).rejects.toMatchObject({ name: 'ServerError' });
    await expect(session.query('select name from NoSuchType')).rejects.toMatchObject({ name: 'ServerError' });
  });

  it('reports validation errors for unknown attributes, missing required values, immutables and dangling references', async () => {
    await expect(session.create('Task', { name: 'x', bogus: 1 } as any)).rejects.toMatchObject({ name: 'ServerValidationError' });
    await expect(session.create('AssetType', { name: 'no short' })).rejects.toMatchObject({ name: 'ServerValidationError' });
    await expect(session.update('Task', [server.seed!.taskId], { object_type_id: 'x' })).rejects.toMatchObject({
      name: 'ServerValidationError',
    });
    await expect(session.create('AssetVersion', { asset_id: crypto.randomUUID() })).rejects.toMatchObject({
      name: 'ServerValidationError',
    });
    await expect(session.create('Task', { name: 'x', sort: 'first' } as any)).rejects.toMatchObject({ name: 'ServerValidationError' });
  });

  it('rolls back the whole batch when an operation fails', async () => {
    const id = crypto.randomUUID();
    await expect(
      session.call([
        { action: 'create', entity_type: 'AssetType', entity_data: { id, name: 'Rolled back', short: 'rb' } },
        { action: 'create', entity_type: 'AssetType', entity_data: { name: 'missing short' } },
      ]),
    ).rejects.toMatchObject({ name: 'ServerValidationError' });
    const found = await session.query(`select id from AssetType where id is ${id}`);
    expect(found.data).toHaveLength(0);
  });

  it('answers unknown actions the way Python expects', async () => {
    const response = await fetch(`${server.url}/api`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'ftrack-user': server.user, 'ftrack-api-key': server.apiKey },
      body: JSON.stringify([{ action: 'frobnicate' }]),
    });
    expect(await response.json()).toEqual({ exception: 'ServerError', content: "Invalid action u'frobnicate'", error_code: null });
  });

  it('deleting a project removes its tree', async () => {
    const project = (await session.create('Project', { name: 'doomed' })).data as Record<string, any>;
    const shot = (await session.create('Shot', { name: 'sh', parent: { __entity_type__: 'Project', id: project['id'] } })).data as any;
    await session.delete('Project', [project['id']]);
    expect((await session.query(`select id from Shot where id is ${shot.id}`)).data).toHaveLength(0);
  });
});

describe('wire details', () => {
  const post = (path: string, ops: unknown[], headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'ftrack-user': server.user, 'ftrack-api-key': server.apiKey, ...headers },
      body: JSON.stringify(ops),
    });

  it('tolerates //api and answers a bad key with 401', async () => {
    const ok = await post('//api', [{ action: 'query', expression: 'select id from Location limit 1' }]);
    expect(ok.status).toBe(200);
    const denied = await post('/api', [{ action: 'query_schemas' }], { 'ftrack-api-key': 'nope' });
    expect(denied.status).toBe(401);
    expect(await denied.json()).toEqual({ exception: 'InvalidCredentialsError', content: 'The supplied API key is not valid.', error_code: null });
  });

  it('answers CORS preflights with the exact origin and credentials for configured origins', async () => {
    for (const path of ['/api', '/component/put?id=x']) {
      const response = await fetch(`${server.url}${path}`, {
        method: 'OPTIONS',
        headers: { Origin: 'http://app.example:8080', 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'ftrack-user' },
      });
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe('http://app.example:8080');
      expect(response.headers.get('access-control-allow-credentials')).toBe('true');
      expect(response.headers.get('access-control-allow-headers')).toContain('ftrack-api-key');
      expect(response.headers.get('access-control-allow-headers')).not.toContain('x-ftrack-local-fault');
      expect(response.headers.get('access-control-allow-methods')).toContain('PUT');
    }
  });

  it('never reflects an arbitrary origin, and allows its own', async () => {
    const evil = await post('/api', [{ action: 'query', expression: 'select id from Location limit 1' }], { Origin: 'http://evil.example' });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    expect(evil.headers.get('access-control-allow-credentials')).toBeNull();
    const preflight = await fetch(`${server.url}/api`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const own = await post('/api', [{ action: 'query', expression: 'select id from Location limit 1' }], { Origin: server.url });
    expect(own.headers.get('access-control-allow-origin')).toBe(server.url);
  });

  it('ignores the fault-injection header when faults are not enabled', async () => {
    const response = await post('/api', [{ action: 'query_schemas' }], { 'x-ftrack-local-fault': 'fail=503' });
    expect(response.status).toBe(200);
    expect(Array.isArray(await response.json())).toBe(true);
  });

  it('searches by terms and sets collection membership by update', async () => {
    const [result] = (await session.call([{ action: 'search', entity_type: 'Location', expression: 'select name from Location', terms: ['review'] }])) as [
      { data: { name: string }[]; metadata: unknown },
    ];
    expect(result.data.map((l) => l.name)).toEqual(['ftrack.review']);

    const seed = server.seed!;
    const a = (await session.create('FileComponent', { name: 'a' })).data as Record<string, any>;
    const b = (await session.create('FileComponent', { name: 'b' })).data as Record<string, any>;
    await session.update('AssetVersion', [seed.versionId], {
      components: [
        { __entity_type__: 'FileComponent', id: a['id'] },
        { __entity_type__: 'FileComponent', id: b['id'] },
      ],
    } as any);
    await session.update('AssetVersion', [seed.versionId], { components: [{ __entity_type__: 'FileComponent', id: b['id'] }] } as any);
    const version = await session.query(`select components.name from AssetVersion where id is ${seed.versionId}`);
    expect(((version.data[0] as any).components as { name: string }[]).map((c) => c.name)).toEqual(['b']);
  });

  it('accepts metadata as a key/value object in create data', async () => {
    const created = (await session.create('FileComponent', { name: 'with-meta', metadata: { ftr_meta: '{"frameIn":0}' } } as any)).data as any;
    const found = await session.query(`select metadata.key, metadata.value, metadata.parent_type from FileComponent where id is ${created.id}`);
    expect((found.data[0] as any).metadata).toMatchObject([{ key: 'ftr_meta', value: '{"frameIn":0}', parent_type: 'FileComponent' }]);
  });
});

describe('Python-style payloads', () => {
  const call = async (ops: unknown[]) => {
    const response = await fetch(`${server.url}/api`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'ftrack-user': server.user, 'ftrack-api-key': server.apiKey, 'ftrack-strict-api': 'false' },
      body: JSON.stringify(ops),
    });
    return (await response.json()) as any;
  };

  it('registers a component with entity_key, defaults, references and a metadata collection in one batch', async () => {
    const componentId = crypto.randomUUID();
    const locationRowId = crypto.randomUUID();
    const result = await call([
      {
        action: 'create',
        entity_type: 'FileComponent',
        entity_key: [componentId],
        entity_data: {
          __entity_type__: 'FileComponent',
          id: componentId,
          name: 'main',
          size: 0,
          file_type: '.exr',
          version: { __entity_type__: 'AssetVersion', id: server.seed!.versionId },
        },
      },
      {
        action: 'create',
        entity_type: 'Metadata',
        entity_key: [componentId, 'ftr_meta'],
        entity_data: { __entity_type__: 'Metadata', parent_id: componentId, parent_type: 'FileComponent', key: 'ftr_meta', value: '{"frameRate": 25}' },
      },
      {
        action: 'update',
        entity_type: 'FileComponent',
        entity_key: [componentId],
        entity_data: { __entity_type__: 'FileComponent', metadata: [{ __entity_type__: 'Metadata', parent_id: componentId, key: 'ftr_meta' }] },
      },
      {
        action: 'create',
        entity_type: 'ComponentLocation',
        entity_key: [locationRowId],
        entity_data: {
          __entity_type__: 'ComponentLocation',
          id: locationRowId,
          resource_identifier: componentId,
          component: { __entity_type__: 'FileComponent', id: componentId },
          location: { __entity_type__: 'Location', id: '3a372bde-05bc-11e4-8908-20c9d081909b' },
        },
      },
      { action: 'query', expression: `select id, name from Location where id is 3a372bde-05bc-11e4-8908-20c9d081909b offset 0 limit 500` },
    ]);
    expect(Array.isArray(result)).toBe(true);
    expect(result.slice(0, 4).map((r: { action: string }) => r.action)).toEqual(['create', 'create', 'update', 'create']);
    expect(result[0].data).toMatchObject({ system_type: 'file', version_id: server.seed!.versionId });
    expect(result[3].data).toMatchObject({ component_id: componentId, location_id: '3a372bde-05bc-11e4-8908-20c9d081909b' });
    expect(result[4]).toMatchObject({ action: 'query', data: [{ name: 'ftrack.server' }], metadata: { next: { offset: null } } });
  });

  it('accepts Python datetime forms', async () => {
    for (const value of ['2024-01-02T03:04:05', '2024-01-02T03:04:05.123456+00:00', '2024-01-02']) {
      const result = await call([
        { action: 'update', entity_type: 'Task', entity_key: [server.seed!.taskId], entity_data: { end_date: { __type__: 'datetime', value } } },
      ]);
      expect(result[0].action).toBe('update');
      expect(result[0].data.end_date.__type__).toBe('datetime');
      expect(result[0].data.end_date.value.startsWith('2024-01-02T')).toBe(true);
    }
  });
});
