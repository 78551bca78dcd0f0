// AssetVersion numbers in one batch and across batches, through the real client.
import { Session } from '@ftrack/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFtrackLocal, type FtrackLocalServer } from '../index.js';

let server: FtrackLocalServer;
let session: Session;

beforeAll(async () => {
  server = await startFtrackLocal({ seed: 'demo' });
  session = new Session(server.url, server.user, server.apiKey, { autoConnectEventHub: false });
  await session.initializing;
});

afterAll(async () => {
  await server.close();
});

describe('version numbers', () => {
  it('counts up within a batch, after explicit numbers and after deletes', async () => {
    const assetId = server.seed!.assetId;
    const create = (data: Record<string, unknown> = {}) => ({ action: 'create', entity_type: 'AssetVersion', entity_data: { asset_id: assetId, ...data } });
    const results = (await session.call([create(), create({ version: 10 }), create(), create()])) as { data: { id: string; version: number } }[];
    expect(results.map((r) => r.data.version)).toEqual([2, 10, 11, 12]);
    await session.delete('AssetVersion', [results[3]!.data.id]);
    const [next] = (await session.call([create()])) as { data: { version: number } }[];
    expect(next!.data.version).toBe(12);
    const [other] = (await session.call([
      { action: 'create', entity_type: 'Asset', entity_data: { name: 'fresh', parent: { __entity_type__: 'Shot', id: server.seed!.shotId } } },
    ])) as { data: { id: string } }[];
    const [first] = (await session.call([{ action: 'create', entity_type: 'AssetVersion', entity_data: { asset_id: other!.data.id } }])) as {
      data: { version: number };
    }[];
    expect(first!.data.version).toBe(1);
  });
});
