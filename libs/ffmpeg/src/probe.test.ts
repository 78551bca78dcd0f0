import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { isEncodeError } from '@ftrack-encode/core';
import { mediaFixtures } from '@ftrack-encode/testing';
import { inputPathArg, parseProbe, probeArgs } from './probe.js';

const fixtures = mediaFixtures();

async function probe(path: string) {
  const { stdout } = await execa('ffprobe', probeArgs(path));
  return parseProbe(JSON.parse(stdout), { path });
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('probeArgs / parseProbe', () => {
  it('counts packets and keeps the exact 23.976 rate', async () => {
    expect(probeArgs('/a.mov')).toEqual(['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '-count_packets', '/a.mov']);
    const info = await probe(await fixtures.movie23976());
    expect(info).toMatchObject({
      width: 320,
      height: 180,
      frameRate: { num: 24000, den: 1001 },
      frameCount: 48,
      codec: 'h264',
      pixelFormat: 'yuv420p',
      isStill: false,
      firstFrame: 0,
    });
    expect(info.duration).toBeCloseTo(2.002, 2);
    expect(info.audio).toEqual([
      expect.objectContaining({ index: 1, codec: 'aac', channels: 1, sampleRate: 48000, language: 'und', start: 0, layout: 'mono' }),
    ]);
    expect(info.format).toContain('mp4');
  });

  it('reads 29.97, anamorphic SAR and odd sizes', async () => {
    expect((await probe(await fixtures.movie2997())).frameRate).toEqual({ num: 30000, den: 1001 });
    expect((await probe(await fixtures.anamorphic())).pixelAspect).toEqual({ num: 2, den: 1 });
    expect(await probe(await fixtures.oddSize())).toMatchObject({ width: 321, height: 181, audio: [] });
  });

  it('recognises a still image', async () => {
    expect(await probe(await fixtures.still())).toMatchObject({ isStill: true, frameCount: 1, format: 'png_pipe' });
  });

  it('rejects JSON without a video stream', () => {
    const error = thrown(() => parseProbe({ streams: [{ codec_type: 'audio' }], format: { format_name: 'wav' } }, { path: '/a.wav' }));
    expect(isEncodeError(error, 'E_SOURCE_UNREADABLE')).toBe(true);
  });

  it('rejects a truncated file whose header promises more frames than can be read', () => {
    const json = {
      streams: [{ codec_type: 'video', width: 8, height: 8, nb_frames: '48', nb_read_packets: '20', r_frame_rate: '24/1' }],
      format: { format_name: 'mov,mp4' },
    };
    expect(
      isEncodeError(
        thrown(() => parseProbe(json, { path: '/t.mp4' })),
        'E_SOURCE_UNREADABLE',
      ),
    ).toBe(true);
  });

  it('tolerates N/A, 0:1 SAR and missing durations', () => {
    const info = parseProbe(
      {
        streams: [
          {
            codec_type: 'video',
            codec_name: 'png',
            width: 8,
            height: 6,
            sample_aspect_ratio: '0:1',
            r_frame_rate: '0/0',
            avg_frame_rate: '25/1',
            nb_read_packets: '10',
            duration: 'N/A',
            color_space: 'unknown',
            color_primaries: 'bt709',
          },
        ],
        format: { format_name: 'image2', duration: 'N/A' },
      },
      { path: '/x', firstFrame: 1001 },
    );
    expect(info).toMatchObject({
      pixelAspect: { num: 1, den: 1 },
      frameRate: { num: 25, den: 1 },
      frameCount: 10,
      duration: 0.4,
      firstFrame: 1001,
      color: { primaries: 'bt709' },
      isStill: false,
    });
  });

  it('reads rotation, timecode, field order, stream starts and durations; conforms variable frame rates', () => {
    const video = {
      codec_type: 'video',
      codec_name: 'h264',
      width: 1920,
      height: 1080,
      pix_fmt: 'yuv420p',
      nb_read_packets: '54',
      start_time: '0.500000',
      duration: '1.966667',
    };
    const info = parseProbe(
      {
        streams: [
          {
            ...video,
            r_frame_rate: '120/1',
            avg_frame_rate: '54000000/1966667',
            field_order: 'progressive',
            side_data_list: [{ side_data_type: 'Display Matrix', rotation: -90 }],
          },
          { codec_type: 'audio', codec_name: 'aac', channels: 1, channel_layout: 'mono', sample_rate: '48000', start_time: '0.000000', duration: '2.5' },
          { codec_type: 'data', codec_name: 'none', tags: { timecode: '01:00:10:05' } },
        ],
        format: { format_name: 'mov,mp4', duration: '2.5', start_time: '0.000000' },
      },
      { path: '/x.mov' },
    );
    expect(info).toMatchObject({
      rotation: 90,
      timecode: '01:00:10:05',
      fieldOrder: 'progressive',
      videoStart: 0.5,
      videoDuration: 1.966667,
      variableFrameRate: true,
      frameRate: { num: 30000, den: 1001 },
      frameCount: 59,
    });
    expect(info.audio[0]).toMatchObject({ start: 0, duration: 2.5, layout: 'mono' });
    // Interlaced H.264 reporting its field rate is not variable.
    const interlaced = parseProbe(
      { streams: [{ ...video, r_frame_rate: '50/1', avg_frame_rate: '25/1', nb_read_packets: '49', field_order: 'tt' }], format: { format_name: 'mov,mp4' } },
      { path: '/i.mp4' },
    );
    expect(interlaced).toMatchObject({ frameRate: { num: 25, den: 1 }, frameCount: 49, fieldOrder: 'tt' });
    expect(interlaced.variableFrameRate).toBeUndefined();
  });

  it('never lets a path read as a protocol', () => {
    expect(inputPathArg('/abs/a:b.mov')).toBe('/abs/a:b.mov');
    expect(inputPathArg('rtmp:x')).toBe('file:rtmp:x');
    expect(inputPathArg('plain.mov')).toBe('plain.mov');
  });
});

describe('text files', () => {
  it('refuses a text file that ffmpeg would read as ANSI art', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const path = join(await mkdtemp(join(tmpdir(), 'probe-text-')), 'notes.txt');
    await writeFile(path, 'shot,frames\nsh010,240\n'.repeat(50));
    const { stdout } = await execa('ffprobe', probeArgs(path), { reject: false });
    let error: unknown;
    try {
      parseProbe(JSON.parse(stdout || '{}'), { path });
    } catch (e) {
      error = e;
    }
    expect(isEncodeError(error, 'E_SOURCE_UNREADABLE')).toBe(true);
    expect(String((error as Error).message)).toContain('text file');
  });
});
