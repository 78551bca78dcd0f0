// The composition against real adapters: a real ftrack-local, real storage, real encoders.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PublishReview, TOKENS, resolveConfig, silentLogger, type Encoder, type StorageAccessor } from '@ftrack-encode/core';
import { startFtrackLocal, type FtrackLocalServer } from '@ftrack-encode/ftrack-local';
import { backendHelp, composeJobDeps, createScope, validateAdapterConfig, type Scope } from './index.js';

describe('createScope', () => {
  let server: FtrackLocalServer;
  let work: string;
  const scopes: Scope[] = [];
  const ftrack = () => ({ serverUrl: server.url, apiUser: server.user, apiKey: server.apiKey });
  const open = async (...args: Parameters<typeof createScope>) => {
    const scope = await createScope(...args);
    scopes.push(scope);
    return scope;
  };

  beforeAll(async () => {
    server = await startFtrackLocal({ port: 0, seed: 'demo' });
    work = await mkdtemp(join(tmpdir(), 'composition-'));
  });
  afterAll(async () => {
    for (const scope of scopes) await scope.close();
    await server?.close();
    await rm(work, { recursive: true, force: true });
  });

  it('an encode-only scope has an encoder and a probe but no storage', async () => {
    const scope = await open(resolveConfig({}), { logger: silentLogger, backend: 'native' });
    expect(scope.backend).toBe('native');
    expect(scope.container.resolve<Encoder>(TOKENS.Encoder).id).toBe('native');
    expect(scope.container.isRegistered(TOKENS.MediaProbe, true)).toBe(true);
    expect(scope.storage).toBeUndefined();
    await expect(scope.location('ftrack.server')).rejects.toMatchObject({ code: 'E_CONFIG_INVALID' });
  });

  it('a publish scope stores with the configured hash algorithm and journal, in every location', async () => {
    const prefix = join(work, 'disk');
    const config = validateAdapterConfig(
      resolveConfig({
        file: { hashAlgorithm: 'md5', upload: { journalDir: join(work, 'journals') }, locations: [{ name: 'studio.disk', type: 'disk', prefix }] },
      }),
      {},
    );
    const scope = await open(config, { logger: silentLogger, backend: 'native', ftrack: ftrack() });
    const file = join(work, 'bytes.bin');
    await writeFile(file, 'review bytes');
    const md5 = createHash('md5').update('review bytes').digest('hex');
    const context = { componentId: randomUUID(), componentName: 'ftrackreview-mp4', extension: 'mp4', project: 'p', asset: 'a', version: 1 };
    const server = scope.storage as StorageAccessor;
    expect(server.locationName).toBe('ftrack.server');
    expect((await server.put(file, context)).checksum).toEqual({ algorithm: 'md5', hex: md5 });
    expect((server as unknown as { options: { journalDir?: string } }).options.journalDir).toBe(join(work, 'journals'));
    const disk = await scope.location('studio.disk');
    expect((await disk.put(file, context)).checksum).toEqual({ algorithm: 'md5', hex: md5 });
    expect(scope.container.isRegistered(TOKENS.PublishLock, true)).toBe(true);
    expect(scope.container.resolve(PublishReview)).toBeInstanceOf(PublishReview);
  });

  it('an unknown location fails with E_CONFIG_INVALID naming the known ones', async () => {
    await expect(createScope(resolveConfig({}), { logger: silentLogger, backend: 'native', ftrack: ftrack(), location: 'nowhere' })).rejects.toMatchObject({
      code: 'E_CONFIG_INVALID',
      message: expect.stringContaining('ftrack.server'),
    });
  });

  it('farm and ftrack backends encode remotely and probe locally', async () => {
    const farm = await open(resolveConfig({ flags: { backend: 'farm' } }), { logger: silentLogger });
    expect(farm).toMatchObject({ backend: 'farm', local: 'native' });
    expect(farm.container.resolve<Encoder>(TOKENS.Encoder).id).toBe('farm');
    const serverSide = await open(resolveConfig({}), { logger: silentLogger, backend: 'ftrack', ftrack: ftrack() });
    expect(serverSide.container.resolve<Encoder>(TOKENS.Encoder).id).toBe('ftrack');
    await expect(createScope(resolveConfig({}), { logger: silentLogger, backend: 'ftrack' })).rejects.toMatchObject({ code: 'E_CONFIG_INVALID' });
  });

  it('farm jobs get the same wiring: an unknown location is an error, not a silent default', async () => {
    const { deps, close } = await composeJobDeps(resolveConfig({}), { logger: silentLogger, scratchDir: join(work, 'scratch'), threads: 1, ftrack: ftrack() });
    try {
      expect(await deps.storage?.('nowhere')).toBeUndefined();
      const request = { input: join(work, 'missing.mov'), versionId: server.seed?.versionId ?? '', profile: { name: 'x' } as never, scratchDir: work };
      await expect(deps.runPublish?.('nowhere', request)).rejects.toMatchObject({ code: 'E_CONFIG_INVALID' });
    } finally {
      await close();
    }
  });
});

describe('adapter configuration from the descriptors', () => {
  it('fills each adapter block with its defaults and its environment variables (env wins over the file)', () => {
    const config = validateAdapterConfig(resolveConfig({ file: { farm: { redisUrl: 'redis://file:6379' }, upload: { parallelParts: 3 } } }), {
      REDIS_URL: 'redis://env:6379',
      FTRACK_ENCODE_PART_SIZE: '65536',
    });
    expect(config['farm']).toMatchObject({ redisUrl: 'redis://env:6379', queuePrefix: 'ftrack-encode', threadsPerEncode: 2 });
    expect(config['upload']).toEqual({ parallelParts: 3, partSize: 65536 });
  });

  it('names the bad field: an adapter block, an unknown backend, a location of an unknown type or missing its prefix', () => {
    const bad = (file: Record<string, unknown>) => {
      try {
        validateAdapterConfig(resolveConfig({ file }), {});
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(bad({ farm: { threadsPerEncode: 0 } })).toContain('farm.threadsPerEncode');
    expect(bad({ backend: 'gpu-cloud' })).toMatch(/backend: unknown backend "gpu-cloud" \(auto \| native \| wasm \| farm \| ftrack\)/);
    expect(bad({ locations: [{ name: 's3', type: 's3' }] })).toContain('locations.0.type: unknown storage type "s3" (ftrack-server, disk)');
    expect(bad({ locations: [{ name: 'studio.disk', type: 'disk' }] })).toContain('locations.0.prefix');
  });

  it('builds the backend help from the descriptors; publish-only backends are left out of encode', () => {
    expect(backendHelp('publish')).toMatch(/ftrack +the ftrack server's own encode_media/);
    expect(backendHelp('encode')).not.toContain('encode_media');
    expect(backendHelp('encode')).toMatch(/farm +BullMQ workers/);
  });
});
