// Fault modes for the reliability corpus: a committed API batch whose response is lost, an upload
// stored and then left unanswered (single-part and multi-part completion), per-action latency.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Session } from '@ftrack/api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Faults } from './faults.js';
import { startFtrackLocal, SERVER_LOCATION_ID, type FtrackLocalServer } from './index.js';

let server: FtrackLocalServer;
let session: Session;

beforeAll(async () => {
  server = await startFtrackLocal();
  session = new Session(server.url, server.user, server.apiKey, { autoConnectEventHub: false });
  await session.initializing;
});

afterEach(() => server.faults.clear());

afterAll(async () => {
  await server.close();
});

function rawCall(ops: unknown[]): Promise<Response> {
  return fetch(`${server.url}/api`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'ftrack-user': server.user, 'ftrack-api-key': server.apiKey },
    body: JSON.stringify(ops),
  });
}

const createComponent = (id: string) => ({ action: 'create', entity_type: 'FileComponent', entity_data: { id, name: 'x' } });
const createLocation = (id: string) => ({
  action: 'create',
  entity_type: 'ComponentLocation',
  entity_data: { component_id: id, location_id: SERVER_LOCATION_ID, resource_identifier: id },
});

async function componentExists(id: string): Promise<boolean> {
  return (await session.query(`select id from FileComponent where id is ${id}`)).data.length === 1;
}

async function download(id: string): Promise<Response> {
  return fetch(`${server.url}/component/get?${new URLSearchParams({ id, username: server.user, apiKey: server.apiKey }).toString()}`);
}

const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest();

describe('dropApiResponse', () => {
  it('commits a batch that touches the entity type, then closes the socket without an answer', async () => {
    const id = randomUUID();
    server.faults.set({ dropApiResponse: { entityType: 'ComponentLocation' } });
    // A batch without the entity type is answered normally and leaves the rule armed.
    expect((await rawCall([{ action: 'query', expression: 'select id from Location' }])).status).toBe(200);
    expect(server.faults.current().dropApiResponse).toBeDefined();

    await expect(rawCall([createComponent(id), createLocation(id)])).rejects.toThrow();
    expect(await componentExists(id), 'the batch was committed').toBe(true);
    expect(server.faults.current().dropApiResponse, 'one-shot').toBeUndefined();
    expect(server.faults.fired()).toContain('drop-api-response:create,create');
    // Disarmed: the next batch is answered.
    expect((await rawCall([createComponent(randomUUID())])).status).toBe(200);
  });

  it('matches by action and needs both fields to match when both are given', async () => {
    server.faults.set({ dropApiResponse: { action: 'create', entityType: 'ComponentLocation', times: 2 } });
    const onlyComponent = randomUUID();
    expect((await rawCall([createComponent(onlyComponent)])).status, 'action matches, entity type does not').toBe(200);
    const first = randomUUID();
    const second = randomUUID();
    await expect(rawCall([createComponent(first), createLocation(first)])).rejects.toThrow();
    await expect(rawCall([createComponent(second), createLocation(second)])).rejects.toThrow();
    expect(await componentExists(first)).toBe(true);
    expect(await componentExists(second)).toBe(true);
    expect(server.faults.current().dropApiResponse, 'disarmed after two').toBeUndefined();
  });

  it('a lost complete_multipart_upload response: the file is assembled and downloadable', async () => {
    const id = randomUUID();
    const bytes = new Uint8Array(randomBytes(12_000));
    const [meta] = (await session.call([{ action: 'get_upload_metadata', component_id: id, file_name: 'a.bin', file_size: bytes.length, parts: 2 }])) as [
      { upload_id: string; urls: { part_number: number; signed_url: string }[] },
    ];
    const halves = [bytes.subarray(0, 6000), bytes.subarray(6000)];
    const parts = [];
    for (const [i, url] of meta.urls.entries()) {
      const put = await fetch(url.signed_url, { method: 'PUT', body: halves[i] });
      expect(put.status).toBe(200);
      parts.push({ part_number: url.part_number, e_tag: put.headers.get('etag') ?? '' });
    }
    server.faults.set({ dropApiResponse: { action: 'complete_multipart_upload' } });
    await expect(rawCall([{ action: 'complete_multipart_upload', component_id: id, upload_id: meta.upload_id, parts }])).rejects.toThrow();
    const got = await download(id);
    expect(got.status).toBe(200);
    expect(md5(new Uint8Array(await got.arrayBuffer()))).toEqual(md5(bytes));
  });
});

