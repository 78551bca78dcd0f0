// The quality gate on native ffmpeg with the reference frames the encode captured: the frames it
// compares are the right ones (a frame broken in the output alone is caught and named, a broken
// frame between the samples is not looked at), and the scores equal those of a reference made
// from the source again (the fallback when no capture exists).
import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgeQuality, parseProfile, planEncode, type EncodePlan, type PlannedOutput } from '@ftrack-encode/core';
import { parseProbe, probeArgs } from '@ftrack-encode/ffmpeg';
import { mediaFixtures } from '@ftrack-encode/testing';
import { NativeEncoder } from './native-encoder.js';
import { NativeQualityMeter } from './native-quality-meter.js';

const run = promisify(execFile);
const profile = parseProfile({
  name: 'gate',
  outputs: [
    { name: 'review', kind: 'video', codec: 'h264', container: 'mp4', crf: 16, keyframeInterval: 12, size: { maxWidth: 320, maxHeight: 180 } },
    { name: 'thumbnail', kind: 'image', codec: 'mjpeg', container: 'jpg' },
  ],
});

let dir: string;
let plan: EncodePlan;
let review: PlannedOutput;
const meter = new NativeQualityMeter();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'native-quality-'));
  const clip = await mediaFixtures().movie23976(); // 48 frames of moving testsrc2
  const info = parseProbe(JSON.parse((await run('ffprobe', probeArgs(clip))).stdout), { path: clip });
  plan = planEncode({ source: { kind: 'file', path: clip }, info, profile, outputDir: dir, planId: 'gate', qualityGate: true });
  await new NativeEncoder({}).encode(plan);
  review = plan.outputs.find((o) => o.name === 'review')!;
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

const measure = async (path: string) => (await meter.measure(plan, [{ planned: review, path }], plan.qualityFrames!)).get('review')!;

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

  it('a frame broken between two samples is not compared', async () => {
    const between = plan.qualityFrames![5]! + 1;
    expect(plan.qualityFrames).not.toContain(between);
    expect(judgeQuality(review, await measure(await breakFrame(between))).pass).toBe(true);
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
