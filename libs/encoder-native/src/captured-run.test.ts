import 'reflect-metadata';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAhead, runCaptured } from './captured-run.js';
import { pendingAhead, probeFileAhead } from './ahead.js';
import { findFfmpeg } from './find-ffmpeg.js';
import { NativeMediaProbe } from './native-media-probe.js';

const tools = await findFfmpeg();
if (!tools) throw new Error('ffmpeg/ffprobe not found: apt-get install ffmpeg');
const { ffmpeg, ffprobe } = tools;

/** A 2 s 64x36 movie with a tone, made by ffmpeg. */
async function movie(): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'captured-run-')), 'tone.mp4');
  const made = await runCaptured(ffmpeg, [
    ...['-hide_banner', '-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=64x36:rate=24:duration=2'],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:duration=2', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-shortest', path],
  ]);
  expect(made.exitCode, made.stderr).toBe(0);
  return path;
}

describe('runCaptured', () => {
  it('captures what a tool prints and its exit code; a binary that cannot start says why', async () => {
    const version = await runCaptured(ffprobe, ['-version']);
    expect(version).toMatchObject({ exitCode: 0, cancelled: false });
    expect(version.stdout).toMatch(/^ffprobe version /);
    const refused = await runCaptured(ffprobe, ['-v', 'error', '/no/such/file.mov']);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toMatch(/No such file/);
    const missing = await runCaptured('/no/such/ffprobe', ['-version']);
    expect(missing.exitCode).not.toBe(0);
    expect(missing.startError).toMatch(/ENOENT/);
  });

  it('an aborted signal stops the run and marks it cancelled', async () => {
    const controller = new AbortController();
    const endless = runCaptured(ffmpeg, ['-hide_banner', '-nostdin', '-f', 'lavfi', '-i', 'testsrc2=size=64x36:rate=24', '-f', 'null', '-'], {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 300);
    const stopped = await endless;
    expect(stopped.cancelled).toBe(true);
    expect(stopped.exitCode, 'ffmpeg ends on SIGTERM without finishing').not.toBe(0);
  });

  it('takes over a run started ahead with the same argv only', async () => {
    runAhead(ffprobe, ['-version']);
    expect(pendingAhead()).toBe(1);
    await runCaptured(ffprobe, ['-buildconf']); // another argv: runs on its own
    expect(pendingAhead()).toBe(1);
    expect((await runCaptured(ffprobe, ['-version'])).stdout).toMatch(/^ffprobe version /);
    expect(pendingAhead()).toBe(0);
  });
});

describe('probeFileAhead', () => {
  it('starts exactly the runs NativeMediaProbe makes for a movie file: the probe takes both, and reads the same', async () => {
    const path = await movie();
    const probe = new NativeMediaProbe({});
    const fresh = await probe.probe({ kind: 'file', path }, { audioLevels: true });
    await probeFileAhead(path);
    expect(pendingAhead()).toBe(2); // ffprobe and the level scan of a first audio track
    const ahead = await probe.probe({ kind: 'file', path }, { audioLevels: true });
    expect(pendingAhead()).toBe(0);
    expect(ahead).toEqual(fresh);
    expect(ahead).toMatchObject({ frameCount: 48, width: 64, height: 36 });
    expect(ahead.audio.map((a) => a.silent === true)).toEqual([false]);
  });
});
