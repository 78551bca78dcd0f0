import 'reflect-metadata';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { LEVEL_WINDOW_SECONDS } from '@ftrack-encode/ffmpeg';
import { NativeMediaProbe } from './index.js';

const probe = new NativeMediaProbe({});
const seconds = LEVEL_WINDOW_SECONDS + 2;
/** A tone heard only in the last second, after the first level scan's window. */
const lateTone = `aevalsrc=if(gte(t\\,${seconds - 1})\\,0.5*sin(2*PI*440*t)\\,0):s=48000:d=${seconds}`;
const silence = `anullsrc=r=48000:cl=mono:d=${seconds}`;

async function movie(name: string, audio: string[]): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'native-probe-')), name);
  const inputs = audio.flatMap((graph) => ['-f', 'lavfi', '-i', graph]);
  const maps = ['-map', '0:v', ...audio.flatMap((_, i) => ['-map', `${i + 1}:a`])];
  await execa('ffmpeg', [
    ...['-hide_banner', '-v', 'error', '-f', 'lavfi', '-i', `testsrc2=size=64x36:rate=1:duration=${seconds}`],
    ...inputs,
    ...maps,
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-t', String(seconds), path],
  ]);
  return path;
}

describe('NativeMediaProbe audio levels', () => {
  it('a track silent through the first scan window but heard later is not silent; a track silent to the end is', async () => {
    const two = await movie('two-tracks.mp4', [lateTone, silence]);
    const info = await probe.probe({ kind: 'file', path: two }, { audioLevels: true });
    expect(info.duration).toBeGreaterThan(LEVEL_WINDOW_SECONDS);
    expect(info.audio.map((a) => a.silent === true)).toEqual([false, true]);
    // One track: the level scan that ran beside ffprobe sees only the window, the whole file decides.
    const one = await movie('one-track.mp4', [lateTone]);
    expect((await probe.probe({ kind: 'file', path: one }, { audioLevels: true })).audio.map((a) => a.silent === true)).toEqual([false]);
    const quiet = await movie('silent.mp4', [silence]);
    expect((await probe.probe({ kind: 'file', path: quiet }, { audioLevels: true })).audio.map((a) => a.silent === true)).toEqual([true]);
  });

  it('a source without audio probes without a level scan failure', async () => {
    const none = await movie('none.mp4', []);
    const info = await probe.probe({ kind: 'file', path: none }, { audioLevels: true });
    expect(info.audio).toEqual([]);
    expect(info.frameCount).toBe(seconds);
  });

  it('a cancel during the probe is E_CANCELLED', async () => {
    const one = await movie('cancel.mp4', [lateTone]);
    const controller = new AbortController();
    const probing = probe.probe({ kind: 'file', path: one }, { audioLevels: true, signal: controller.signal });
    controller.abort();
    await expect(probing).rejects.toMatchObject({ code: 'E_CANCELLED' });
  });
});

describe('NativeMediaProbe of an encoded output', () => {
  /** ffprobe behind a script that logs each run, so the test sees when the probe spawns it. */
  async function countingProbe(): Promise<{ probe: NativeMediaProbe; runs: () => Promise<number> }> {
    const dir = await mkdtemp(join(tmpdir(), 'native-probe-count-'));
    const log = join(dir, 'runs.log');
    const script = join(dir, 'ffprobe');
    await writeFile(log, '');
    await writeFile(script, `#!/bin/sh\necho run >> '${log}'\nexec ffprobe "$@"\n`, { mode: 0o755 });
    return { probe: new NativeMediaProbe({ ffprobePath: script }), runs: async () => (await readFile(log, 'utf8')).split('\n').filter(Boolean).length };
  }

  it('reads an MP4, WebM and JPEG from their headers (no ffprobe) and answers as ffprobe does', async () => {
    const { probe: counted, runs } = await countingProbe();
    const dir = await mkdtemp(join(tmpdir(), 'native-probe-out-'));
    const tags = ['-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709', '-color_range', 'tv'];
    const outputs = {
      'out.mp4': ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', ...tags, '-c:a', 'aac', '-movflags', '+faststart'],
      'out.webm': ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-pix_fmt', 'yuv420p', ...tags, '-c:a', 'libopus'],
      'out.jpg': ['-frames:v', '1', '-c:v', 'mjpeg', '-update', '1', '-an'],
    };
    for (const [name, args] of Object.entries(outputs)) {
      const path = join(dir, name);
      await execa('ffmpeg', [
        ...['-hide_banner', '-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=24000/1001', '-f', 'lavfi', '-i', 'sine=sample_rate=48000'],
        ...['-t', '1', ...args, path],
      ]);
      const fromHeaders = await counted.probe({ kind: 'file', path }, { encodedOutput: true });
      expect(await runs(), name).toBe(0);
      expect(fromHeaders, name).toEqual(await probe.probe({ kind: 'file', path }));
    }
  });

  it('falls back to ffprobe for what the readers leave (ProRes) and for a broken file', async () => {
    const { probe: counted, runs } = await countingProbe();
    const dir = await mkdtemp(join(tmpdir(), 'native-probe-out-'));
    const prores = join(dir, 'out.mov');
    await execa('ffmpeg', ['-hide_banner', '-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=24', '-frames:v', '3', '-c:v', 'prores_ks', prores]);
    expect((await counted.probe({ kind: 'file', path: prores }, { encodedOutput: true })).codec).toBe('prores');
    expect(await runs()).toBe(1);
    const broken = join(dir, 'cut.mp4');
    await execa('ffmpeg', [
      '-hide_banner',
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=320x180:rate=24',
      '-frames:v',
      '24',
      '-c:v',
      'libx264',
      '-movflags',
      '+faststart',
      broken,
    ]);
    const bytes = await readFile(broken);
    await writeFile(broken, bytes.subarray(0, bytes.length - 4000));
    await expect(counted.probe({ kind: 'file', path: broken }, { encodedOutput: true })).rejects.toMatchObject({ code: 'E_SOURCE_UNREADABLE' });
    expect(await runs()).toBe(2);
  });
});
