import 'reflect-metadata';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { container } from 'tsyringe';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkSegmentBoundaries,
  EncodeMedia,
  EncodeProfile,
  isEncodeError,
  planSegments,
  TOKENS,
  type EncodeError,
  type QualityMeter,
  ProfileCatalog,
  silentLogger,
  type EncodeMediaOptions,
  type EncodeProfileInput,
  type EncodedOutput,
  type Logger,
} from '@ftrack-encode/core';
import { registerNodePlatform } from '@ftrack-encode/node-platform';
import { decodeAudio, frameExactness, mediaFixtures, perFrameSsim, rms, ssimOfFrames, type FileFixture, type MovieFixtureSpec } from '@ftrack-encode/testing';
import { registerNativeEncoder } from './index.js';

const fixtures = mediaFixtures();
const review = new ProfileCatalog().get('ftrack-review');
const warnings: string[] = [];
const logger: Logger = { ...silentLogger, warn: (message) => warnings.push(message) };
let encodeMedia: EncodeMedia;
let meter: QualityMeter;

beforeAll(() => {
  const scope = container.createChildContainer();
  registerNodePlatform(scope, { logger });
  registerNativeEncoder(scope);
  encodeMedia = scope.resolve(EncodeMedia);
  meter = scope.resolve<QualityMeter>(TOKENS.QualityMeter);
});

/** The frame number drawn large on testsrc2, B-frames, a keyframe every 24 frames. */
async function counterMovie(spec: Partial<MovieFixtureSpec> = {}): Promise<string> {
  const fixture = await fixtures.ensure({
    kind: 'movie',
    pattern: 'counter',
    rate: '24000/1001',
    frames: 96,
    preset: 'veryfast',
    keyframeInterval: 24,
    ...spec,
  });
  return (fixture as FileFixture).path;
}

async function encode(input: string, options: Partial<EncodeMediaOptions> = {}, profile: EncodeProfile = review) {
  const outputDir = await mkdtemp(join(tmpdir(), 'native-seg-'));
  const result = await encodeMedia.run(input, profile, { outputDir, ...options });
  return { ...result, outputDir };
}

function output(outputs: readonly EncodedOutput[], name: string): EncodedOutput {
  const found = outputs.find((o) => o.name === name);
  if (!found) throw new Error(`no output ${name}`);
  return found;
}

/** Each output frame is the source frame with its index (a dropped or doubled frame at a join fails). */
async function expectFrameExact(encoded: string, source: string, frames: number, minSsim = 0.9): Promise<void> {
  const { same, misplaced } = await frameExactness(encoded, source);
  expect(same).toHaveLength(frames);
  expect(Math.min(...same)).toBeGreaterThan(minSsim);
  expect(misplaced).toEqual([]);
}

/** The audio runs on through every join: wherever the source sounds around a boundary, the output does too (no gap). */
async function expectAudioAsSourceAt(path: string, source: string, seconds: number[]): Promise<void> {
  const [audio, reference] = await Promise.all([decodeAudio(path), decodeAudio(source)]);
  const windowAt = (a: typeof audio, t: number) => {
    const from = Math.round(t * a.rate) * a.channels;
    return { channels: a.channels, samples: a.samples.slice(from, from + Math.round(0.01 * a.rate) * a.channels) };
  };
  const level = rms(reference, 0);
  // The fixture's tone may end before the picture (the review audio is padded with silence there).
  const soundEnds = reference.samples.findLastIndex((x) => Math.abs(x) > 0.01) / reference.channels / reference.rate;
  for (const t of seconds.filter((b) => b < soundEnds - 0.1)) {
    for (let w = -3; w < 3; w++) {
      const at = t + w * 0.01;
      expect(rms(windowAt(audio, at), 0), `audio at ${at.toFixed(3)} s`).toBeGreaterThan(level / 2);
    }
  }
}

