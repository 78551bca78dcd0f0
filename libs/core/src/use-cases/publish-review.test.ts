// Unit test of the publish use case with fakes BELOW the ports (the real adapters are
// proven against ftrack-local and real ffmpeg in their own suites and in test/).
import 'reflect-metadata';
import { container } from 'tsyringe';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  EncodeError,
  InProcessPublishLock,
  ProfileCatalog,
  PublishReview,
  TOKENS,
  rational,
  silentLogger,
  type Encoder,
  type EventPublisher,
  type FileSystem,
  type Hasher,
  type MediaProbe,
  type RegisteredComponent,
  type RegistrationRequest,
  type ReviewRegistry,
  type StorageAccessor,
  type EncodePlan,
} from '../index.js';

const files = new Map<string, string>();
let plans: EncodePlan[] = [];

const encoder: Encoder = {
  id: 'fake',
  async capabilities() {
    return { id: 'fake', version: '1', codecs: ['h264', 'vp9', 'mjpeg'], unsupported: [], encoders: [], hardware: [], sequences: true };
  },
  async encode(plan) {
    plans.push(plan);
    for (const o of plan.outputs) files.set(o.tempPath, `${o.name}-bytes`);
    return plan.outputs.map((o) => ({ name: o.name, path: o.tempPath }));
  },
  async describe() {
    return [['fake']];
  },
};

const probe: MediaProbe = {
  async locate(input) {
    return { kind: 'file', path: input };
  },
  async probe(source) {
    const path = source.kind === 'file' ? source.path : '';
    const planned = plans.at(-1)?.outputs.find((o) => o.tempPath === path);
    const base = { format: 'mov', pixelAspect: rational(1), frameRate: rational(24), duration: 2, pixelFormat: 'yuv420p', color: {}, audio: [], firstFrame: 0, moovBeforeMdat: true };
    if (!planned) return { ...base, width: 640, height: 360, frameCount: 48, codec: 'h264', isStill: false };
    const codec = { h264: 'h264', vp9: 'vp9', mjpeg: 'mjpeg' }[planned.spec.codec as 'h264'] ?? planned.spec.codec;
    return { ...base, width: planned.width, height: planned.height, frameCount: planned.frameCount, codec, isStill: planned.spec.kind === 'image', duration: planned.spec.kind === 'image' ? 0 : 2 };
  },
};

const hasher: Hasher = {
  async hashFile(path) {
    return { algorithm: 'sha256', hex: `h(${files.get(path) ?? path})` };
  },
  async hashFiles(paths) {
    return { algorithm: 'sha256', hex: `h(${paths.join(',')})` };
  },
};

const fs: FileSystem = {
  async rename(a, b) {
    files.set(b, files.get(a) ?? '');
    files.delete(a);
  },
  async remove(p) {
    files.delete(p);
  },
  async size(p) {
    return (files.get(p) ?? '').length;
  },
  async exists(p) {
    return files.has(p);
  },
  async ensureWritableDir() {},
  async tempDir() {
    return '/tmp/x';
  },
  async removeDir() {},
};

class MemoryStorage implements StorageAccessor {
  readonly locationName = 'memory';
  readonly stored = new Map<string, string>();
  failOn?: string;
  async locationId() {
    return 'loc-1';
  }
  resourceIdentifierFor(ctx: { componentId: string }) {
    return ctx.componentId;
  }
  async put(path: string, ctx: { componentId: string; componentName: string }) {
    if (this.failOn === ctx.componentName) throw new EncodeError('E_STORAGE_FAILED', 'disk full');
    this.stored.set(ctx.componentId, files.get(path) ?? '');
    return { resourceIdentifier: ctx.componentId, checksum: await hasher.hashFile(path), size: 1 };
  }
  async get() {}
  async exists(id: string) {
    return this.stored.has(id);
  }
  async remove(id: string) {
    this.stored.delete(id);
  }
}

class MemoryRegistry implements ReviewRegistry {
  registrations: RegistrationRequest[] = [];
  failNext = false;
  calls = 0;
  async resolveTarget(versionId: string) {
    if (versionId !== 'v-1') throw new EncodeError('E_FTRACK_NOT_FOUND', `No AssetVersion ${versionId}`);
    return { versionId, version: 1, assetId: 'a', asset: 'comp', project: 'p', parents: ['sq', 'sh'] };
  }
  async findRegistration(_v: string, key: { sourceChecksum: string; profileHash: string }): Promise<RegisteredComponent[] | undefined> {
    const found = this.registrations.filter((r) => r.key.sourceChecksum === key.sourceChecksum && r.key.profileHash === key.profileHash);
    if (found.length === 0) return undefined;
    return found.flatMap((r) => r.components).map((c) => ({ id: c.componentId, name: c.output.name, locationId: 'loc-1', resourceIdentifier: c.stored.resourceIdentifier, checksum: c.output.checksum.hex, size: 1 }));
  }
  async register(request: RegistrationRequest) {
    this.calls++;
    if (this.failNext) {
      this.failNext = false;
      throw new EncodeError('E_FTRACK_FAILED', 'Server error 500');
    }
    const existing = request.components.filter((c) => c.existing);
    if (existing.length === 0) this.registrations.push(request);
    return request.components.map((c) => ({ id: c.componentId, name: c.output.name, locationId: request.locationId, resourceIdentifier: c.stored.resourceIdentifier, checksum: c.output.checksum.hex, size: 1 }));
  }
  async locationId() {
    return 'loc-1';
  }
  async findSourceComponent(): Promise<never> {
    throw new Error('unused');
  }
}

