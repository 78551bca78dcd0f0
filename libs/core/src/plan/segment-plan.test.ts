// Pure segment planning, and the segment run's orchestration with a fake encoder BELOW the Encoder
// port (the real backends are proven frame-exact in their own suites).
import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import {
  EncodeError,
  EncodeMedia,
  ProfileCatalog,
  boundaryFrames,
  encodeInSegments,
  planEncode,
  planSegments,
  resolveSegmentCount,
  segmentationFor,
  silentLogger,
  splitFrameRange,
  type EncodePlan,
  type Encoder,
  type FileSystem,
  type Hasher,
  type MediaProbe,
  type Progress,
  type SegmentStep,
} from '../index.js';
import { sampleMediaInfo } from '../testing/index.js';

const info = sampleMediaInfo();

function reviewPlan(frames = 240): EncodePlan {
  return planEncode({
    source: { kind: 'file', path: '/media/shot.mov' },
    info: { ...info, frameCount: frames },
    profile: new ProfileCatalog().get('ftrack-review'),
    outputDir: '/out',
    capabilities: { id: 'fake', version: '1', codecs: ['h264', 'vp9', 'mjpeg'], unsupported: [], encoders: [], hardware: [], sequences: true },
  });
}

describe('splitting a frame range', () => {
  it('makes contiguous ranges of whole frames, sizes differing by at most one', () => {
    expect(splitFrameRange(10, 3)).toEqual([
      { start: 0, frames: 4 },
      { start: 4, frames: 3 },
      { start: 7, frames: 3 },
    ]);
    for (const [total, count] of [
      [240, 1],
      [240, 2],
      [241, 5],
      [7, 7],
    ] as const) {
      const ranges = splitFrameRange(total, count);
      expect(ranges).toHaveLength(count);
      expect(ranges.reduce((sum, r) => sum + r.frames, 0)).toBe(total);
      ranges.forEach((r, i) => expect(r.start).toBe(i === 0 ? 0 : ranges[i - 1]!.start + ranges[i - 1]!.frames));
    }
  });

  it('never makes more ranges than frames', () => {
    expect(splitFrameRange(3, 5)).toEqual([
      { start: 0, frames: 1 },
      { start: 1, frames: 1 },
      { start: 2, frames: 1 },
    ]);
  });

  it('auto: no split under 10 s, one segment per worker, each at least 5 s', () => {
    const rate = { num: 24000, den: 1001 };
    expect(resolveSegmentCount('auto', 230, rate, 8)).toBe(1); // 9.6 s
    expect(resolveSegmentCount('auto', 480, rate, 8)).toBe(4); // 20 s: four 5 s segments
    expect(resolveSegmentCount('auto', 24 * 600, rate, 8)).toBe(8);
    expect(resolveSegmentCount('auto', 24 * 600, rate, 2)).toBe(2);
    expect(resolveSegmentCount(4, 3, rate, 8)).toBe(3);
    expect(resolveSegmentCount(undefined, 480, rate, 8)).toBe(1);
  });
});

