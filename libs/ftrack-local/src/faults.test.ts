// Fault injection: a 500 on the Nth call or on a batch with a given entity type,
// per-request faults, and a dropped upload connection.
import { randomBytes, randomUUID } from 'node:crypto';
import { Session } from '@ftrack/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFtrackLocal, type FtrackLocalServer } from './index.js';

let server: FtrackLocalServer;
let session: Session;

beforeAll(async () => {
  server = await startFtrackLocal({ faults: {} });
  session = new Session(server.url, server.user, server.apiKey, { autoConnectEventHub: false });
  await session.initializing;
});

afterAll(async () => {
  await server.close();
});

function rawCall(ops: unknown[], headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}/api`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'ftrack-user': server.user, 'ftrack-api-key': server.apiKey, ...headers },
    body: JSON.stringify(ops),
  });
}

describe('faults', () => {
  it('fails the Nth API call with a 500 once', async () => {
    server.faults.set({ failApiCall: { nth: 2 } });
    expect((await rawCall([{ action: 'query', expression: 'select id from Location' }])).status).toBe(200);
    const failed = await rawCall([{ action: 'query', expression: 'select id from Location' }]);
    expect(failed.status).toBe(500);
    expect(await failed.json()).toMatchObject({ exception: 'ServerError' });
    expect((await rawCall([{ action: 'query', expression: 'select id from Location' }])).status).toBe(200);
  });

  it('fails the next batch that touches an entity type, so nothing of it is stored', async () => {
    server.faults.set({ failApiCall: { entityType: 'ComponentLocation' } });
    const componentId = randomUUID();
    await expect(
      session.call([
        { action: 'create', entity_type: 'FileComponent', entity_data: { id: componentId, name: 'x' } },
        {
          action: 'create',
          entity_type: 'ComponentLocation',
          entity_data: { component_id: componentId, location_id: '3a372bde-05bc-11e4-8908-20c9d081909b', resource_identifier: componentId },
        },
      ]),
    ).rejects.toMatchObject({ name: 'ServerError' });
    expect((await session.query(`select id from FileComponent where id is ${componentId}`)).data).toHaveLength(0);
  });

  it('adds latency and fails single requests through the header', async () => {
    const started = Date.now();
    const slow = await rawCall([{ action: 'query', expression: 'select id from Location' }], { 'x-ftrack-local-fault': 'latency=150' });
    expect(slow.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect((await rawCall([{ action: 'query_schemas' }], { 'x-ftrack-local-fault': 'fail=503' })).status).toBe(503);
  });

  it('drops the connection mid-upload and leaves no file behind', async () => {
    const id = randomUUID();
    const [meta] = (await session.call([{ action: 'get_upload_metadata', component_id: id, file_name: 'a.bin', file_size: 200_000 }])) as [Record<string, any>];
    server.faults.set({ dropUploadAfterBytes: 50_000 });
    await expect(fetch(meta['url'], { method: 'PUT', headers: meta['headers'], body: new Uint8Array(randomBytes(200_000)) })).rejects.toThrow();
    const params = new URLSearchParams({ id, username: server.user, apiKey: server.apiKey });
    expect((await fetch(`${server.url}/component/get?${params.toString()}`)).status).toBe(404);
    // The fault is one-shot: the retry succeeds.
    const retry = await fetch(meta['url'], { method: 'PUT', headers: meta['headers'], body: new Uint8Array(randomBytes(200_000)) });
    expect(retry.status).toBe(200);
  });

  it('throttles storage writes', async () => {
    const id = randomUUID();
    const [meta] = (await session.call([{ action: 'get_upload_metadata', component_id: id, file_name: 'a.bin', file_size: 40_000 }])) as [Record<string, any>];
    server.faults.set({ storageBytesPerSecond: 100_000 });
    const started = Date.now();
    const put = await fetch(meta['url'], { method: 'PUT', headers: meta['headers'], body: new Uint8Array(randomBytes(40_000)) });
    expect(put.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    server.faults.clear();
  });
});
