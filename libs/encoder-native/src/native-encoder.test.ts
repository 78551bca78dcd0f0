import 'reflect-metadata';
import { copyFile, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { container } from 'tsyringe';
import { beforeAll, describe, expect, it } from 'vitest';
import { EncodeMedia, isEncodeError, ProfileCatalog, silentLogger, TOKENS, type EncodeError, type EncodeMediaOptions } from '@ftrack-encode/core';
import { registerNodePlatform } from '@ftrack-encode/node-platform';
import { mediaFixtures, probeMedia, videoStream } from '@ftrack-encode/testing';
import { findFfmpeg, NativeEncoder, NativeMediaProbe, parseEncoderList, registerNativeEncoder } from './index.js';

const fixtures = mediaFixtures();
const review = new ProfileCatalog().get('ftrack-review');
let encodeMedia: EncodeMedia;

beforeAll(() => {
  const scope = container.createChildContainer();
  registerNodePlatform(scope, { logger: silentLogger });
  registerNativeEncoder(scope);
  encodeMedia = scope.resolve(EncodeMedia);
});

async function outDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'native-out-'));
}

async function encode(input: string, options: Partial<EncodeMediaOptions> = {}) {
  const outputDir = options.outputDir ?? (await outDir());
  const result = await encodeMedia.run(input, review, { outputDir, ...options });
  return { ...result, outputDir };
}

async function failure(input: string, options: Partial<EncodeMediaOptions> = {}): Promise<{ error: EncodeError; files: string[] }> {
  const outputDir = options.outputDir ?? (await outDir());
  const error = await encodeMedia.run(input, review, { outputDir, ...options }).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isEncodeError(error)) throw new Error(`expected an EncodeError, got ${String(error)}`);
  const files = await readdir(outputDir).catch(() => []);
  return { error, files };
}

/** Mean luma of every frame of a video. */
async function frameLuma(path: string): Promise<number[]> {
  const { stdout } = await execa('ffmpeg', [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-i',
    path,
    '-vf',
    'signalstats,metadata=mode=print:key=lavfi.signalstats.YAVG:file=-',
    '-f',
    'null',
    '-',
  ]);
  return [...stdout.matchAll(/YAVG=([\d.]+)/g)].map((m) => Number(m[1]));
}