describe('segment-parallel encoding on native ffmpeg (N processes)', () => {
  it.each([
    ['24000/1001', 1],
    ['24000/1001', 2],
    ['24000/1001', 3],
    ['30000/1001', 4],
    ['30000/1001', 5],
  ])('%s fps in %i segments: every frame where it belongs, audio as long as the picture and unbroken', async (rate, segments) => {
    const source = await counterMovie({ rate });
    const result = await encode(source, { segments });
    expect(result.segments?.length ?? 1).toBe(segments);
    const mp4 = output(result.outputs, 'ftrackreview-mp4');
    const webm = output(result.outputs, 'ftrackreview-webm');
    const [num, den] = rate.split('/').map(Number) as [number, number];
    for (const video of [mp4, webm]) {
      expect(video.info.frameCount, video.name).toBe(96);
      expect(video.info.frameRate, video.name).toEqual({ num, den });
      const audio = await decodeAudio(video.path);
      // One audio frame: AAC 1024 samples, Opus 20 ms.
      expect(Math.abs(audio.samples.length / audio.channels / audio.rate - (96 * den) / num), video.name).toBeLessThanOrEqual(1024 / 48000);
    }
    expect(mp4.info.moovBeforeMdat).toBe(true);
    await expectFrameExact(mp4.path, source, 96);
    await expectAudioAsSourceAt(
      mp4.path,
      source,
      (result.segments ?? []).slice(1).map((r) => (r.start * den) / num),
    );
  });

  it('keeps burn-in frame numbers and timecode counting the source', async () => {
    const input: EncodeProfileInput = {
      ...review,
      name: 'big-burnins',
      burnins: { fields: [{ position: 'center', text: '{frame:4} {timecode}' }], fontSize: 0.2, box: true },
    };
    const profile = EncodeProfile.parse(input);
    // A still picture: only the burn-in tells one frame from the next.
    const source = (await fixtures.ensure({ kind: 'movie', pattern: 'smptehdbars', rate: '24', frames: 48 })) as FileFixture;
    const single = await encode(source.path, {}, profile);
    const split = await encode(source.path, { segments: 3 }, profile);
    await expectFrameExact(output(split.outputs, 'ftrackreview-mp4').path, output(single.outputs, 'ftrackreview-mp4').path, 48, 0.98);
  });

  it('takes the thumbnail from the segment holding its frame', async () => {
    const source = await counterMovie({ frames: 48, audio: false });
    const split = await encode(source, { segments: 3 });
    const frame = split.plan.outputs.find((o) => o.name === 'thumbnail')!.frameIndex!;
    expect(split.segments![1]!.start).toBeLessThanOrEqual(frame);
    const thumbnail = output(split.outputs, 'thumbnail').path;
    const [same, before, after] = await Promise.all([frame, frame - 1, frame + 1].map((f) => ssimOfFrames(thumbnail, 0, source, f)));
    expect(same).toBeGreaterThan(Math.max(before!, after!));
  });

  it('splits a source shorter than N frames into one segment per frame', async () => {
    const source = await counterMovie({ frames: 3, rate: '24' });
    const result = await encode(source, { segments: 5 });
    expect(result.segments).toEqual([
      { start: 0, frames: 1 },
      { start: 1, frames: 1 },
      { start: 2, frames: 1 },
    ]);
    expect(output(result.outputs, 'ftrackreview-mp4').info.frameCount).toBe(3);
    await expectFrameExact(output(result.outputs, 'ftrackreview-mp4').path, source, 3);
  });

  it('cuts an unindexed stream (MPEG-TS) by frame index: still frame-exact', async () => {
    const source = await counterMovie({ container: 'mpegts', frames: 72 });
    const result = await encode(source, { segments: 3, qualityGate: false });
    await expectFrameExact(output(result.outputs, 'ftrackreview-mp4').path, source, 72);
  });

  it('holds gaps of a sequence across segments exactly like one pass (--gaps hold)', async () => {
    const sequence = await fixtures.gappedSequence();
    const single = await encode(sequence.hashPattern, { gapPolicy: 'hold' });
    // Boundaries at 4 and 8: frame 1005 (index 4) is missing and held from 1003, before its segment.
    const split = await encode(sequence.hashPattern, { gapPolicy: 'hold', segments: 3 });
    expect(split.segments?.map((r) => r.start)).toEqual([0, 4, 8]);
    const ssim = await perFrameSsim(output(split.outputs, 'ftrackreview-mp4').path, output(single.outputs, 'ftrackreview-mp4').path);
    expect(ssim).toHaveLength(12);
    expect(Math.min(...ssim)).toBeGreaterThan(0.98);
  });

  it('the join check catches a dropped frame at a boundary (E_OUTPUT_INVALID, segment-boundary)', async () => {
    const source = await counterMovie({ frames: 48, audio: false });
    const result = await encode(source, { segments: 2 });
    const segmented = planSegments(result.plan, 2);
    const good = output(result.outputs, 'ftrackreview-mp4');
    await checkSegmentBoundaries(meter, segmented, result.outputs);
    // The same picture with frame 24 (the second segment's first) dropped and the last held: 48 frames still.
    const broken = join(result.outputDir, 'broken.mp4');
    await execa('ffmpeg', [
      '-v',
      'error',
      '-i',
      good.path,
      '-vf',
      "select='not(eq(n,24))',setpts=N/TB,tpad=stop_mode=clone:stop=1",
      '-c:v',
      'libx264',
      '-crf',
      '10',
      '-r',
      '24000/1001',
      broken,
    ]);
    const outputs = result.outputs.map((o) => (o.name === good.name ? { ...o, path: broken } : o));
    const error = await checkSegmentBoundaries(meter, segmented, outputs).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isEncodeError(error, 'E_OUTPUT_INVALID'), String(error)).toBe(true);
    expect((error as EncodeError).details).toMatchObject({ output: 'ftrackreview-mp4', check: 'segment-boundary' });
  });

  it('prints every segment, the audio pass and the joins on a dry run', async () => {
    const result = await encode(await counterMovie(), { segments: 2, dryRun: true });
    const lines = result.commands.map((c) => c.join(' '));
    expect(lines.filter((l) => l.includes('.seg0.') && !l.includes('-f concat'))).toHaveLength(1);
    expect(lines.some((l) => l.includes(' -ss ') && l.includes('.seg1.'))).toBe(true);
    expect(lines.filter((l) => l.includes('-f concat') && l.includes('-c copy'))).toHaveLength(2);
    expect(lines.filter((l) => l.includes('.audio.') && !l.includes('-f concat'))).toHaveLength(1);
    expect(await readdir(result.outputDir)).toEqual([]);
  });
});

