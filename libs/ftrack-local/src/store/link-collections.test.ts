// Collections kept in link tables, appended to and removed from through the real
// @ftrack/api client: version links and list items.
import { describe, expect, it } from 'vitest';
import { seededServer } from '../test-support/seeded-server.js';

const ref = (type: string, id: string) => ({ __entity_type__: type, id });
const ids = (rows: unknown): string[] => (rows as { id: string }[]).map((r) => r.id);

const local = seededServer();

async function newVersion(): Promise<string> {
  return ((await local.session.create('AssetVersion', { asset_id: local.server.seed!.assetId })).data as { id: string }).id;
}

describe('link-table collections', () => {
  it('sets uses_versions and reads both directions', async () => {
    const v1 = local.server.seed!.versionId;
    const v2 = await newVersion();
    const v3 = await newVersion();
    await local.session.update('AssetVersion', [v3], { uses_versions: [ref('AssetVersion', v1), ref('AssetVersion', v2)] } as never);
    const uses = await local.session.query(`select uses_versions.version from AssetVersion where id is ${v3}`);
    expect(ids((uses.data[0] as { uses_versions: unknown }).uses_versions).sort()).toEqual([v1, v2].sort());
    const usedIn = await local.session.query(`select used_in_versions from AssetVersion where id is ${v1}`);
    expect(ids((usedIn.data[0] as { used_in_versions: unknown }).used_in_versions)).toEqual([v3]);
    const links = await local.session.query(`select from_id, to_id from AssetVersionLink where to_id is ${v3}`);
    expect(links.data).toHaveLength(2);

    await local.session.update('AssetVersion', [v3], { uses_versions: [ref('AssetVersion', v2)] } as never);
    const after = await local.session.query(`select uses_versions from AssetVersion where id is ${v3}`);
    expect(ids((after.data[0] as { uses_versions: unknown }).uses_versions)).toEqual([v2]);
    await local.session.delete('AssetVersion', [v2]);
    expect((await local.session.query(`select id from AssetVersionLink where to_id is ${v3}`)).data).toHaveLength(0);
  });

  it('adds and removes list items through ListObject', async () => {
    const { projectId, versionId, shotId, taskId } = local.server.seed!;
    const category = (await local.session.query('select id from ListCategory where name is "Dailies"')).data[0] as { id: string };
    const list = (await local.session.create('AssetVersionList', { name: 'dailies 01', category_id: category.id, project_id: projectId })).data as {
      id: string;
      system_type: string;
      is_open: boolean;
    };
    expect(list.system_type).toBe('assetversion');
    const v2 = await newVersion();
    await local.session.update('AssetVersionList', [list.id], { items: [ref('AssetVersion', versionId), ref('AssetVersion', v2)] } as never);
    const listed = await local.session.query(`select items.version from AssetVersionList where id is ${list.id}`);
    expect(ids((listed.data[0] as { items: unknown }).items).sort()).toEqual([versionId, v2].sort());
    const inList = await local.session.query('select id from AssetVersion where lists any (name is "dailies 01")');
    expect(ids(inList.data).sort()).toEqual([versionId, v2].sort());

    await local.session.update('AssetVersionList', [list.id], { items: [ref('AssetVersion', v2)] } as never);
    expect((await local.session.query(`select id from ListObject where list_id is ${list.id}`)).data).toHaveLength(1);

    const shots = (await local.session.create('TypedContextList', { name: 'to do', category_id: category.id, project_id: projectId })).data as { id: string };
    await local.session.update('TypedContextList', [shots.id], { items: [ref('Shot', shotId), ref('Task', taskId)] } as never);
    const contexts = await local.session.query(`select items.name from TypedContextList where id is ${shots.id}`);
    expect(ids((contexts.data[0] as { items: unknown }).items).sort()).toEqual([shotId, taskId].sort());
    await expect(local.session.update('AssetVersionList', [list.id], { items: [ref('Shot', shotId)] } as never)).rejects.toMatchObject({
      name: 'ServerValidationError',
    });
    await local.session.delete('TypedContextList', [shots.id]);
    expect((await local.session.query(`select id from ListObject where list_id is ${shots.id}`)).data).toHaveLength(0);
  });
});