describe('planning segments', () => {
  it('gives each segment its frames, video only; the still to the segment holding its frame; audio once', () => {
    const plan = reviewPlan();
    const segmented = planSegments(plan, 3);
    expect(segmented.ranges.map((r) => r.start)).toEqual([0, 80, 160]);
    const thumbnail = plan.outputs.find((o) => o.name === 'thumbnail')!;
    segmented.segments.forEach((segment, i) => {
      expect(segment.range).toEqual(segmented.ranges[i]);
      expect(new Set(segmented.segments.map((s) => s.id)).size).toBe(3);
      for (const output of segment.outputs.filter((o) => o.spec.kind === 'video')) {
        expect(output.withAudio).toBe(false);
        expect(output.frameCount).toBe(80);
        expect(output.tempPath).toMatch(new RegExp(`\\.seg${i}\\.(mp4|webm)$`));
      }
    });
    const holders = segmented.segments.filter((s) => s.outputs.some((o) => o.name === 'thumbnail'));
    expect(holders).toHaveLength(1);
    const held = holders[0]!.outputs.find((o) => o.name === 'thumbnail')!;
    expect(held.frameIndex! + holders[0]!.range!.start).toBe(thumbnail.frameIndex);
    expect(held.tempPath).toBe(thumbnail.tempPath);
    const videos = plan.outputs.filter((o) => o.spec.kind === 'video').map((o) => o.name);
    expect(videos).toEqual(['ftrackreview-mp4', 'ftrackreview-mp4-1080', 'ftrackreview-webm']);
    expect(segmented.audio?.parts.map((p) => p.output)).toEqual(videos);
    expect(segmented.joins.map((j) => j.parts.map((p) => p.frames))).toEqual(videos.map(() => [80, 80, 80]));
    // Three segment files and one audio file per video output.
    expect(segmented.scratch).toHaveLength(12);
    expect(boundaryFrames(segmented.ranges)).toEqual([79, 80, 159, 160]);
  });

  it('splits the cores between segments that share a machine, keeps an asked thread count, leaves it to the encoder otherwise', () => {
    const plan = reviewPlan();
    expect(planSegments(plan, 3, 8).segments.map((s) => s.threads)).toEqual([2, 2, 2]);
    expect(planSegments(plan, 4, 2).segments.map((s) => s.threads)).toEqual([1, 1, 1, 1]);
    expect(planSegments({ ...plan, threads: 3 }, 2, 8).segments.map((s) => s.threads)).toEqual([3, 3]);
    expect(planSegments(plan, 2).segments.map((s) => s.threads)).toEqual([0, 0]);
  });

  it('puts a slate on the first segment only', () => {
    const plan = reviewPlan();
    const slate = { frames: 24, lines: ['shot'], thumbnail: false, thumbnailFrame: 120 };
    const slated = { ...plan, outputs: plan.outputs.map((o) => (o.spec.kind === 'video' ? { ...o, slate, frameCount: o.frameCount + 24 } : o)) };
    const segmented = planSegments(slated, 2);
    expect(segmented.ranges).toEqual([
      { start: 0, frames: 120 },
      { start: 120, frames: 120 },
    ]);
    expect(segmented.segments[0]!.outputs[0]).toMatchObject({ slate, frameCount: 144 });
    expect(segmented.segments[1]!.outputs[0]!.slate).toBeUndefined();
    expect(segmented.joins[0]!.parts.map((p) => p.frames)).toEqual([144, 120]);
  });

  it('never gives a frame twice at a one-frame segment', () => {
    expect(boundaryFrames(splitFrameRange(3, 3))).toEqual([0, 1, 2]);
  });

  it('segmentationFor: a count or auto on a backend with workers; one pass (with a warning for a count) otherwise', () => {
    expect(segmentationFor(reviewPlan(480), 3, { id: 'web', workers: 2 })?.segments).toHaveLength(3);
    expect(segmentationFor(reviewPlan(480), 'auto', { id: 'web', workers: 2 })?.segments).toHaveLength(2);
    // auto: a 10 s source is split, a shorter one is not; 1 or nothing asked: one pass.
    expect(segmentationFor(reviewPlan(239), 'auto', { id: 'web', workers: 4 })).toBeUndefined();
    expect(segmentationFor(reviewPlan(), 1, { id: 'web', workers: 4 })).toBeUndefined();
    expect(segmentationFor(reviewPlan(), undefined, { id: 'web', workers: 4 })).toBeUndefined();
    const plan = reviewPlan();
    expect(segmentationFor(plan, 2, { id: 'ftrack', workers: undefined })).toBeUndefined();
    expect(plan.warnings).toContain('The ftrack backend cannot encode in segments: one pass instead of 2.');
  });
});

/** Files the fake encoder "writes" and the fake file system removes. */
function fakeBackend(behaviour: { failSegment?: { index: number; times: number }; hangSegment?: number } = {}) {
  const files = new Set<string>();
  const calls: string[] = [];
  const failures = new Map<number, number>();
  const fs: FileSystem = {
    async rename() {},
    async remove(path) {
      files.delete(path);
    },
    async size() {
      return 1;
    },
    async exists(path) {
      return files.has(path);
    },
    async ensureWritableDir() {},
    async tempDir() {
      return '/tmp';
    },
    async removeDir() {},
  };
  const encoder: Encoder = {
    id: 'fake',
    async capabilities() {
      return {
        id: 'fake',
        version: '1',
        codecs: ['h264', 'vp9', 'mjpeg'],
        unsupported: [],
        encoders: [],
        hardware: [],
        sequences: true,
        segments: { workers: 4 },
      };
    },
    async encode(plan, options = {}) {
      const index = Number(/-seg(\d+)$/.exec(plan.id)![1]);
      calls.push(`seg${index}`);
      for (const pct of [25, 50, 75]) options.onProgress?.({ stage: 'encode', percent: pct });
      if (behaviour.hangSegment === index) {
        plan.outputs.forEach((o) => files.add(o.tempPath));
        await new Promise<void>((resolve) => options.signal?.addEventListener('abort', () => resolve()));
        plan.outputs.forEach((o) => files.delete(o.tempPath));
        throw new EncodeError('E_CANCELLED', 'stopped');
      }
      if (behaviour.failSegment?.index === index && (failures.get(index) ?? 0) < behaviour.failSegment.times) {
        failures.set(index, (failures.get(index) ?? 0) + 1);
        throw new EncodeError('E_ENCODER_FAILED', 'ffmpeg was killed by SIGKILL');
      }
      plan.outputs.forEach((o) => files.add(o.tempPath));
      return plan.outputs.map((o) => ({ name: o.name, path: o.tempPath }));
    },
    async describe() {
      return [];
    },
    async runStep(step: SegmentStep) {
      calls.push(step.kind);
      if (step.kind === 'audio') step.parts.forEach((p) => files.add(p.path));
      else files.add(step.join.output.tempPath);
    },
  };
  return { files, calls, fs, encoder };
}