describe('PublishReview', () => {
  let storage: MemoryStorage;
  let registry: MemoryRegistry;
  let events: { topic: string; data: Record<string, unknown> }[];
  let publish: PublishReview;
  const profile = new ProfileCatalog().get('ftrack-review');
  const request = { input: '/src/sh010_v001.mov', versionId: 'v-1', profile, scratchDir: '/scratch' };

  beforeEach(() => {
    files.clear();
    plans = [];
    storage = new MemoryStorage();
    registry = new MemoryRegistry();
    events = [];
    const publisher: EventPublisher = { publish: async (topic, data) => void events.push({ topic, data }) };
    const c = container.createChildContainer();
    c.register(TOKENS.Encoder, { useValue: encoder });
    c.register(TOKENS.MediaProbe, { useValue: probe });
    c.register(TOKENS.Hasher, { useValue: hasher });
    c.register(TOKENS.FileSystem, { useValue: fs });
    c.register(TOKENS.Logger, { useValue: silentLogger });
    c.register(TOKENS.StorageAccessor, { useValue: storage });
    c.register(TOKENS.ReviewRegistry, { useValue: registry });
    c.register(TOKENS.EventPublisher, { useValue: publisher });
    c.register(TOKENS.PublishLock, { useValue: new InProcessPublishLock() });
    publish = c.resolve(PublishReview);
  });

  it('stores and registers every output once, announces them, and leaves no scratch files', async () => {
    const result = await publish.run(request);
    expect(result.skipped).toBe(false);
    expect(result.components.map((c) => c.name)).toEqual(['ftrackreview-mp4', 'ftrackreview-webm', 'thumbnail']);
    expect(registry.calls).toBe(1);
    expect(registry.registrations[0]?.thumbnailName).toBe('thumbnail');
    expect(storage.stored.size).toBe(3);
    expect(events.filter((e) => e.topic === 'ftrack.location.component-added')).toHaveLength(3);
    expect(events.at(-1)?.topic).toBe('ftrack-encode.publish.completed');
    expect([...files.keys()]).toEqual([]);
  });

  it('skips a second publish of the same source and profile without encoding', async () => {
    await publish.run(request);
    const encodes = plans.length;
    const again = await publish.run(request);
    expect(again.skipped).toBe(true);
    expect(plans.length).toBe(encodes);
    expect(registry.calls).toBe(1);
  });

  it('re-stores only what is missing from the location', async () => {
    const first = await publish.run(request);
    const webm = first.components.find((c) => c.name === 'ftrackreview-webm')!;
    storage.stored.delete(webm.resourceIdentifier);
    const again = await publish.run(request);
    expect(again.skipped).toBe(false);
    expect(registry.calls).toBe(2);
    const last = registry.registrations.length;
    expect(last).toBe(1);
    expect(storage.stored.has(webm.resourceIdentifier)).toBe(true);
    expect(storage.stored.size).toBe(3);
  });

  it('removes stored files when registration fails, so nothing is half registered', async () => {
    registry.failNext = true;
    await expect(publish.run(request)).rejects.toMatchObject({ code: 'E_FTRACK_FAILED' });
    expect(storage.stored.size).toBe(0);
    expect(registry.registrations).toHaveLength(0);
    expect([...files.keys()]).toEqual([]);
  });

  it('removes already stored outputs when a later upload fails', async () => {
    storage.failOn = 'thumbnail';
    await expect(publish.run(request)).rejects.toMatchObject({ code: 'E_STORAGE_FAILED' });
    expect(storage.stored.size).toBe(0);
    expect(registry.calls).toBe(0);
  });

  it('fails on an unknown version before encoding anything', async () => {
    await expect(publish.run({ ...request, versionId: 'nope' })).rejects.toMatchObject({ code: 'E_FTRACK_NOT_FOUND' });
    expect(plans).toHaveLength(0);
  });

  it('gives one registration when the same publish runs twice at once', async () => {
    const [a, b] = await Promise.all([publish.run(request), publish.run(request)]);
    expect([a.skipped, b.skipped].sort()).toEqual([false, true]);
    expect(registry.registrations).toHaveLength(1);
  });
});
