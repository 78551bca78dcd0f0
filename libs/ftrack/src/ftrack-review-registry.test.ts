import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { container } from 'tsyringe';
import { Session } from '@ftrack/api';
import {
  ImageOutputSpec,
  TOKENS,
  VideoOutputSpec,
  isEncodeError,
  rational,
  type ComponentToRegister,
  type EncodedOutput,
  type MediaInfo,
  type OutputSpec,
  type RegistrationRequest,
} from '@ftrack-encode/core';
import { startFtrackLocal, SERVER_LOCATION_ID } from '@ftrack-encode/ftrack-local';
import { createFtrackSession, registerFtrack, FtrackReviewRegistry, FtrackConnection } from './index.js';

type Server = Awaited<ReturnType<typeof startFtrackLocal>>;
interface Row {
  [key: string]: unknown;
}

function info(width: number, height: number, codec: string): MediaInfo {
  return {
    format: 'mp4',
    width,
    height,
    pixelAspect: rational(1),
    frameRate: rational(24000, 1001),
    frameCount: 48,
    duration: 2.002,
    codec,
    pixelFormat: 'yuv420p',
    color: {},
    audio: [],
    firstFrame: 0,
    isStill: codec === 'mjpeg',
  };
}

function output(spec: OutputSpec, width: number, height: number): EncodedOutput {
  const ext = spec.container;
  return {
    name: spec.name,
    path: `/tmp/out/sh010_${spec.name}.${ext}`,
    spec,
    info: info(width, height, spec.kind === 'video' ? spec.codec : spec.codec),
    checksum: { algorithm: 'sha256', hex: `${spec.name}`.padEnd(64, '0').slice(0, 64) },
    size: 1000 + width,
  };
}

const SPECS: [OutputSpec, number, number][] = [
  [VideoOutputSpec.parse({ name: 'ftrackreview-mp4', kind: 'video', codec: 'h264', container: 'mp4' }), 1280, 720],
  [VideoOutputSpec.parse({ name: 'ftrackreview-mp4-1080', kind: 'video', codec: 'h264', container: 'mp4' }), 1920, 1080],
  [VideoOutputSpec.parse({ name: 'ftrackreview-webm', kind: 'video', codec: 'vp9', container: 'webm' }), 1280, 720],
  [ImageOutputSpec.parse({ name: 'ftrackreview-image', kind: 'image', codec: 'mjpeg', container: 'jpg', role: 'review-image' }), 1920, 1080],
  [ImageOutputSpec.parse({ name: 'thumbnail', kind: 'image', codec: 'mjpeg', container: 'jpg' }), 640, 360],
];

function request(versionId: string, key = { sourceChecksum: `sha256:${randomUUID()}`, profileHash: randomUUID() }): RegistrationRequest {
  const components: ComponentToRegister[] = SPECS.map(([spec, w, h]) => {
    const out = output(spec, w, h);
    const componentId = randomUUID();
    return { componentId, output: out, stored: { resourceIdentifier: componentId, checksum: out.checksum, size: out.size, created: true } };
  });
  return {
    target: { versionId, version: 1, assetId: '', asset: 'sh010_comp', project: 'demo', parents: ['sq010', 'sh010'] },
    key,
    locationId: SERVER_LOCATION_ID,
    provenance: {
      sourcePath: '/plates/sh010 plate.%04d.exr',
      sourceChecksum: key.sourceChecksum,
      profileName: 'ftrack-review',
      profileHash: key.profileHash,
      encoderId: 'native',
      encoderVersion: 'ffmpeg 5.1',
    },
    components,
    thumbnailName: 'thumbnail',
  };
}

/** Counts /api requests and the actions in them (real HTTP underneath). */
function recordApi(): { actions: string[][]; restore(): void } {
  const original = globalThis.fetch;
  const actions: string[][] = [];
  globalThis.fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input instanceof Request ? input.url : input);
    if (url.endsWith('/api') && typeof init?.body === 'string') actions.push((JSON.parse(init.body) as { action: string }[]).map((o) => o.action));
    return original(input, init);
  };
  return { actions, restore: () => void (globalThis.fetch = original) };
}