describe('running segments (fake encoder below the port)', () => {
  it('encodes every segment and the audio, joins each output, removes every segment file, reports rising progress', async () => {
    const backend = fakeBackend();
    const segmented = planSegments(reviewPlan(), 3);
    const seen: Progress[] = [];
    const produced = await encodeInSegments({ ...backend, logger: silentLogger }, segmented, { onProgress: (p) => seen.push(p) });
    expect(produced.map((p) => p.name)).toEqual(segmented.plan.outputs.map((o) => o.name));
    expect(backend.calls.filter((c) => c.startsWith('seg')).sort()).toEqual(['seg0', 'seg1', 'seg2']);
    expect(backend.calls.filter((c) => c === 'join')).toHaveLength(3);
    expect([...backend.files].sort()).toEqual(segmented.plan.outputs.map((o) => o.tempPath).sort());
    const percents = seen.map((p) => p.percent!);
    for (let i = 1; i < percents.length; i++) expect(percents[i]!).toBeGreaterThanOrEqual(percents[i - 1]!);
    expect(percents.at(-1)).toBe(100);
    expect(percents.filter((p) => p > 0 && p < 97).length).toBeGreaterThan(3);
  });

  it('retries a failed segment alone, once', async () => {
    const backend = fakeBackend({ failSegment: { index: 1, times: 1 } });
    const warned: string[] = [];
    await encodeInSegments({ ...backend, logger: { ...silentLogger, warn: (m) => warned.push(m) } }, planSegments(reviewPlan(), 3));
    expect(backend.calls.filter((c) => c === 'seg1')).toHaveLength(2);
    expect(backend.calls.filter((c) => c === 'seg0')).toHaveLength(1);
    expect(warned).toEqual(['segment 2/3 failed; retrying it alone']);
  });

  it('a segment that fails twice stops the others and leaves no segment file', async () => {
    const backend = fakeBackend({ failSegment: { index: 0, times: 2 }, hangSegment: 2 });
    const error = await encodeInSegments({ ...backend, logger: silentLogger }, planSegments(reviewPlan(), 3)).catch((e: unknown) => e);
    expect((error as EncodeError).code).toBe('E_ENCODER_FAILED');
    expect(backend.calls).not.toContain('join');
    expect([...backend.files].filter((f) => /\.(seg\d|audio)\./.test(f))).toEqual([]);
  });

  it('cancel stops every segment: E_CANCELLED, no retry, no segment file', async () => {
    const backend = fakeBackend({ hangSegment: 1 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const error = await encodeInSegments({ ...backend, logger: silentLogger }, planSegments(reviewPlan(), 3), { signal: controller.signal }).catch(
      (e: unknown) => e,
    );
    expect((error as EncodeError).code).toBe('E_CANCELLED');
    expect(backend.calls.filter((c) => c === 'seg1')).toHaveLength(1);
    expect([...backend.files].filter((f) => /\.(seg\d|audio)\./.test(f))).toEqual([]);
  });
});

describe('EncodeMedia deciding on segments (fakes below the ports)', () => {
  const probe = (frames: number): MediaProbe => ({
    async locate(input) {
      return { kind: 'file', path: input };
    },
    async probe() {
      return { ...info, frameCount: frames };
    },
  });
  const hasher = {} as Hasher;
  const run = (encoder: Encoder, fs: FileSystem, frames: number, segments: 'auto' | number, warned: string[] = []) =>
    new EncodeMedia(encoder, probe(frames), hasher, fs, { ...silentLogger, warn: (m) => warned.push(m) }).run(
      '/media/shot.mov',
      new ProfileCatalog().get('ftrack-review'),
      {
        outputDir: '/out',
        segments,
        dryRun: true,
      },
    );

  it('splits when asked: the dry run lists the ranges and every command', async () => {
    const { encoder, fs } = fakeBackend();
    const result = await run({ ...encoder, describe: async () => [['segment']], describeStep: async () => [['step']] }, fs, 240, 3);
    expect(result.segments?.map((r) => r.start)).toEqual([0, 80, 160]);
    // Three segments, the audio pass, one join per video output.
    expect(result.commands).toEqual([['segment'], ['segment'], ['segment'], ['step'], ['step'], ['step'], ['step']]);
  });

  it('auto keeps a source under 10 s in one pass, quietly', async () => {
    const { encoder, fs } = fakeBackend();
    const warned: string[] = [];
    const result = await run(encoder, fs, 230, 'auto', warned);
    expect(result.segments).toBeUndefined();
    expect(warned).toEqual([]);
  });

  it('a backend that cannot join segments encodes in one pass and says so', async () => {
    const { encoder, fs } = fakeBackend();
    const { runStep, ...single } = encoder;
    expect(runStep).toBeDefined();
    const warned: string[] = [];
    const result = await run(single, fs, 240, 4, warned);
    expect(result.segments).toBeUndefined();
    expect(warned).toContain('The fake backend cannot encode in segments: one pass instead of 4.');
  });
});
