// AssetVersion numbers in one batch and across batches, through the real client.
import { describe, expect, it } from 'vitest';
import { seededServer } from '../test-support/seeded-server.js';

const local = seededServer();

describe('version numbers', () => {
  it('counts up within a batch, after explicit numbers and after deletes', async () => {
    const assetId = local.server.seed!.assetId;
    const create = (data: Record<string, unknown> = {}) => ({ action: 'create', entity_type: 'AssetVersion', entity_data: { asset_id: assetId, ...data } });
    const results = (await local.session.call([create(), create({ version: 10 }), create(), create()])) as { data: { id: string; version: number } }[];
    expect(results.map((r) => r.data.version)).toEqual([2, 10, 11, 12]);
    await local.session.delete('AssetVersion', [results[3]!.data.id]);
    const [next] = (await local.session.call([create()])) as { data: { version: number } }[];
    expect(next!.data.version).toBe(12);
    const [other] = (await local.session.call([
      { action: 'create', entity_type: 'Asset', entity_data: { name: 'fresh', parent: { __entity_type__: 'Shot', id: local.server.seed!.shotId } } },
    ])) as { data: { id: string } }[];
    const [first] = (await local.session.call([{ action: 'create', entity_type: 'AssetVersion', entity_data: { asset_id: other!.data.id } }])) as {
      data: { version: number };
    }[];
    expect(first!.data.version).toBe(1);
  });
});