describe('NativeEncoder through EncodeMedia (ftrack-review profile)', () => {
  it.each([
    ['24', () => fixtures.movie24(), { num: 24, den: 1 }, 24],
    ['23.976', () => fixtures.movie23976(), { num: 24000, den: 1001 }, 48],
    ['29.97', () => fixtures.movie2997(), { num: 30000, den: 1001 }, 60],
  ])('keeps every frame of a %s fps movie, at the exact rate', async (_label, clip, rate, frames) => {
    const result = await encode(await clip());
    expect(result.outputs.map((o) => o.name)).toEqual(['ftrackreview-mp4', 'ftrackreview-webm', 'thumbnail']);
    expect(result.plan.skipped.map((s) => s.name)).toEqual(['ftrackreview-mp4-1080']);
    for (const output of result.outputs.filter((o) => o.spec.kind === 'video')) {
      expect(output.info.frameCount, output.name).toBe(frames);
      expect(output.info.frameRate, output.name).toEqual(rate);
      expect(output.info.audio, output.name).toHaveLength(1);
    }
    const mp4 = result.outputs[0]!.info;
    expect(mp4).toMatchObject({
      codec: 'h264',
      pixelFormat: 'yuv420p',
      moovBeforeMdat: true,
      color: { primaries: 'bt709', transfer: 'bt709', space: 'bt709' },
    });
    expect(result.outputs[2]!.info).toMatchObject({ codec: 'mjpeg', isStill: true, width: 320, height: 180 });
    expect((await readdir(result.outputDir)).sort()).toEqual(result.outputs.map((o) => o.path.slice(result.outputDir.length + 1)).sort());
    expect(result.commands[0]![0]).toMatch(/ffmpeg$/);
  });

  it('writes byte-identical files for the same source twice (a re-run resumes its upload; two machines upload the same bytes)', async () => {
    const input = await fixtures.movie24();
    const [first, second] = [await encode(input), await encode(input)];
    for (const [i, output] of first.outputs.entries()) {
      expect(await readFile(second.outputs[i]!.path), output.name).toEqual(await readFile(output.path));
      expect(second.outputs[i]!.checksum, output.name).toEqual(output.checksum);
    }
  });

  it('makes even, square-pixel outputs from odd and anamorphic sources, and no audio track without audio', async () => {
    const odd = await encode(await fixtures.oddSize());
    for (const o of odd.outputs) {
      expect((o.info.width % 2) + (o.info.height % 2), o.name).toBe(0);
      expect(o.info.pixelAspect).toEqual({ num: 1, den: 1 });
      expect(o.info.audio).toEqual([]);
    }
    const ana = await encode(await fixtures.anamorphic());
    expect(ana.outputs[0]!.info).toMatchObject({ width: 320, height: 180, pixelAspect: { num: 1, den: 1 } });
  });

  it('encodes PNG and EXR sequences frame-exact', async () => {
    const png = await fixtures.pngSequence();
    const result = await encode(png.hashPattern);
    expect(result.outputs[0]!.info.frameCount).toBe(12);
    const exr = await fixtures.exrSequence();
    const exrResult = await encode(exr.pattern);
    expect(exrResult.outputs[0]!.info.frameCount).toBe(6);
  });

  it('holds the previous frame over gaps, or paints them black, keeping the frame count', async () => {
    const gapped = await fixtures.gappedSequence();
    const missingIndexes = gapped.missing.map((f) => f - gapped.first);
    const hold = await encode(gapped.hashPattern, { gapPolicy: 'hold' });
    expect(hold.outputs[0]!.info.frameCount).toBe(12);
    const black = await encode(gapped.hashPattern, { gapPolicy: 'black' });
    expect(black.outputs[0]!.info.frameCount).toBe(12);
    const [holdLuma, blackLuma] = await Promise.all([frameLuma(hold.outputs[0]!.path), frameLuma(black.outputs[0]!.path)]);
    expect(blackLuma).toHaveLength(12);
    blackLuma.forEach((y, i) => (missingIndexes.includes(i) ? expect(y, `frame ${i}`).toBeLessThan(20) : expect(y, `frame ${i}`).toBeGreaterThan(40)));
    holdLuma.forEach((y, i) => expect(y, `frame ${i}`).toBeGreaterThan(40));
  });

  it('encodes a still into the review image and thumbnail', async () => {
    const result = await encode(await fixtures.still());
    expect(result.outputs.map((o) => [o.name, o.info.isStill])).toEqual([
      ['ftrackreview-image', true],
      ['thumbnail', true],
    ]);
  });

  it('handles file names with spaces, quotes, unicode and newlines (movies and gapped sequences)', async () => {
    const dir = await mkdtemp(join(tmpdir(), "weird 'dir' é\n"));
    const movie = join(dir, `it's "a" clip [v001] 日本\n.mp4`);
    await copyFile(await fixtures.movie24(), movie);
    const out = join(dir, "out 'put'\nü");
    const result = await encode(movie, { outputDir: out });
    expect(result.outputs).toHaveLength(3);
    const gapped = await fixtures.gappedSequence();
    const seqDir = join(dir, "seq 'x'\n");
    await mkdir(seqDir);
    for (const name of await readdir(gapped.dir))
      if (name.endsWith('.png')) await copyFile(join(gapped.dir, name), join(seqDir, name.replace('gappy', "g'a p\ny")));
    const seq = await encode(join(seqDir, "g'a p\ny.####.png"), { gapPolicy: 'hold', outputDir: out });
    expect(seq.outputs[0]!.info.frameCount).toBe(12);
  });

  it("counts each output's video frames while writing: equal to the frames the file decodes to", async () => {
    const outputDir = await outDir();
    const { plan } = await encodeMedia.run(await fixtures.movie24(), review, { outputDir, dryRun: true, qualityGate: false });
    const produced = await new NativeEncoder({}).encode(plan);
    expect(produced.map((p) => p.name).sort()).toEqual(plan.outputs.map((o) => o.name).sort());
    for (const file of produced) {
      expect(file.videoPackets, file.name).toBe(Number(videoStream(await probeMedia(file.path)).nb_read_frames));
      expect(file.videoPackets, file.name).toBe(plan.outputs.find((o) => o.name === file.name)!.frameCount);
    }
  });

  it('reports moov position and fills progress', async () => {
    const probe = new NativeMediaProbe({});
    expect((await probe.probe({ kind: 'file', path: await fixtures.slowStart() })).moovBeforeMdat).toBe(false);
    expect((await probe.probe({ kind: 'file', path: await fixtures.movie24() })).moovBeforeMdat).toBe(true);
    const stages = new Set<string>();
    await encode(await fixtures.noAudio(), { onProgress: (p) => stages.add(p.stage) });
    expect([...stages]).toEqual(expect.arrayContaining(['locate', 'probe', 'encode', 'validate']));
  });
});

