import 'reflect-metadata';
import { mkdtemp } from 'node:fs/promises';
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
