// The quality gate on native ffmpeg with the reference frames the encode captured: the frames it
// compares are the right ones (a frame broken in the output alone is caught and named, a broken
// frame between the samples is not looked at), reached by seeking in the output (mp4, and webm whose
// video starts after the container's zero) with the very scores of decoding it
// whole, and the scores equal those of a reference made from the source again (the fallback when no
// capture exists).
import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgeQuality, parseProfile, planEncode, type EncodePlan, type MediaInfo, type PlannedOutput } from '@ftrack-encode/core';
import { parseProbe, probeArgs, seeksExactly } from '@ftrack-encode/ffmpeg';
import { mediaFixtures } from '@ftrack-encode/testing';
import { NativeEncoder } from './native-encoder.js';
import { NativeQualityMeter } from './native-quality-meter.js';

const run = promisify(execFile);
const profile = parseProfile({
  name: 'gate',
  outputs: [
    { name: 'review', kind: 'video', codec: 'h264', container: 'mp4', crf: 16, keyframeInterval: 12, size: { maxWidth: 320, maxHeight: 180 } },
    { name: 'web', kind: 'video', codec: 'vp9', container: 'webm', crf: 20, keyframeInterval: 12, size: { maxWidth: 320, maxHeight: 180 } },
    { name: 'thumbnail', kind: 'image', codec: 'mjpeg', container: 'jpg' },
  ],
});

let dir: string;
let plan: EncodePlan;
let review: PlannedOutput;
let web: PlannedOutput;
const meter = new NativeQualityMeter();
const probe = async (path: string): Promise<MediaInfo> => parseProbe(JSON.parse((await run('ffprobe', probeArgs(path))).stdout), { path });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'native-quality-'));
  const clip = await mediaFixtures().movie23976(); // 48 frames of moving testsrc2
  const info = await probe(clip);
  plan = planEncode({ source: { kind: 'file', path: clip }, info, profile, outputDir: dir, planId: 'gate', qualityGate: true });
  await new NativeEncoder({}).encode(plan);
  review = plan.outputs.find((o) => o.name === 'review')!;
  web = plan.outputs.find((o) => o.name === 'web')!;
}, 120_000);

afterAll(() => rm(dir, { recursive: true, force: true }));

/** The review output with a white box over frame `frame` only (re-encoded near-losslessly). */
async function breakFrame(frame: number): Promise<string> {
  const path = join(dir, `broken-${frame}.mp4`);
  await run('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-y', '-i', review.tempPath],
    ...['-vf', `drawbox=x=0:y=0:w=iw:h=ih/2:color=white:t=fill:enable='eq(n,${frame})'`, '-c:v', 'libx264', '-crf', '4', '-an', path],
  ]);
  return path;
}

/** The review output's scores, seeking to the sampled frames (the output's probed info given, as the gate does). */
const measure = async (path: string) => (await meter.measure(plan, [{ planned: review, path, info: await probe(path) }], plan.qualityFrames!)).get('review')!;

describe('NativeQualityMeter with the reference frames captured by the encode', () => {
  it('the encode wrote the sampled reference frames (>= 10, first/middle/last) beside the outputs', async () => {
    expect(plan.qualityFrames!.length).toBeGreaterThanOrEqual(10);
    expect(plan.qualityFrames).toEqual(expect.arrayContaining([0, 23, 47]));
    expect((await stat(review.qualityReference!)).size).toBeGreaterThan(0);
    // Only video outputs have one.
    expect(plan.outputs.find((o) => o.name === 'thumbnail')!.qualityReference).toBeUndefined();
  });

  it('a frame broken in the output alone is caught and named; every other sampled frame still matches', async () => {
    const broken = plan.qualityFrames![5]!;
    const scores = await measure(await breakFrame(broken));
    const verdict = judgeQuality(review, scores);
    expect(verdict.pass).toBe(false);
    expect(verdict.worst[0]!.frame).toBe(broken);
    expect(verdict.worst[0]!.ssim).toBeLessThan(0.8);
    // Misaligned references (a frame off) would make every frame of a moving picture score low.
    for (const s of scores.filter((s) => s.frame !== broken)) expect(s.ssim, `frame ${s.frame}`).toBeGreaterThan(0.97);
  });

  it('seeking to the sampled frames scores exactly what decoding the outputs whole does (mp4, and webm whose video starts after 0)', async () => {
    const outputs = [review, web].map((planned) => ({ planned, path: planned.tempPath }));
    const infos = await Promise.all(outputs.map((o) => probe(o.path)));
    expect(infos.every(seeksExactly)).toBe(true);
    // VP9 in WebM: the first video timestamp is not 0 (7 ms here), so a seek that ignored it would land a frame off.
    expect((infos[1]!.formatStart ?? 0) + (infos[1]!.videoStart ?? 0)).toBeGreaterThan(0);
    const whole = await meter.measure(plan, outputs, plan.qualityFrames!);
    const seeking = await meter.measure(
      plan,
      outputs.map((o, i) => ({ ...o, info: infos[i]! })),
      plan.qualityFrames!,
    );
    for (const name of ['review', 'web']) {
      expect(seeking.get(name)!.map((s) => s.frame)).toEqual(plan.qualityFrames);
      // A frame off would score lower on this moving picture; the same frames score the same.
      expect(seeking.get(name), name).toEqual(whole.get(name));
      for (const s of seeking.get(name)!) expect(s.ssim, `${name} frame ${s.frame}`).toBeGreaterThan(0.97);
    }
  });

  it('a frame broken between two samples is not compared', async () => {
    const between = plan.qualityFrames![5]! + 1;
    expect(plan.qualityFrames).not.toContain(between);
    expect(judgeQuality(review, await measure(await breakFrame(between))).pass).toBe(true);
  });

  it('one output captured, one not: each is measured in its own process (the source decoded for the second only), with the same scores', async () => {
    const outputs = await Promise.all([review, web].map(async (planned) => ({ planned, path: planned.tempPath, info: await probe(planned.tempPath) })));
    const bothCaptured = await meter.measure(plan, outputs, plan.qualityFrames!);
    const moved = `${web.qualityReference}.moved`;
    await rename(web.qualityReference!, moved);
    const mixed = await meter.measure(plan, outputs, plan.qualityFrames!).finally(() => rename(moved, web.qualityReference!));
    expect(mixed.get('review')).toEqual(bothCaptured.get('review'));
    mixed.get('web')!.forEach((s, k) => {
      expect(s.frame).toBe(plan.qualityFrames![k]);
      expect(s.ssim).toBeCloseTo(bothCaptured.get('web')![k]!.ssim, 6);
    });
  });

  it('without the captured file the reference is made from the source again, with the same scores', async () => {
    const captured = await measure(review.tempPath);
    const moved = `${review.qualityReference}.moved`;
    await rename(review.qualityReference!, moved);
    const fromSource = await measure(review.tempPath);
    await rename(moved, review.qualityReference!);
    expect(fromSource.map((s) => s.frame)).toEqual(captured.map((s) => s.frame));
    fromSource.forEach((s, k) => {
      expect(s.ssim).toBeCloseTo(captured[k]!.ssim, 6);
      expect(s.psnr).toBeCloseTo(captured[k]!.psnr, 4);
    });
  });
});