describe('dropUploadResponse', () => {
  it('stores a single-part upload completely, then closes the socket without an answer', async () => {
    const id = randomUUID();
    const bytes = new Uint8Array(randomBytes(30_000));
    const [meta] = (await session.call([{ action: 'get_upload_metadata', component_id: id, file_name: 'a.bin', file_size: bytes.length }])) as [
      { url: string; headers: Record<string, string> },
    ];
    server.faults.set({ dropUploadResponse: {} });
    await expect(fetch(meta.url, { method: 'PUT', headers: meta.headers, body: bytes })).rejects.toThrow();
    const got = await download(id);
    expect(got.status, 'the body was stored').toBe(200);
    expect(md5(new Uint8Array(await got.arrayBuffer()))).toEqual(md5(bytes));
    expect(server.faults.current().dropUploadResponse, 'one-shot').toBeUndefined();
    expect(server.faults.fired()).toContain('drop-upload-response:single');
  });

  it('leaves part uploads alone unless asked', async () => {
    const id = randomUUID();
    const [meta] = (await session.call([{ action: 'get_upload_metadata', component_id: id, file_name: 'a.bin', file_size: 12_000, parts: 2 }])) as [
      { urls: { signed_url: string }[] },
    ];
    server.faults.set({ dropUploadResponse: {} });
    expect((await fetch(meta.urls[0]!.signed_url, { method: 'PUT', body: new Uint8Array(randomBytes(6000)) })).status).toBe(200);
    expect(server.faults.current().dropUploadResponse, 'still armed for a single-part PUT').toBeDefined();
    server.faults.set({ dropUploadResponse: { parts: true } });
    await expect(fetch(meta.urls[1]!.signed_url, { method: 'PUT', body: new Uint8Array(randomBytes(6000)) })).rejects.toThrow();
    expect(server.faults.fired()).toContain('drop-upload-response:part');
  });
});

describe('apiLatency', () => {
  it('holds only matching batches and shows them as held', async () => {
    server.faults.set({ apiLatency: [{ entityType: 'ComponentLocation', ms: 400, times: 1 }] });
    // Not matching: answered without being held.
    expect((await rawCall([{ action: 'query', expression: 'select id from Location' }])).status).toBe(200);
    expect(server.faults.fired().some((f) => f.startsWith('api-latency:query'))).toBe(false);

    const id = randomUUID();
    const call = rawCall([createComponent(id), createLocation(id)]);
    await waitUntil(() => server.faults.heldApiCalls() === 1);
    expect(await componentExists(id), 'not run while held').toBe(false);
    expect((await call).status).toBe(200);
    expect(server.faults.heldApiCalls()).toBe(0);
    expect(await componentExists(id)).toBe(true);
    // times: 1 — the next matching batch is not held.
    const next = randomUUID();
    expect((await rawCall([createComponent(next), createLocation(next)])).status).toBe(200);
    expect(server.faults.fired().filter((f) => f.startsWith('api-latency:'))).toHaveLength(1);
  });

  it('drops a held batch unrun when its client goes away', async () => {
    server.faults.set({ apiLatency: [{ entityType: 'ComponentLocation', ms: 500 }] });
    const id = randomUUID();
    const controller = new AbortController();
    const call = fetch(`${server.url}/api`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'ftrack-user': server.user, 'ftrack-api-key': server.apiKey },
      body: JSON.stringify([createComponent(id), createLocation(id)]),
      signal: controller.signal,
    });
    await waitUntil(() => server.faults.heldApiCalls() === 1);
    controller.abort();
    await expect(call).rejects.toThrow();
    await waitUntil(() => server.faults.heldApiCalls() === 0);
    expect(await componentExists(id), 'the abandoned batch never ran').toBe(false);
  });
});

describe('Faults controller', () => {
  it('releaseHeld() ends a hold early and clear() releases too', async () => {
    const faults = new Faults();
    let released = 0;
    void faults.hold(600_000).then(() => (released += 1));
    void faults.hold(600_000).then(() => (released += 1));
    expect(faults.heldApiCalls()).toBe(2);
    faults.releaseHeld();
    await waitUntil(() => released === 2);
    expect(faults.heldApiCalls()).toBe(0);
    void faults.hold(600_000).then(() => (released += 1));
    faults.clear();
    await waitUntil(() => released === 3);
  });

  it('clear() disarms the new rules', () => {
    const faults = new Faults({ dropApiResponse: { action: 'create' }, dropUploadResponse: {}, apiLatency: [{ action: 'create', ms: 10 }] });
    faults.clear();
    const batch = { actions: ['create'], entityTypes: ['FileComponent'] };
    expect(faults.takeApiResponseDrop(batch)).toBe(false);
    expect(faults.takeUploadResponseDrop({ part: false })).toBe(false);
    expect(faults.takeApiLatency(batch)).toBe(0);
  });

  it('a matcher with neither action nor entity type matches nothing', () => {
    const faults = new Faults({ dropApiResponse: {}, apiLatency: [{ ms: 10 }] });
    const batch = { actions: ['create'], entityTypes: ['FileComponent'] };
    expect(faults.takeApiResponseDrop(batch)).toBe(false);
    expect(faults.takeApiLatency(batch)).toBe(0);
  });
});

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}
