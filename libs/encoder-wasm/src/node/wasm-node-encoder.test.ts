import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import {
  checkOutput,
  isEncodeError,
  parseProfile,
  planEncode,
  type EncodePlan,
  type EncoderCapabilities,
  type MediaInfo,
  type Progress,
} from '@ftrack-encode/core';
import { parseProbe, probeArgs } from '@ftrack-encode/ffmpeg';
import { ensureFixture, mediaFixtures, type FileFixture } from '@ftrack-encode/testing';
import { VP9_UNSUPPORTED_REASON } from '../shared/wasm-capabilities.js';
import { WasmCore } from './wasm-core.js';
import { WasmMediaProbe } from './wasm-media-probe.js';
import { WasmNodeEncoder } from './wasm-node-encoder.js';

/** The ftrack review shape, tiny: H.264 MP4, VP9 WebM (wasm must get VP8), JPEG thumbnail. */
const REVIEW = parseProfile({
  name: 'wasm-review',
  outputs: [
    {
      name: 'mp4',
      kind: 'video',
      codec: 'h264',
      container: 'mp4',
      crf: 30,
      preset: 'ultrafast',
      size: { maxWidth: 96, maxHeight: 54 },
      audio: { codec: 'aac', bitrate: '64k' },
    },
    {
      name: 'webm',
      kind: 'video',
      codec: 'vp9',
      container: 'webm',
      crf: 32,
      preset: 'realtime',
      size: { maxWidth: 96, maxHeight: 54 },
      audio: { codec: 'opus', bitrate: '64k' },
    },
    { name: 'thumbnail', kind: 'image', codec: 'mjpeg', container: 'jpg', frame: 'middle', size: { maxWidth: 64, maxHeight: 36 } },
  ],
});

/** Native ffprobe as the independent judge: decoded frame count and MediaInfo. */
async function nativeProbe(path: string): Promise<{ info: MediaInfo; decodedFrames: number }> {
  const { stdout } = await execa('ffprobe', probeArgs(path));
  const { stdout: counted } = await execa('ffprobe', [
    '-v',
    'error',
    '-count_frames',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=nb_read_frames',
    '-of',
    'csv=p=0',
    path,
  ]);
  return { info: parseProbe(JSON.parse(stdout), { path }), decodedFrames: Number(counted.trim()) };
}

