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
  registeredComponentsOf,
  type ExistingComponent,
  type RegistrationRequest,
  type ReviewRegistry,
  type RunOptions,
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
    for (const o of plan.outputs) files.set(o.tempPath, `${o.name} of ${plan.source.kind === 'file' ? plan.source.path : ''}`);
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
    const base = {
      format: 'mov',
      pixelAspect: rational(1),
      frameRate: rational(24),
      duration: 2,
      pixelFormat: 'yuv420p',
      color: {},
      audio: [],
      firstFrame: 0,
      moovBeforeMdat: true,
    };
    if (!planned) return { ...base, width: 640, height: 360, frameCount: 48, codec: 'h264', isStill: false };
    const codec = { h264: 'h264', vp9: 'vp9', mjpeg: 'mjpeg' }[planned.spec.codec as 'h264'] ?? planned.spec.codec;
    return {
      ...base,
      width: planned.width,
      height: planned.height,
      frameCount: planned.frameCount,
      codec,
      isStill: planned.spec.kind === 'image',
      duration: planned.spec.kind === 'image' ? 0 : 2,
    };
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
  /** Identifier by component name: two publishes on one version collide, like a coarse disk structure. */
  byName = false;
  resourceIdentifierFor(ctx: { componentId: string; componentName: string }) {
    return this.byName ? ctx.componentName : ctx.componentId;
  }
  async put(path: string, ctx: { componentId: string; componentName: string }, options?: RunOptions) {
    options?.onProgress?.({ stage: 'store', percent: 100 });
    if (this.failOn === ctx.componentName) throw new EncodeError('E_STORAGE_FAILED', 'disk full');
    const id = this.resourceIdentifierFor(ctx);
    const bytes = files.get(path) ?? '';
    const there = this.stored.get(id);
    if (there !== undefined && there !== bytes) throw new EncodeError('E_STORAGE_CONFLICT', `different file at ${id}`);
    this.stored.set(id, bytes);
    return { resourceIdentifier: id, checksum: await hasher.hashFile(path), size: 1, created: there === undefined };
  }
  async get() {}
  async exists(id: string) {
    return this.stored.has(id);
  }
  async remove(id: string) {
    this.stored.delete(id);
  }
}