/** ffmpeg processes of ours writing into `dir`. */
async function ffmpegsIn(dir: string): Promise<{ pid: number; args: string }[]> {
  const { stdout } = await execa('ps', ['-eo', 'pid=,args=']);
  return stdout
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null && m[2]!.includes('ffmpeg') && m[2]!.includes(dir))
    .map((m) => ({ pid: Number(m[1]), args: m[2]! }));
}

describe('segment failures and cancel', () => {
  it('retries a killed segment process alone and still delivers every frame', async () => {
    const outputDir = await mkdtemp(join(tmpdir(), 'native-seg-kill-'));
    const source = await counterMovie({ frames: 240, width: 640, height: 360, audio: false });
    warnings.length = 0;
    let killed = 0;
    const watcher = (async () => {
      for (let i = 0; i < 400 && killed === 0; i++) {
        const victim = (await ffmpegsIn(outputDir)).find((p) => p.args.includes('.seg1.') && !p.args.includes('concat'));
        if (victim) {
          process.kill(victim.pid, 'SIGKILL');
          killed = victim.pid;
        } else await new Promise((r) => setTimeout(r, 25));
      }
    })();
    const result = await encodeMedia.run(source, review, { outputDir, segments: 2 });
    await watcher;
    expect(killed).toBeGreaterThan(0);
    expect(warnings.filter((w) => w.includes('segment 2/2 failed; retrying it alone'))).toHaveLength(1);
    expect(output(result.outputs, 'ftrackreview-mp4').info.frameCount).toBe(240);
    expect((await readdir(outputDir)).sort()).toEqual(result.outputs.map((o) => o.path.slice(outputDir.length + 1)).sort());
  });

  it('cancel mid-way stops every segment process and leaves no file', async () => {
    const outputDir = await mkdtemp(join(tmpdir(), 'native-seg-cancel-'));
    const source = await counterMovie({ frames: 240, width: 640, height: 360 });
    const controller = new AbortController();
    let running = 0;
    const error = await encodeMedia
      .run(source, review, {
        outputDir,
        segments: 3,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.stage !== 'encode' || (p.percent ?? 0) < 5 || controller.signal.aborted) return;
          void ffmpegsIn(outputDir).then((list) => {
            running = list.length;
            controller.abort();
          });
        },
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(isEncodeError(error, 'E_CANCELLED'), String(error)).toBe(true);
    expect(running).toBeGreaterThanOrEqual(3);
    expect(await readdir(outputDir)).toEqual([]);
    expect(await ffmpegsIn(outputDir)).toEqual([]);
  });
});
