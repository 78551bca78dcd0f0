import 'reflect-metadata';
import { mkdtemp, rm, writeFile, readdir, symlink, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { container } from 'tsyringe';
import { TOKENS, isEncodeError, type StorageContext } from '@ftrack-encode/core';
import { describeStorageContract } from '@ftrack-encode/testing';
import { DiskStorageAccessor, registerDiskStorage, renderStructure, DEFAULT_STRUCTURE } from './index.js';

async function makeDisk(structure?: string) {
  const prefix = await mkdtemp(join(tmpdir(), 'disk-storage-'));
  const storage = new DiskStorageAccessor({ locationName: 'studio.disk', locationId: 'loc-disk-1', prefix, ...(structure ? { structure } : {}) });
  return { storage, prefix, cleanup: () => rm(prefix, { recursive: true, force: true }) };
}

describeStorageContract(it, () => makeDisk());

const ctx: StorageContext = {
  componentId: 'c-1',
  componentName: 'ftrackreview-mp4',
  extension: 'mp4',
  project: 'demo',
  sequence: 'sq010',
  shot: 'sh010',
  asset: 'comp',
  version: 7,
};

describe('disk structure', () => {
  it('renders the default structure with a padded version', () => {
    expect(renderStructure(DEFAULT_STRUCTURE, ctx)).toBe('demo/sq010/sh010/comp/v007/ftrackreview-mp4.mp4');
  });

  it('drops a directory whose value is unknown', () => {
    const { sequence: _omit, ...noSequence } = ctx;
    expect(renderStructure(DEFAULT_STRUCTURE, noSequence)).toBe('demo/sh010/comp/v007/ftrackreview-mp4.mp4');
  });

  it('keeps hostile values inside one segment', async () => {
    const { storage, cleanup } = await makeDisk();
    const id = storage.resourceIdentifierFor({ ...ctx, project: '../../etc', shot: '..', asset: 'a/b\\c', componentName: 'x/../../y' });
    expect(id).toBe('.._.._etc/sq010/__/a_b_c/v007/x_.._.._y.mp4');
    expect(id.split('/')).toHaveLength(6);
    await cleanup();
  });

  it('rejects structures that could leave the prefix', () => {
    for (const structure of ['/abs/{component}', '../{component}.{ext}', '{project}/../{component}', '{project}/{nope}/{component}', '{project}/file']) {
      expect(() => new DiskStorageAccessor({ locationName: 'd', prefix: tmpdir(), structure }), structure).toThrow(
        expect.objectContaining({ code: 'E_CONFIG_INVALID' }),
      );
    }
  });

  it('refuses identifiers outside the prefix for get/exists/remove', async () => {
    const { storage, cleanup } = await makeDisk();
    for (const id of ['../escape', '/etc/passwd', '']) {
      await expect(storage.exists(id)).rejects.toSatisfy((e: unknown) => isEncodeError(e, 'E_STORAGE_FAILED'));
      await expect(storage.remove(id)).rejects.toSatisfy((e: unknown) => isEncodeError(e, 'E_STORAGE_FAILED'));
    }
    await cleanup();
  });

  it('removes empty directories up to (not including) the prefix', async () => {
    const { storage, prefix, cleanup } = await makeDisk();
    const src = join(prefix, '..', `src-${Date.now()}.mp4`);
    await writeFile(src, 'x');
    const stored = await storage.put(src, ctx);
    await storage.remove(stored.resourceIdentifier);
    expect(await readdir(prefix)).toEqual([]);
    await rm(src);
    await cleanup();
  });

  it('reports a missing source as E_STORAGE_FAILED and leaves nothing', async () => {
    const { storage, prefix, cleanup } = await makeDisk();
    await expect(storage.put(join(prefix, 'missing.mp4'), ctx)).rejects.toSatisfy((e: unknown) => isEncodeError(e, 'E_STORAGE_FAILED'));
    expect(await storage.exists(storage.resourceIdentifierFor(ctx))).toBe(false);
    await cleanup();
  });

  it('resolves the location id lazily, once, and explains a missing one', async () => {
    let calls = 0;
    const lazy = new DiskStorageAccessor({ locationName: 'd', prefix: tmpdir(), locationId: async () => `id-${++calls}` });
    expect(await lazy.locationId()).toBe('id-1');
    expect(await lazy.locationId()).toBe('id-1');
    const none = new DiskStorageAccessor({ locationName: 'd', prefix: tmpdir() });
    await expect(none.locationId()).rejects.toSatisfy((e: unknown) => isEncodeError(e, 'E_CONFIG_INVALID'));
  });

  it('registerDiskStorage registers TOKENS.StorageAccessor', () => {
    const child = container.createChildContainer();
    const storage = registerDiskStorage(child, { locationName: 'studio.disk', locationId: 'x', prefix: tmpdir() });
    expect(child.resolve(TOKENS.StorageAccessor)).toBe(storage);
  });

  it('writes through a symlinked prefix', async () => {
    const { prefix, cleanup } = await makeDisk();
    await mkdir(join(prefix, 'real'));
    await symlink(join(prefix, 'real'), join(prefix, 'link'));
    const storage = new DiskStorageAccessor({ locationName: 'd', locationId: 'x', prefix: join(prefix, 'link') });
    const src = join(prefix, 'a.mp4');
    await writeFile(src, 'abc');
    const stored = await storage.put(src, ctx);
    expect(await readdir(join(prefix, 'real', 'demo'))).toEqual(['sq010']);
    expect(stored.size).toBe(3);
    await cleanup();
  });
});