/** ftrack as rows: components (with metadata key) and ComponentLocations, one batch at a time. */
class MemoryRegistry implements ReviewRegistry {
  components = new Map<string, { name: string; key: string; checksum: string }>();
  componentLocations: { componentId: string; locationId: string; resourceIdentifier: string }[] = [];
  registrations: RegistrationRequest[] = [];
  /** Next register() fails this way: refused (nothing applied) or lost (applied, answer lost). */
  failNext: 'refused' | 'lost' | 'unavailable' | undefined;
  /** findRegistration fails this many times (ftrack unreachable for the read-back). */
  readFailures = 0;
  /** Read-backs that fail after a lost answer. */
  unreachableAfterLoss = 0;
  calls = 0;
  async resolveTarget(versionId: string) {
    if (versionId !== 'v-1') throw new EncodeError('E_FTRACK_NOT_FOUND', `No AssetVersion ${versionId}`);
    return { versionId, version: 1, assetId: 'a', asset: 'comp', project: 'p', parents: ['sq', 'sh'] };
  }
  async findRegistration(_v: string, key: { sourceChecksum: string; profileHash: string }): Promise<ExistingComponent[] | undefined> {
    if (this.readFailures > 0) {
      this.readFailures--;
      throw new EncodeError('E_FTRACK_FAILED', 'unreachable');
    }
    const found = [...this.components].filter(([, c]) => c.key === `${key.sourceChecksum}:${key.profileHash}`);
    if (found.length === 0) return undefined;
    return found.map(([id, c]) => ({
      id,
      name: c.name,
      checksum: c.checksum,
      size: 1,
      locations: this.componentLocations.filter((l) => l.componentId === id).map(({ locationId, resourceIdentifier }) => ({ locationId, resourceIdentifier })),
    }));
  }
  async register(request: RegistrationRequest) {
    this.calls++;
    const failure = this.failNext;
    this.failNext = undefined;
    if (failure === 'refused') throw new EncodeError('E_FTRACK_FAILED', 'invalid', { details: { refused: true } });
    if (failure === 'unavailable') throw new EncodeError('E_FTRACK_FAILED', 'Server error 503');
    for (const c of request.components) {
      if (!c.componentExists)
        this.components.set(c.componentId, {
          name: c.output.name,
          key: `${request.key.sourceChecksum}:${request.key.profileHash}`,
          checksum: c.output.checksum.hex,
        });
      if (!c.locationExists)
        this.componentLocations.push({ componentId: c.componentId, locationId: request.locationId, resourceIdentifier: c.stored.resourceIdentifier });
    }
    this.registrations.push(request);
    if (failure === 'lost') {
      this.readFailures = this.unreachableAfterLoss;
      throw new EncodeError('E_FTRACK_FAILED', 'socket hang up');
    }
    return registeredComponentsOf(request);
  }
  async isResourceRegistered(locationId: string, resourceIdentifier: string) {
    return this.componentLocations.some((l) => l.locationId === locationId && l.resourceIdentifier === resourceIdentifier);
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
  const request = { input: '/src/sh010_v001.mov', versionId: 'v-1', profile, scratchDir: '/scratch', confirmDelaysMs: [0, 0, 0] };

  beforeEach(() => {
    files.clear();
    plans = [];
    storage = new MemoryStorage();
    registry = new MemoryRegistry();
    events = [];
    publish = publishWith(hasher);
  });

  function publishWith(sourceHasher: Hasher): PublishReview {
    const publisher: EventPublisher = { publish: async (topic, data) => void events.push({ topic, data }) };
    const c = container.createChildContainer();
    c.register(TOKENS.Encoder, { useValue: encoder });
    c.register(TOKENS.MediaProbe, { useValue: probe });
    c.register(TOKENS.Hasher, { useValue: sourceHasher });
    c.register(TOKENS.FileSystem, { useValue: fs });
    c.register(TOKENS.Logger, { useValue: silentLogger });
    c.register(TOKENS.StorageAccessor, { useValue: storage });
    c.register(TOKENS.ReviewRegistry, { useValue: registry });
    c.register(TOKENS.EventPublisher, { useValue: publisher });
    c.register(TOKENS.PublishLock, { useValue: new InProcessPublishLock() });
    return c.resolve(PublishReview);
  }

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
    expect(storage.stored.has(webm.resourceIdentifier)).toBe(true);
    expect(storage.stored.size).toBe(3);
    // The component and its ComponentLocation were there: nothing is registered twice.
    expect(registry.components.size).toBe(3);
    expect(registry.componentLocations).toHaveLength(3);
    expect(registry.registrations[1]?.components).toEqual([expect.objectContaining({ componentExists: true, locationExists: true })]);
  });

  it('removes stored files when the server refuses the registration, so nothing is half registered', async () => {
    registry.failNext = 'refused';
    await expect(publish.run(request)).rejects.toMatchObject({ code: 'E_FTRACK_FAILED' });
    expect(storage.stored.size).toBe(0);
    expect(registry.components.size).toBe(0);
    expect([...files.keys()]).toEqual([]);
  });

  it('a 5xx with nothing committed: read back twice, then rolled back', async () => {
    registry.failNext = 'unavailable';
    await expect(publish.run(request)).rejects.toMatchObject({ code: 'E_FTRACK_FAILED', message: expect.stringContaining('503') });
    expect(storage.stored.size).toBe(0);
    expect(registry.components.size).toBe(0);
  });

  it('a lost response after a committed registration is a success: files kept, and a re-run changes nothing', async () => {
    registry.failNext = 'lost';
    const result = await publish.run(request);
    expect(result.skipped).toBe(false);
    expect(result.components.map((c) => c.name)).toEqual(['ftrackreview-mp4', 'ftrackreview-webm', 'thumbnail']);
    expect(storage.stored.size).toBe(3);
    expect(events.at(-1)?.topic).toBe('ftrack-encode.publish.completed');
    const again = await publish.run(request);
    expect(again.skipped).toBe(true);
    expect(registry.componentLocations).toHaveLength(3);
  });

  it('a failed call whose outcome cannot be read back keeps the files and says a re-run completes it', async () => {
    registry.failNext = 'lost';
    registry.unreachableAfterLoss = 4; // every read-back (1 + 3 retries)
    await expect(publish.run(request)).rejects.toMatchObject({ code: 'E_FTRACK_FAILED', details: expect.objectContaining({ registration: 'unknown' }) });
    expect(storage.stored.size).toBe(3);
    const again = await publish.run(request);
    expect(again.skipped).toBe(true);
    expect(registry.componentLocations).toHaveLength(3);
  });

  it('never replaces registered media: a colliding path fails with E_STORAGE_CONFLICT and the first file stays', async () => {
    storage.byName = true;
    await publish.run(request);
    const before = new Map(storage.stored);
    await expect(publish.run({ ...request, input: '/src/other_source.mov' })).rejects.toMatchObject({ code: 'E_STORAGE_CONFLICT' });
    expect(storage.stored).toEqual(before);
    expect(registry.components.size).toBe(3);
  });

  it('never removes a file it did not write: an unregistered clash is E_STORAGE_CONFLICT and the file stays', async () => {
    storage.byName = true;
    storage.stored.set('ftrackreview-mp4', 'leftover bytes');
    await expect(publish.run(request)).rejects.toMatchObject({ code: 'E_STORAGE_CONFLICT' });
    expect(storage.stored.get('ftrackreview-mp4')).toBe('leftover bytes');
    expect(registry.components.size).toBe(0);
  });

  it('a rollback never removes a file this run did not write', async () => {
    storage.byName = true;
    const encoded = await publish.run({ ...request, dryRun: false });
    // Same bytes already in place (created: false), then the server refuses: the file stays.
    registry.components.clear();
    registry.componentLocations = [];
    registry.failNext = 'refused';
    await expect(publish.run(request)).rejects.toMatchObject({ code: 'E_FTRACK_FAILED' });
    expect(storage.stored.size).toBe(encoded.components.length);
  });

  it('removes already stored outputs when a later upload fails', async () => {
    storage.failOn = 'thumbnail';
    await expect(publish.run(request)).rejects.toMatchObject({ code: 'E_STORAGE_FAILED' });
    expect(storage.stored.size).toBe(0);
    expect(registry.calls).toBe(0);
  });

  it('runs beforeStore (publish --report) on the validated encode before anything is stored; its failure stores nothing', async () => {
    const seen: { outputs: string[]; stored: number; checksum: string }[] = [];
    await publish.run({
      ...request,
      beforeStore: async (encoded, key) =>
        void seen.push({ outputs: encoded.outputs.map((o) => o.name), stored: storage.stored.size, checksum: key.sourceChecksum }),
    });
    expect(seen).toEqual([{ outputs: ['ftrackreview-mp4', 'ftrackreview-webm', 'thumbnail'], stored: 0, checksum: expect.any(String) }]);
    expect(seen[0]!.checksum).not.toBe('');

    const storedBefore = storage.stored.size;
    const failing = publish.run({
      ...request,
      versionId: 'v-1',
      input: '/src/other.mov',
      beforeStore: async () => Promise.reject(new Error('report disk full')),
    });
    await expect(failing).rejects.toThrow('report disk full');
    expect(storage.stored.size).toBe(storedBefore);
    expect(registry.calls).toBe(1);
    expect([...files.keys()]).toEqual([]);
  });

  it('fails on an unknown version before encoding anything', async () => {
    await expect(publish.run({ ...request, versionId: 'nope' })).rejects.toMatchObject({ code: 'E_FTRACK_NOT_FOUND' });
    expect(plans).toHaveLength(0);
  });

  it('checksums the source while the version resolves; an unknown version stops that checksum', async () => {
    let aborted = false;
    const slowHasher: Hasher = {
      ...hasher,
      hashFiles: (_paths, _algorithm, options) =>
        new Promise((_resolve, reject) =>
          options?.signal?.addEventListener('abort', () => {
            aborted = true;
            reject(new EncodeError('E_CANCELLED', 'stopped'));
          }),
        ),
    };
    await expect(publishWith(slowHasher).run({ ...request, versionId: 'nope' })).rejects.toMatchObject({ code: 'E_FTRACK_NOT_FOUND' });
    expect(aborted).toBe(true);
    expect(plans).toHaveLength(0);
  });

  it('gives one registration when the same publish runs twice at once', async () => {
    const [a, b] = await Promise.all([publish.run(request), publish.run(request)]);
    expect([a.skipped, b.skipped].sort()).toEqual([false, true]);
    expect(registry.registrations).toHaveLength(1);
  });

  it('a cancel before registration rolls back and reports E_CANCELLED', async () => {
    const controller = new AbortController();
    const cancelling = { ...request, signal: controller.signal, onProgress: (p: { stage: string }) => p.stage === 'store' && controller.abort() };
    await expect(publish.run(cancelling)).rejects.toMatchObject({ code: 'E_CANCELLED' });
    expect(storage.stored.size).toBe(0);
    expect(registry.calls).toBe(0);
    expect([...files.keys()]).toEqual([]);
  });
});

describe('renderingHash', () => {
  it('is the profile hash alone without source settings, and changes with the view, the rate or the OCIO config', async () => {
    const { renderingHash, profileHash } = await import('../index.js');
    const profile = new ProfileCatalog().get('ftrack-review');
    expect(renderingHash(profile, undefined)).toBe(profileHash(profile));
    expect(renderingHash(profile, { rules: [] })).toBe(profileHash(profile));
    const view = renderingHash(profile, { view: 'ACES 1.0 - SDR Video' });
    expect(view).not.toBe(profileHash(profile));
    expect(renderingHash(profile, { view: 'Raw' })).not.toBe(view);
    expect(renderingHash(profile, { frameRate: '25' })).not.toBe(renderingHash(profile, { frameRate: '24' }));
  });
});
