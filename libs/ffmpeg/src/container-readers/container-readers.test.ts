import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { parseProbe, probeArgs, type ProbeJson, type ProbeStream } from '../probe.js';
import { mp4MoovBeforeMdatInFile, readContainerFile } from '../node/index.js';
import { bytesSource, ContainerReadError, readContainer } from './index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'container-readers-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A file made by ffmpeg from test sources: `input` are the lavfi inputs, `args` the encode. */
async function made(name: string, args: string[], { video = 'testsrc2=size=320x180:rate=24', audio = '' } = {}): Promise<string> {
  const path = join(dir, name);
  const inputs = ['-f', 'lavfi', '-i', video, ...(audio ? ['-f', 'lavfi', '-i', audio] : [])];
  await execa('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...inputs, ...args, path]);
  return path;
}

async function ffprobe(path: string): Promise<ProbeJson> {
  return JSON.parse((await execa('ffprobe', probeArgs(path))).stdout) as ProbeJson;
}

/** Every field the reader wrote is ffprobe's, and parseProbe makes the same MediaInfo of both. */
async function expectSameAsFfprobe(path: string): Promise<void> {
  const facts = await readContainerFile(path);
  expect(facts, `${path}: the reader should answer`).toBeDefined();
  const probed = await ffprobe(path);
  const streams = facts!.json.streams ?? [];
  expect(streams.length).toBe(probed.streams?.length);
  streams.forEach((stream, i) => {
    const theirs = probed.streams![i]! as Record<string, unknown>;
    for (const [key, value] of Object.entries(stream as Record<string, unknown>)) {
      if (key === 'tags')
        for (const [tag, text] of Object.entries(value as Record<string, string>)) expect((theirs['tags'] as Record<string, string>)[tag], tag).toBe(text);
      else expect(theirs[key], `stream ${i} ${key}`).toEqual(value);
    }
  });
  for (const [key, value] of Object.entries(facts!.json.format ?? {})) expect((probed.format as Record<string, unknown>)[key], `format ${key}`).toEqual(value);
  expect(parseProbe(facts!.json, { path })).toEqual(parseProbe(probed, { path }));
  if (/\.(mp4|mov)$/.test(path)) expect(facts!.moovBeforeMdat).toBe(await mp4MoovBeforeMdatInFile(path));
}

const x264 = (extra: string[] = []) => ['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '12', ...extra];
const tagged709 = ['-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709', '-color_range', 'tv'];
const stereo = 'sine=frequency=440:sample_rate=48000,aformat=channel_layouts=stereo';

describe('readContainer: the same answer as ffprobe, without a process', () => {
  it('MP4, H.264 yuv420p BT.709 + AAC stereo, 23.976 fps, faststart (as the review profiles write)', async () => {
    const path = await made(
      'review.mp4',
      [
        '-frames:v',
        '48',
        ...x264(['-pix_fmt', 'yuv420p', '-bf', '2', '-preset', 'medium', ...tagged709]),
        '-c:a',
        'aac',
        '-shortest',
        '-movflags',
        '+faststart',
      ],
      {
        video: 'testsrc2=size=640x360:rate=24000/1001',
        audio: stereo,
      },
    );
    await expectSameAsFfprobe(path);
    expect((await readContainerFile(path))!.moovBeforeMdat).toBe(true);
  });

  it('MP4 without faststart, 25 fps 10-bit 4:2:0, no audio', async () => {
    await expectSameAsFfprobe(
      await made('slow-start-10bit.mp4', ['-frames:v', '25', ...x264(['-pix_fmt', 'yuv420p10le', ...tagged709])], { video: 'testsrc2=size=320x240:rate=25' }),
    );
  });

  it('MOV, H.264 full range 4:2:2 at an odd crop (322x182), mono AAC, 30000/1001', async () => {
    const path = await made(
      'full-422.mov',
      [
        '-frames:v',
        '30',
        ...x264(['-pix_fmt', 'yuvj422p', '-colorspace', 'bt470bg', '-color_primaries', 'bt470bg', '-color_trc', 'smpte170m', '-color_range', 'pc']),
        '-c:a',
        'aac',
        '-ac',
        '1',
        '-shortest',
      ],
      { video: 'testsrc2=size=322x182:rate=30000/1001', audio: 'sine=frequency=300:sample_rate=44100' },
    );
    await expectSameAsFfprobe(path);
  });

  it('MP4 with anamorphic pixels (SAR 2:1 in the SPS and pasp)', async () => {
    await expectSameAsFfprobe(
      await made('anamorphic.mp4', ['-frames:v', '24', '-vf', 'setsar=2/1', ...x264(['-pix_fmt', 'yuv420p', ...tagged709])], {
        video: 'testsrc2=size=160x180:rate=24',
      }),
    );
  });

  it('WebM, VP9 + Opus, 23.976 fps (as the review profiles write)', async () => {
    const path = await made(
      'review.webm',
      [
        '-frames:v',
        '48',
        '-c:v',
        'libvpx-vp9',
        '-deadline',
        'realtime',
        '-cpu-used',
        '8',
        '-b:v',
        '0',
        '-crf',
        '40',
        '-pix_fmt',
        'yuv420p',
        ...tagged709,
        '-c:a',
        'libopus',
        '-shortest',
      ],
      { video: 'testsrc2=size=640x360:rate=24000/1001', audio: stereo },
    );
    await expectSameAsFfprobe(path);
    expect(parseProbe((await readContainerFile(path))!.json, { path }).frameCount).toBe(48);
  });

  it('Matroska, VP9 4:4:4 (profile 1) at 30 fps, no audio', async () => {
    await expectSameAsFfprobe(
      await made('vp9-444.mkv', ['-frames:v', '30', '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-pix_fmt', 'yuv444p', ...tagged709], {
        video: 'testsrc2=size=256x144:rate=30',
      }),
    );
  });

  it('JPEG stills (the 4:2:0 thumbnail, 4:2:2, 4:4:4)', async () => {
    await expectSameAsFfprobe(
      await made('thumb.jpg', ['-frames:v', '1', '-c:v', 'mjpeg', '-q:v', '3', '-pix_fmt', 'yuvj420p', '-update', '1'], {
        video: 'testsrc2=size=640x360:rate=24',
      }),
    );
    await expectSameAsFfprobe(
      await made('422.jpg', ['-frames:v', '1', '-c:v', 'mjpeg', '-pix_fmt', 'yuvj422p', '-update', '1'], { video: 'testsrc2=size=322x180:rate=24' }),
    );
    await expectSameAsFfprobe(
      await made('444.jpg', ['-frames:v', '1', '-c:v', 'mjpeg', '-pix_fmt', 'yuvj444p', '-update', '1'], { video: 'testsrc2=size=200x100:rate=24' }),
    );
  });

  it('PNG stills (rgb24, rgba64be)', async () => {
    await expectSameAsFfprobe(await made('still.png', ['-frames:v', '1', '-pix_fmt', 'rgb24', '-update', '1']));
    await expectSameAsFfprobe(await made('deep.png', ['-frames:v', '1', '-pix_fmt', 'rgba64be', '-update', '1'], { video: 'testsrc2=size=100x50:rate=24' }));
  });
});

describe('readContainer: what it leaves to ffprobe', () => {
  it.each([
    ['ProRes in MOV', 'prores.mov', ['-frames:v', '4', '-c:v', 'prores_ks', '-profile:v', '3']],
    ['Motion JPEG in MOV', 'mjpeg.mov', ['-frames:v', '4', '-c:v', 'mjpeg']],
    ['untagged H.264 (no colour in the SPS)', 'untagged.mp4', ['-frames:v', '4', ...x264()]],
    ['H.264 in Matroska', 'h264.mkv', ['-frames:v', '4', ...x264(tagged709)]],
  ])('%s: undefined, so the probe runs ffprobe', async (_what, name, args) => {
    expect(await readContainerFile(await made(name, args))).toBeUndefined();
  });

  it('a rotated MP4 (a display matrix in tkhd)', async () => {
    const path = await made('rotated.mp4', ['-frames:v', '4', ...x264(['-pix_fmt', 'yuv420p', ...tagged709])]);
    expect(await readContainerFile(path)).toBeDefined();
    const bytes = await readFile(path);
    const matrix = bytes.indexOf('tkhd') + 4 + 40; // version 0 tkhd
    [0, 0x10000, 0, -0x10000, 0, 0, 0, 0, 0x40000000].forEach((v, i) => bytes.writeInt32BE(v, matrix + 4 * i));
    await writeFile(path, bytes);
    expect(parseProbe(await ffprobe(path), { path }).rotation).toBe(90);
    expect(await readContainerFile(path)).toBeUndefined();
  });

  it('a file no reader knows (NUT), and a JPEG not named .jpg', async () => {
    expect(await readContainerFile(await made('raw.nut', ['-frames:v', '2', '-c:v', 'ffv1']))).toBeUndefined();
    const jpeg = await made('pic.jpg', ['-frames:v', '1', '-c:v', 'mjpeg', '-update', '1']);
    expect(await readContainer(bytesSource(new Uint8Array(await readFile(jpeg))), 'pic.bin')).toBeUndefined();
  });
});

describe('readContainer: broken files are a clear error', () => {
  const cut = async (path: string, keep: (size: number) => number, name: string) => {
    const bytes = await readFile(path);
    const target = join(dir, name);
    await writeFile(target, bytes.subarray(0, keep(bytes.length)));
    return target;
  };

  it('an MP4 cut short in its samples, or before its moov', async () => {
    const path = await made('whole.mp4', ['-frames:v', '24', ...x264(['-pix_fmt', 'yuv420p', ...tagged709]), '-movflags', '+faststart']);
    await expect(readContainerFile(await cut(path, (n) => n - 1000, 'cut-samples.mp4'))).rejects.toThrow(/past the end of the file \(truncated\)/);
    const slow = await made('slow.mp4', ['-frames:v', '24', ...x264(['-pix_fmt', 'yuv420p', ...tagged709])]);
    await expect(readContainerFile(await cut(slow, (n) => n - 2000, 'cut-moov.mp4'))).rejects.toThrow(ContainerReadError);
  });

  it('an MP4 whose sample table is overwritten', async () => {
    const path = await made('table.mp4', ['-frames:v', '24', ...x264(['-pix_fmt', 'yuv420p', ...tagged709]), '-movflags', '+faststart']);
    const bytes = await readFile(path);
    const stsz = bytes.indexOf('stsz');
    bytes.writeUInt32BE(0xffffff, stsz + 12); // sample count far beyond the box
    const corrupt = join(dir, 'corrupt.mp4');
    await writeFile(corrupt, bytes);
    await expect(readContainerFile(corrupt)).rejects.toThrow(/stsz box is cut short/);
  });

  it('a WebM cut short, a JPEG cut in its header, a PNG cut in a chunk', async () => {
    const webm = await made('whole.webm', ['-frames:v', '24', '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8']);
    await expect(readContainerFile(await cut(webm, (n) => Math.floor(n / 2), 'cut.webm'))).rejects.toThrow(/cut short/);
    const jpeg = await made('whole.jpg', ['-frames:v', '1', '-c:v', 'mjpeg', '-update', '1']);
    await expect(readContainerFile(await cut(jpeg, () => 100, 'cut.jpg'))).rejects.toThrow(ContainerReadError);
    const png = await made('whole.png', ['-frames:v', '1', '-update', '1']);
    await expect(readContainerFile(await cut(png, () => 40, 'cut.png'))).rejects.toThrow(/cut short/);
  });
});

describe('readContainer on bytes in memory', () => {
  it('reads what it reads from a file (no Node APIs: the browser can use it)', async () => {
    const path = await made('memory.mp4', ['-frames:v', '12', ...x264(['-pix_fmt', 'yuv420p', ...tagged709]), '-movflags', '+faststart']);
    const fromMemory = await readContainer(bytesSource(new Uint8Array(await readFile(path))), 'memory.mp4');
    expect(fromMemory).toEqual(await readContainerFile(path));
    const stream = fromMemory!.json.streams![0] as ProbeStream;
    expect([stream.codec_name, stream.width, stream.height, stream.nb_read_packets]).toEqual(['h264', 320, 180, '12']);
  });
});