describe('FtrackReviewRegistry against ftrack-local with the real @ftrack/api client', () => {
  let server: Server;
  let cacheDir: string;
  let plain: Session;
  let registry: FtrackReviewRegistry;
  let versionId: string;

  const rows = async (expression: string): Promise<Row[]> => (await plain.query(expression)).data as Row[];

  beforeAll(async () => {
    server = await startFtrackLocal({ port: 0, seed: 'demo' });
    versionId = server.seed?.versionId ?? '';
    cacheDir = await mkdtemp(join(tmpdir(), 'ftrack-schemas-'));
    plain = new Session(server.url, server.user, server.apiKey, { decodeDatesAsIso: true });
    await plain.initializing;
    const child = container.createChildContainer();
    registerFtrack(child, { serverUrl: server.url, apiUser: server.user, apiKey: server.apiKey, schemaCacheDir: cacheDir });
    registry = child.resolve<FtrackReviewRegistry>(TOKENS.ReviewRegistry as never);
  });
  afterAll(async () => {
    await server?.close();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('resolves the target version with its names', async () => {
    const target = await registry.resolveTarget(versionId);
    expect(target).toMatchObject({ versionId, version: 1, asset: 'sh010_comp', project: 'demo' });
    expect(target.parents).toEqual(['sq010', 'sh010']);
    expect(target.assetId).toBe(server.seed?.assetId);
  });

  it('unknown version: E_FTRACK_NOT_FOUND', async () => {
    const error = await registry.resolveTarget(randomUUID()).catch((e: unknown) => e);
    expect(isEncodeError(error, 'E_FTRACK_NOT_FOUND')).toBe(true);
  });

  it('registers 5 outputs in ONE call: components, locations, metadata and thumbnail', async () => {
    const req = request(versionId);
    await registry.locationId('ftrack.server'); // opens the session outside the count
    const recorder = recordApi();
    let registered;
    try {
      registered = await registry.register(req);
    } finally {
      recorder.restore();
    }
    expect(recorder.actions).toHaveLength(1);
    expect(registered.map((r) => r.name)).toEqual(SPECS.map(([s]) => s.name));

    const ids = req.components.map((c) => c.componentId);
    const components = await rows(`select id, name, file_type, size, version_id from FileComponent where version_id is "${versionId}"`);
    const mine = components.filter((c) => ids.includes(String(c['id'])));
    expect(mine.map((c) => c['name']).sort()).toEqual(SPECS.map(([s]) => s.name).sort());
    const mp4 = mine.find((c) => c['name'] === 'ftrackreview-mp4') as Row;
    expect(mp4).toMatchObject({ file_type: '.mp4', size: 1000 + 1280 });
    const webm = mine.find((c) => c['name'] === 'ftrackreview-webm') as Row;
    expect(webm['file_type']).toBe('.webm');

    const locations = await rows(`select component_id, location_id, resource_identifier from ComponentLocation where location_id is "${SERVER_LOCATION_ID}"`);
    for (const id of ids) expect(locations.find((l) => l['component_id'] === id)).toMatchObject({ resource_identifier: id });

    const meta = async (id: string) =>
      new Map((await rows(`select key, value from Metadata where parent_id is "${id}"`)).map((m) => [String(m['key']), String(m['value'])]));
    const mp4Meta = await meta(String(mp4['id']));
    expect(JSON.parse(mp4Meta.get('ftr_meta') ?? '{}')).toEqual({ frameIn: 0, frameOut: 48, frameRate: 23.976, width: 1280, height: 720 });
    expect(mp4Meta.get('ftrack_encode.frame_rate')).toBe('24000/1001');
    expect(mp4Meta.get('ftrack_encode.source_checksum')).toBe(req.key.sourceChecksum);
    expect(mp4Meta.get('ftrack_encode.profile_hash')).toBe(req.key.profileHash);
    expect(mp4Meta.get('ftrack_encode.source_path')).toBe('/plates/sh010 plate.%04d.exr');
    expect(mp4Meta.get('ftrack_encode.encoder')).toBe('native');
    expect(mp4Meta.get('ftrack_encode.resolution')).toBe('1280x720');
    expect(mp4Meta.get('ftrack_encode.codec')).toBe('h264');
    expect(mp4Meta.get('ftrack_encode.size')).toBe(String(1000 + 1280));
    const image = mine.find((c) => c['name'] === 'ftrackreview-image') as Row;
    expect(JSON.parse((await meta(String(image['id']))).get('ftr_meta') ?? '{}')).toEqual({ format: 'image', width: 1920, height: 1080 });
    const thumb = mine.find((c) => c['name'] === 'thumbnail') as Row;
    expect((await meta(String(thumb['id']))).has('ftr_meta')).toBe(false);

    const [version] = await rows(`select thumbnail_id from AssetVersion where id is "${versionId}"`);
    expect(version?.['thumbnail_id']).toBe(thumb['id']);

    // findRegistration finds exactly this publish by its key.
    const found = await registry.findRegistration(versionId, req.key);
    expect(found?.map((f) => f.id).sort()).toEqual([...ids].sort());
    expect(found?.find((f) => f.name === 'ftrackreview-mp4')).toMatchObject({
      locations: [{ locationId: SERVER_LOCATION_ID, resourceIdentifier: mp4['id'] }],
      checksum: `sha256:${req.components[0]?.output.checksum.hex}`,
    });
    expect(await registry.isResourceRegistered(SERVER_LOCATION_ID, String(mp4['id']))).toBe(true);
    expect(await registry.isResourceRegistered(SERVER_LOCATION_ID, randomUUID())).toBe(false);
    expect(await registry.findRegistration(versionId, { ...req.key, profileHash: 'other' })).toBeUndefined();
  });

  it('an existing component only gets its missing ComponentLocation', async () => {
    const req = request(versionId);
    await registry.register({ ...req, locationId: 'ce9b348f-8809-11e3-821c-20c9d081909b', components: req.components.slice(0, 1), thumbnailName: undefined });
    const [first] = req.components;
    await registry.register({ ...req, components: [{ ...(first as ComponentToRegister), componentExists: true }], thumbnailName: undefined });
    const locations = await rows(`select location_id from ComponentLocation where component_id is "${first?.componentId}"`);
    expect(locations.map((l) => l['location_id']).sort()).toEqual([SERVER_LOCATION_ID, 'ce9b348f-8809-11e3-821c-20c9d081909b'].sort());
    expect(await rows(`select id from FileComponent where id is "${first?.componentId}"`)).toHaveLength(1);
    // Component and location both there (only the file was re-stored): nothing is created again.
    await registry.register({
      ...req,
      components: [{ ...(first as ComponentToRegister), componentExists: true, locationExists: true }],
      thumbnailName: undefined,
    });
    expect(await rows(`select id from ComponentLocation where component_id is "${first?.componentId}"`)).toHaveLength(2);
  });

  it('a validation error is marked as a definite refusal; a 500 is not', async () => {
    const req = request(versionId);
    server.faults.set({ failApiCall: { entityType: 'ComponentLocation', status: 500 } });
    const unavailable = await registry.register(req).catch((e: unknown) => e);
    server.faults.clear();
    expect(unavailable).toMatchObject({ code: 'E_FTRACK_FAILED' });
    expect((unavailable as { details: Record<string, unknown> }).details['refused']).toBeUndefined();
    const bad = request(versionId);
    const refused = await registry.register({ ...bad, target: { ...bad.target, versionId: 'not-a-version' } }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'E_FTRACK_FAILED', details: expect.objectContaining({ refused: true }) });
  });

  it('a 500 on the registration call leaves no component (the batch is atomic)', async () => {
    const req = request(versionId);
    server.faults.set({ failApiCall: { entityType: 'ComponentLocation', status: 500 } });
    const error = await registry.register(req).catch((e: unknown) => e);
    server.faults.clear();
    expect(isEncodeError(error, 'E_FTRACK_FAILED')).toBe(true);
    const ids = req.components.map((c) => `"${c.componentId}"`).join(', ');
    expect(await rows(`select id from Component where id in (${ids})`)).toEqual([]);
    expect(await rows(`select parent_id from Metadata where parent_id in (${ids})`)).toEqual([]);
  });

  it('finds the source component: largest non-review, by name, by id', async () => {
    const big = randomUUID();
    const small = randomUUID();
    await plain.call([
      {
        action: 'create',
        entity_type: 'FileComponent',
        entity_data: { __entity_type__: 'FileComponent', id: big, name: 'main', file_type: '.mov', size: 9_000_000, version_id: versionId },
      },
      {
        action: 'create',
        entity_type: 'FileComponent',
        entity_data: { __entity_type__: 'FileComponent', id: small, name: 'proxy', file_type: '.mov', size: 10, version_id: versionId },
      },
      {
        action: 'create',
        entity_type: 'ComponentLocation',
        entity_data: { __entity_type__: 'ComponentLocation', component_id: big, location_id: SERVER_LOCATION_ID, resource_identifier: big },
      },
    ] as never);
    const largest = await registry.findSourceComponent({ versionId });
    expect(largest).toMatchObject({ componentId: big, name: 'main', fileType: '.mov', size: 9_000_000, versionId });
    expect(largest.locations).toEqual([{ locationId: SERVER_LOCATION_ID, locationName: 'ftrack.server', resourceIdentifier: big }]);
    expect((await registry.findSourceComponent({ versionId, name: 'proxy' })).componentId).toBe(small);
    expect((await registry.findSourceComponent({ componentId: small })).name).toBe('proxy');
    const missing = await registry.findSourceComponent({ versionId, name: 'nope' }).catch((e: unknown) => e);
    expect(isEncodeError(missing, 'E_FTRACK_NOT_FOUND')).toBe(true);
  });

  it('looks up location ids by name', async () => {
    expect(await registry.locationId('ftrack.server')).toBe(SERVER_LOCATION_ID);
    expect(isEncodeError(await registry.locationId('no.such.location').catch((e: unknown) => e), 'E_FTRACK_NOT_FOUND')).toBe(true);
  });

  it('wrong API key: E_FTRACK_AUTH naming server and user, never the key', async () => {
    const error = await createFtrackSession({ serverUrl: server.url, apiUser: server.user, apiKey: 'not-the-key-123' }).catch((e: unknown) => e);
    expect(isEncodeError(error, 'E_FTRACK_AUTH')).toBe(true);
    const text = JSON.stringify({ m: (error as Error).message, d: (error as { details?: unknown }).details, h: (error as { hint?: unknown }).hint });
    expect(text).toContain(server.url);
    expect(text).toContain(server.user);
    expect(text).not.toContain('not-the-key-123');
    const viaRegistry = await new FtrackReviewRegistry(new FtrackConnection({ serverUrl: server.url, apiUser: server.user, apiKey: 'not-the-key-123' }))
      .resolveTarget(versionId)
      .catch((e: unknown) => e);
    expect(isEncodeError(viaRegistry, 'E_FTRACK_AUTH')).toBe(true);
  });

  it('caches schemas by schema_hash: a warm start sends no query_schemas', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ftrack-schemas-'));
    const config = { serverUrl: server.url, apiUser: server.user, apiKey: server.apiKey, schemaCacheDir: dir };
    const cold = recordApi();
    try {
      const { session } = await createFtrackSession(config);
      expect(session.getSchema('AssetVersion')?.primary_key).toEqual(['id']);
    } finally {
      cold.restore();
    }
    expect(cold.actions.flat()).toEqual(['query_server_information', 'query_schemas']);
    const warm = recordApi();
    try {
      const { session } = await createFtrackSession(config);
      expect(session.getSchema('AssetVersion')?.primary_key).toEqual(['id']);
      await session.query(`select id from AssetVersion where id is "${versionId}"`);
    } finally {
      warm.restore();
    }
    expect(warm.actions).toEqual([['query_server_information'], ['query']]);
    await rm(dir, { recursive: true, force: true });
  });

  it('reads FTRACK_SERVER / FTRACK_API_USER / FTRACK_API_KEY when not given', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, { FTRACK_SERVER: server.url, FTRACK_API_USER: server.user, FTRACK_API_KEY: server.apiKey });
    try {
      const { credentials } = await createFtrackSession();
      expect(credentials).toEqual({ serverUrl: server.url, apiUser: server.user, apiKey: server.apiKey });
    } finally {
      process.env = saved;
    }
    delete process.env['FTRACK_SERVER'];
    const error = await createFtrackSession({ apiUser: 'u', apiKey: 'k' }).catch((e: unknown) => e);
    expect(isEncodeError(error, 'E_CONFIG_INVALID')).toBe(true);
  });
});