describe('bad inputs fail with a stable code and leave no file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bad-in-'));
    await writeFile(join(dir, 'empty.mov'), '');
    await writeFile(join(dir, 'notes.mov'), 'This is a text file somebody named .mov\n'.repeat(50));
    await mkdir(join(dir, 'a directory.mov'));
    for (const [name, fixture] of [
      ['cut-faststart.mp4', await fixtures.movie24()],
      ['cut-slowstart.mp4', await fixtures.slowStart()],
    ] as const) {
      const bytes = await readFile(fixture);
      await writeFile(join(dir, name), bytes.subarray(0, Math.floor(bytes.length / 2)));
    }
  });

  it.each([
    ['a missing path', 'missing.mov', 'E_SOURCE_NOT_FOUND'],
    ['a directory', 'a directory.mov', 'E_SOURCE_UNREADABLE'],
    ['a zero-byte file', 'empty.mov', 'E_SOURCE_UNREADABLE'],
    ['a text file named .mov', 'notes.mov', 'E_SOURCE_UNREADABLE'],
    ['a truncated faststart mp4', 'cut-faststart.mp4', 'E_SOURCE_UNREADABLE'],
    ['a truncated mp4 without moov', 'cut-slowstart.mp4', 'E_SOURCE_UNREADABLE'],
    ['a pattern that matches no frame', 'nothing.####.exr', 'E_SEQUENCE_EMPTY'],
  ])('%s', async (_what, name, code) => {
    const { error, files } = await failure(join(dir, name));
    expect(error.code, error.message).toBe(code);
    expect(error.message.length).toBeGreaterThan(10);
    expect(files).toEqual([]);
  });

  it('a gapped sequence under the error policy', async () => {
    const { error, files } = await failure((await fixtures.gappedSequence()).hashPattern);
    expect(error.code).toBe('E_SEQUENCE_GAPS');
    expect(error.message).toContain('1004-1005, 1009');
    expect(files).toEqual([]);
  });

  it('an output directory that cannot be written', async () => {
    const blocker = join(dir, 'a-file');
    await writeFile(blocker, 'x');
    const { error } = await failure(await fixtures.movie24(), { outputDir: join(blocker, 'out') });
    expect(error.code).toBe('E_OUTPUT_UNWRITABLE');
  });

  it('an ffmpeg that is not there', async () => {
    const encoder = new NativeEncoder({ ffmpegPath: join(dir, 'no-ffmpeg') });
    const error = await encoder.capabilities().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isEncodeError(error, 'E_ENCODER_MISSING')).toBe(true);
    expect((error as EncodeError).hint).toContain('apt-get install ffmpeg');
    expect(await findFfmpeg({ env: { PATH: dir } })).toBeUndefined();
  });
});

describe('binaries and capabilities', () => {
  it('finds ffmpeg and ffprobe beside it, honouring FFMPEG_PATH', async () => {
    const found = await findFfmpeg();
    expect(found?.ffmpeg).toMatch(/ffmpeg$/);
    expect(found?.ffprobe).toMatch(/ffprobe$/);
    expect(await findFfmpeg({ env: { PATH: '', FFMPEG_PATH: found!.ffmpeg } })).toEqual(found);
  });

  it('maps the build encoders to profile codecs and proves hardware before listing it', async () => {
    const { stdout } = await execa('ffmpeg', ['-hide_banner', '-encoders']);
    const encoders = parseEncoderList(stdout);
    expect(encoders).toEqual(expect.arrayContaining(['libx264', 'libvpx-vp9', 'mjpeg', 'aac']));
    expect(encoders).not.toContain('=');
    const caps = await new NativeEncoder({}).capabilities();
    expect(caps.codecs).toEqual(expect.arrayContaining(['h264', 'vp9', 'vp8', 'mjpeg', 'png']));
    expect(caps.version).toMatch(/^\d+\.\d+/);
    for (const hw of caps.hardware) expect(caps.encoders).toContain(hw);
  });

  it('registers the encoder and the probe as one instance each', () => {
    const scope = container.createChildContainer();
    registerNativeEncoder(scope, { threads: 1 });
    expect(scope.resolve(TOKENS.Encoder)).toBe(scope.resolve(TOKENS.Encoder));
    expect(scope.resolve(TOKENS.Encoder).id).toBe('native');
    expect(scope.resolve(TOKENS.MediaProbe)).toBeInstanceOf(NativeMediaProbe);
  });
});

describe('capabilities cache', () => {
  it('keeps proven capabilities on disk per binary, and reads them back', async () => {
    const { readCapabilities } = await import('./capabilities.js');
    const found = await findFfmpeg({});
    const cacheHome = await mkdtemp(join(tmpdir(), 'caps-cache-'));
    const previous = process.env['XDG_CACHE_HOME'];
    process.env['XDG_CACHE_HOME'] = cacheHome;
    try {
      // A copy of the binary is a different binary: no in-memory hit, a fresh probe, then a file.
      const copy = join(cacheHome, 'ffmpeg-copy');
      await copyFile(found!.ffmpeg, copy);
      await execa('chmod', ['+x', copy]);
      const first = await readCapabilities(copy);
      const [file] = await readdir(join(cacheHome, 'ftrack-encode'));
      expect(file).toMatch(/^capabilities-[0-9a-f]{16}\.json$/);
      const stored = JSON.parse(await readFile(join(cacheHome, 'ftrack-encode', file!), 'utf8')) as { capabilities: unknown };
      expect(stored.capabilities).toEqual(first);
      expect(first.codecs).toEqual(expect.arrayContaining(['h264', 'vp9', 'mjpeg']));
    } finally {
      if (previous === undefined) delete process.env['XDG_CACHE_HOME'];
      else process.env['XDG_CACHE_HOME'] = previous;
    }
  });
});