describe('WasmNodeEncoder', () => {
  const core = new WasmCore();
  const encoder = new WasmNodeEncoder(core);
  const probe = new WasmMediaProbe(core);
  const fixtures = mediaFixtures();
  const dirs: string[] = [];
  const outputDir = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'encoder-wasm-'));
    dirs.push(dir);
    return dir;
  };
  const tinyMovie = async (): Promise<string> => ((await ensureFixture({ kind: 'movie', width: 128, height: 72, rate: '24', frames: 24 })) as FileFixture).path;

  afterAll(async () => {
    await core.dispose();
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('probes its build: VP9 refused with the reason and a VP8 fallback, no hardware', async () => {
    const caps = await encoder.capabilities();
    expect(caps.id).toBe('wasm');
    expect(caps.version).toMatch(/^@ffmpeg\/core 0\.12\.10 \(ffmpeg 5\.1\.\d+\)$/);
    expect(caps.encoders).toEqual(expect.arrayContaining(['libx264', 'libvpx', 'libvpx-vp9', 'mjpeg']));
    expect(caps.codecs).toEqual(expect.arrayContaining(['h264', 'vp8', 'mjpeg', 'png']));
    expect(caps.codecs).not.toContain('vp9');
    expect(caps.codecs).not.toContain('av1');
    expect(caps.unsupported).toContainEqual({ codec: 'vp9', reason: VP9_UNSUPPORTED_REASON });
    expect(caps.fallbacks).toEqual({ vp9: 'vp8' });
    expect(caps.hardware).toEqual([]);
    expect(caps.sequences).toBe(true);
    expect(caps.maxInputBytes).toBe(1024 ** 3);
  });

  it('encodes H.264 MP4 + VP8 WebM (planned from VP9) + JPEG with exact frame counts and progress', async () => {
    const source = { kind: 'file' as const, path: await tinyMovie() };
    const plan = planEncode({
      source,
      info: await probe.probe(source),
      profile: REVIEW,
      outputDir: await outputDir(),
      capabilities: await encoder.capabilities(),
    });
    expect(plan.outputs.map((o) => [o.name, o.spec.codec])).toEqual([
      ['mp4', 'h264'],
      ['webm', 'vp8'],
      ['thumbnail', 'mjpeg'],
    ]);
    const seen: Progress[] = [];
    const produced = await encoder.encode(plan, { onProgress: (p) => seen.push(p) });
    expect(produced).toEqual(plan.outputs.map((o) => ({ name: o.name, path: o.tempPath })));
    for (const planned of plan.outputs) {
      const { info, decodedFrames } = await nativeProbe(planned.tempPath);
      expect(checkOutput(planned, info), planned.name).toEqual([]);
      expect(decodedFrames, planned.name).toBe(planned.spec.kind === 'video' ? 24 : 1);
    }
    const codecs = await Promise.all(plan.outputs.map(async (o) => (await nativeProbe(o.tempPath)).info.codec));
    expect(codecs).toEqual(['h264', 'vp8', 'mjpeg']);
    const percents = seen.filter((p) => p.stage === 'encode' && p.percent !== undefined).map((p) => p.percent!);
    expect(percents.at(-1)).toBe(100);
    expect(seen.some((p) => p.frame === 24)).toBe(true);
  });

  it('describes the same argv as the plan, with real paths', async () => {
    const source = { kind: 'file' as const, path: await tinyMovie() };
    const plan = planEncode({
      source,
      info: await probe.probe(source),
      profile: REVIEW,
      outputDir: await outputDir(),
      capabilities: await encoder.capabilities(),
    });
    const [command] = await encoder.describe(plan);
    expect(command?.[0]).toBe('ffmpeg');
    expect(command).toContain(source.path);
    for (const o of plan.outputs) expect(command).toContain(o.tempPath);
  });

  it('encodes a gapped sequence (ffconcat list inside the core) holding frames', async () => {
    const sequence = await fixtures.gappedSequence();
    const source = await probe.locate(sequence.hashPattern, { gapPolicy: 'hold' });
    const plan = planEncode({
      source,
      info: await probe.probe(source),
      profile: REVIEW,
      outputDir: sequence.dir,
      gapPolicy: 'hold',
      capabilities: await encoder.capabilities(),
    });
    try {
      await encoder.encode(plan);
      const { decodedFrames, info } = await nativeProbe(plan.outputs[0]!.tempPath);
      expect(checkOutput(plan.outputs[0]!, info)).toEqual([]);
      expect(decodedFrames).toBe(sequence.last - sequence.first + 1);
    } finally {
      await Promise.all(plan.outputs.map((o) => rm(o.tempPath, { force: true })));
    }
  });

  it('cancel terminates the worker, leaves no file, and the next encode gets a fresh core', async () => {
    const source = { kind: 'file' as const, path: await fixtures.cancelClip() };
    const dir = await outputDir();
    const plan = planEncode({ source, info: await probe.probe(source), profile: REVIEW, outputDir: dir, capabilities: await encoder.capabilities() });
    const controller = new AbortController();
    const error = await encoder
      .encode(plan, {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.stage === 'encode' && (p.frame ?? 0) > 0) controller.abort();
        },
      })
      .catch((e: unknown) => e);
    expect(isEncodeError(error, 'E_CANCELLED'), String(error)).toBe(true);
    expect(await readdir(dir)).toEqual([]);

    const small = { kind: 'file' as const, path: await tinyMovie() };
    const again = planEncode({
      source: small,
      info: await probe.probe(small),
      profile: REVIEW,
      outputDir: await outputDir(),
      capabilities: await encoder.capabilities(),
    });
    await encoder.encode(again);
    expect((await nativeProbe(again.outputs[0]!.tempPath)).decodedFrames).toBe(24);
  });

  it('refuses a VP9 plan up front (E_UNSUPPORTED) instead of crashing mid-way', async () => {
    const source = { kind: 'file' as const, path: await tinyMovie() };
    const dir = await outputDir();
    const plan = planEncode({ source, info: await probe.probe(source), profile: REVIEW, outputDir: dir }); // no capabilities: VP9 stays
    const error = await encoder.encode(plan).catch((e: unknown) => e);
    expect(isEncodeError(error, 'E_UNSUPPORTED'), String(error)).toBe(true);
    expect(String((error as Error).message)).toContain('#679');
    expect(await readdir(dir)).toEqual([]);
  });

  it('E_INPUT_TOO_LARGE before the core is loaded', async () => {
    const fresh = new WasmCore();
    const small = new WasmNodeEncoder(fresh, { memoryLimitBytes: 1000 });
    const source = { kind: 'file' as const, path: await tinyMovie() };
    const caps: EncoderCapabilities = {
      id: 'wasm',
      version: 'x',
      codecs: ['h264', 'vp8', 'mjpeg'],
      unsupported: [],
      encoders: [],
      hardware: [],
      sequences: true,
      fallbacks: { vp9: 'vp8' },
    };
    const plan: EncodePlan = planEncode({ source, info: await probe.probe(source), profile: REVIEW, outputDir: await outputDir(), capabilities: caps });
    const error = await small.encode(plan).catch((e: unknown) => e);
    expect(isEncodeError(error, 'E_INPUT_TOO_LARGE'), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/GiB/);
    expect(fresh.started).toBe(false);
  });

  it('probes a movie like native ffprobe does', async () => {
    const path = await fixtures.movie23976();
    const wasm = await probe.probe({ kind: 'file', path });
    const { info: native } = await nativeProbe(path);
    expect(wasm).toEqual({ ...native, moovBeforeMdat: true });
  });

  it('probe: E_SOURCE_UNREADABLE for a file that is not media', async () => {
    const dir = await outputDir();
    const bogus = join(dir, 'text.mov');
    await import('node:fs/promises').then((fs) => fs.writeFile(bogus, 'not media\n'.repeat(50)));
    const error = await probe.probe({ kind: 'file', path: bogus }).catch((e: unknown) => e);
    expect(isEncodeError(error, 'E_SOURCE_UNREADABLE'), String(error)).toBe(true);
  });
});
