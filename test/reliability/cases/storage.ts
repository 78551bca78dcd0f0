// Storage and disk: a disk location whose structure gives two publishes the same path, a bad
// structure, disk full on --out (in-process: a FileSystem port that throws ENOSPC), a source that
// changes while it is hashed.
import 'reflect-metadata';
import { appendFile, copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { container } from 'tsyringe';
import { expect } from 'vitest';
import { EncodeMedia, isEncodeError, ProfileCatalog, silentLogger, TOKENS, type FileSystem } from '@ftrack-encode/core';
import { registerNativeEncoder } from '@ftrack-encode/encoder-native';
import { NodeFileSystem, registerNodePlatform } from '@ftrack-encode/node-platform';
import { createEntity, sha256File } from '../../support/ftrack.js';
import { listTree, publishArgs, type Harness, type RowContext } from '../harness.js';
import { failingRow } from './builders.js';
import type { ReliabilityCase } from '../table.js';

/** A disk location registered in ftrack and described in a config file of the row. */
async function diskLocation(h: Harness, ctx: RowContext, structure: string): Promise<{ name: string; prefix: string; config: string }> {
  const name = `studio.disk.${relative(h.work, ctx.dir).replace(/[^a-z0-9]+/gi, '-')}`;
  const prefix = join(ctx.dir, 'disk');
  await mkdir(prefix, { recursive: true });
  await createEntity(h.session, 'Location', { name });
  const config = join(ctx.dir, 'disk.config.json');
  await writeFile(config, JSON.stringify({ locations: [{ name, type: 'disk', prefix, structure }] }));
  return { name, prefix, config };
}

/** FileSystem whose `rename` (committing an output into --out) fails with ENOSPC from the Nth call on. */
class DiskFullFileSystem implements FileSystem {
  private renames = 0;
  constructor(
    private readonly inner: FileSystem,
    private readonly failFrom: number,
  ) {}
  async rename(from: string, to: string): Promise<void> {
    if (++this.renames >= this.failFrom)
      throw Object.assign(new Error(`ENOSPC: no space left on device, rename '${from}' -> '${to}'`), { code: 'ENOSPC', errno: -28, syscall: 'rename' });
    return this.inner.rename(from, to);
  }
  remove(path: string) {
    return this.inner.remove(path);
  }
  size(path: string) {
    return this.inner.size(path);
  }
  exists(path: string) {
    return this.inner.exists(path);
  }
  ensureWritableDir(path: string) {
    return this.inner.ensureWritableDir(path);
  }
  tempDir(prefix: string) {
    return this.inner.tempDir(prefix);
  }
  removeDir(path: string) {
    return this.inner.removeDir(path);
  }
}

/** Healthy on a disk location: one ComponentLocation each (expectHealthy) and every file's bytes = its checksum. */
async function expectDiskHealthy(h: Harness, versionId: string, disk: { name: string; prefix: string }, names: string[]): Promise<void> {
  const components = await h.expectHealthy(versionId, names);
  for (const c of components) {
    const resource = c.locations[disk.name];
    expect(resource, `${c.name} is in ${disk.name}`).toBeDefined();
    expect(`sha256:${await sha256File(join(disk.prefix, resource!))}`, `${c.name} on disk = recorded checksum`).toBe(c.metadata['ftrack_encode.checksum']);
  }
  expect((await listTree(disk.prefix)).length, 'no other file under the prefix').toBe(components.length);
}

const DISK_REVIEW_SET = ['ftrackreview-mp4', 'ftrackreview-webm', 'thumbnail'];

export const storageCases: ReliabilityCase[] = [
  {
    name: 'disk location: lost response after a committed registration',
    fault: 'disk location; the registration batch commits, then its socket is destroyed without a response',
    expected: 'success',
    state: 'files kept in place with their checksums; one ComponentLocation each; re-run skipped',
    run: async (h) => {
      const ctx = await h.context('disk-lost-response');
      const versionId = await h.newVersion();
      const disk = await diskLocation(h, ctx, '{project}/{shot}/v{version:03}/{component}.{ext}');
      const args = publishArgs(h.clips.small, versionId, '--location', disk.name, '--config', disk.config);
      h.server.faults.set({ dropApiResponse: { entityType: 'ComponentLocation' } });
      const result = await h.cli(args, ctx);
      expect(h.server.faults.fired().join(' ')).toContain('drop-api-response');
      await expectDiskHealthy(h, versionId, disk, DISK_REVIEW_SET);
      expect(h.expectSuccess(result).skipped).toBe(false);
      await h.expectNoScratch(ctx);
      await h.expectRerunSkipped(args, ctx, versionId);
    },
  },
  {
    name: 'disk location: HTTP 500 on the registration call',
    fault: 'disk location; the registration batch answers 500 (nothing committed)',
    expected: 'E_FTRACK_FAILED',
    state: 'nothing registered; no file left under the prefix; no scratch; a re-run publishes once',
    run: async (h) => {
      const ctx = await h.context('disk-register-500');
      const versionId = await h.newVersion();
      const disk = await diskLocation(h, ctx, '{project}/{shot}/v{version:03}/{component}.{ext}');
      const args = publishArgs(h.clips.small, versionId, '--location', disk.name, '--config', disk.config);
      h.server.faults.set({ failApiCall: { entityType: 'ComponentLocation', status: 500 } });
      h.expectError(await h.cli(args, ctx), 'E_FTRACK_FAILED');
      await h.expectNoTrace(ctx, versionId);
      expect(await listTree(disk.prefix), 'the files this run put are removed').toEqual([]);
      h.expectSuccess(await h.cli(args, ctx));
      await expectDiskHealthy(h, versionId, disk, DISK_REVIEW_SET);
      await h.expectRerunSkipped(args, ctx, versionId);
    },
  },
  {
    name: 'disk location: second publish onto a registered path',
    fault: 'structure {project}/{shot}/v{version:03}/{component}.{ext}: --profile proxy of clip A, then of clip B, same version',
    expected: 'E_STORAGE_CONFLICT',
    state: "A's file keeps its registered checksum; B registers nothing; no stray file under the prefix",
    run: async (h) => {
      const ctx = await h.context('disk-overwrite');
      const versionId = await h.newVersion();
      const disk = await diskLocation(h, ctx, '{project}/{shot}/v{version:03}/{component}.{ext}');
      const common = ['--profile', 'proxy', '--location', disk.name, '--config', disk.config];
      const first = h.expectSuccess(await h.cli(publishArgs(h.clips.small, versionId, ...common), ctx));
      expect(first.components.map((c) => c.name)).toEqual(['proxy']);
      const [registered] = await h.components(versionId);
      const path = join(disk.prefix, registered!.locations[disk.name]!);
      expect(`sha256:${await sha256File(path)}`).toBe(registered!.metadata['ftrack_encode.checksum']);

      const second = await h.cli(publishArgs(h.clips.other, versionId, ...common), ctx);
      h.expectError(second, 'E_STORAGE_CONFLICT', { exit: 42 });
      expect(`sha256:${await sha256File(path)}`, 'the registered file still has its registered bytes').toBe(registered!.metadata['ftrack_encode.checksum']);
      await h.expectNothingRegistered(versionId, [registered!.id]);
      expect(await listTree(disk.prefix), "only the first publish's file under the prefix").toEqual([relative(disk.prefix, path)]);
      await h.expectNoScratch(ctx);
    },
  },
  failingRow({
    name: 'disk location: structure escaping the prefix',
    fault: 'structure "../{component}.{ext}"',
    code: 'E_CONFIG_INVALID',
    setup: async (h, ctx) => {
      const versionId = await h.newVersion();
      const disk = await diskLocation(h, ctx, '../{component}.{ext}');
      return { args: publishArgs(h.clips.small, versionId, '--profile', 'proxy', '--location', disk.name, '--config', disk.config), versionId };
    },
  }),
  failingRow({
    name: 'disk location: prefix is a file',
    fault: "the disk location's prefix names a regular file",
    code: 'E_STORAGE_FAILED',
    state: 'nothing registered; the file untouched; no scratch',
    setup: async (h, ctx) => {
      const versionId = await h.newVersion();
      const disk = await diskLocation(h, ctx, '{project}/{component}.{ext}');
      const blocker = join(ctx.dir, 'prefix-file');
      await writeFile(blocker, 'x');
      await writeFile(disk.config, JSON.stringify({ locations: [{ name: disk.name, type: 'disk', prefix: blocker }] }));
      return { args: publishArgs(h.clips.small, versionId, '--profile', 'proxy', '--location', disk.name, '--config', disk.config), versionId };
    },
  }),
  {
    name: 'disk full on --out (FileSystem port, in-process)',
    fault: 'core EncodeMedia + native encoder; the FileSystem throws ENOSPC when committing the 2nd output',
    expected: 'E_OUTPUT_UNWRITABLE',
    state: '--out holds nothing: no partial file, no committed half of the outputs',
    run: async (h) => {
      const ctx = await h.context('disk-full');
      const scope = container.createChildContainer();
      registerNodePlatform(scope, { logger: silentLogger });
      registerNativeEncoder(scope);
      scope.register(TOKENS.FileSystem, { useValue: new DiskFullFileSystem(new NodeFileSystem(), 2) });
      const error = await scope
        .resolve(EncodeMedia)
        .run(h.clips.small, new ProfileCatalog().get('ftrack-review'), { outputDir: ctx.out })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      const left = await listTree(ctx.out);
      expect(left, `nothing left in --out (no partial, no committed half), found ${left.join(', ')}`).toEqual([]);
      expect(isEncodeError(error), `an EncodeError, got ${String(error)}`).toBe(true);
      expect((error as { code: string }).code, String((error as Error).message)).toBe('E_OUTPUT_UNWRITABLE');
    },
  },
  {
    name: 'source changes while it is hashed',
    fault: 'a 48 MB source keeps growing (appended every few ms) during the publish',
    expected: 'E_SOURCE_UNREADABLE',
    state: 'no registration with a checksum of bytes that were never encoded; nothing stored; no scratch',
    run: async (h) => {
      const ctx = await h.context('source-changes');
      const versionId = await h.newVersion();
      const source = join(ctx.dir, 'growing.mp4');
      await copyFile(h.clips.small, source);
      // Large enough that hashing takes a while; trailing bytes after the mp4 do not stop decoding.
      await appendFile(source, Buffer.alloc(48 * 1024 * 1024));
      let writing = true;
      const appender = (async () => {
        while (writing) {
          await appendFile(source, Buffer.alloc(64 * 1024, 1));
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      })();
      const result = await h.cli(publishArgs(source, versionId, '--profile', 'proxy'), ctx).finally(() => (writing = false));
      await appender;
      h.expectError(result, 'E_SOURCE_UNREADABLE');
      await h.expectNoTrace(ctx, versionId);
    },
  },
];
