import type { ProbeStream } from '../probe.js';
import { byteText, ContainerReadError, type ByteSource } from './byte-source.js';
import { formatBitRate, ratio, seconds, type ContainerFacts } from './probe-fields.js';

/**
 * What libavformat says about a single picture: one frame at the default 25 fps; the image2
 * demuxer (chosen by the file's extension) also times it, the *_pipe demuxers (chosen by content) do not.
 */
function stillFacts(format: 'image2' | 'png_pipe', fileSize: number, picture: Omit<ProbeStream, 'index'>): ContainerFacts {
  const frameUs = 40_000;
  const timed = format === 'image2';
  const timing = timed ? { start_time: seconds(0), duration: seconds(frameUs / 1e6) } : {};
  return {
    json: {
      streams: [{ index: 0, codec_type: 'video', ...picture, r_frame_rate: '25/1', avg_frame_rate: '25/1', nb_read_packets: '1', ...timing }],
      format: { format_name: format, nb_streams: 1, ...timing, ...(timed ? { bit_rate: formatBitRate(fileSize, frameUs) } : {}) },
    },
  };
}

/** Markers that may change what the decoder reports (Adobe colour transform, EXIF orientation): left to ffprobe. */
const APP_DECLINED = new Set([0xe1, 0xee]);

/**
 * A baseline or progressive 8-bit JPEG: size and pixel format from its SOF, aspect from JFIF.
 * `format` is the demuxer ffprobe picks for it.
 */
export async function readJpeg(source: ByteSource, format: 'image2'): Promise<ContainerFacts | undefined> {
  const bytes = await source.read(0, Math.min(source.size, 1024 * 1024));
  let sar: string | undefined;
  for (let at = 2; at + 4 <= bytes.length;) {
    if (bytes[at] !== 0xff) throw new ContainerReadError(`JPEG marker expected at byte ${at}`);
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at++;
      continue;
    }
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    const segment = bytes.subarray(at + 4, at + 2 + length);
    if (segment.length !== length - 2) throw new ContainerReadError('JPEG header is cut short');
    if (APP_DECLINED.has(marker)) return undefined;
    // Limited-range YCbCr (ffmpeg's own comment): the decoder then reports yuv formats, not yuvj.
    if (marker === 0xfe && byteText(segment).includes('CS=ITU601')) return undefined;
    if (marker === 0xe0 && byteText(segment.subarray(0, 5)) === 'JFIF\0') {
      const x = (segment[8]! << 8) | segment[9]!;
      const y = (segment[10]! << 8) | segment[11]!;
      if (x > 0 && y > 0) sar = ratio(x, y, ':');
    }
    if (marker === 0xc0 || marker === 0xc1 || marker === 0xc2) {
      if (segment[0] !== 8) return undefined; // 12-bit
      const height = (segment[1]! << 8) | segment[2]!;
      const width = (segment[3]! << 8) | segment[4]!;
      const pixFmt = jpegPixelFormat(segment);
      if (!pixFmt || !width || !height) return undefined;
      return stillFacts(format, source.size, {
        codec_name: 'mjpeg',
        width,
        height,
        pix_fmt: pixFmt,
        ...(sar ? { sample_aspect_ratio: sar } : {}),
        color_range: 'pc',
        color_space: 'bt470bg',
      });
    }
    if (marker === 0xda) break; // scan before any frame header
    at += 2 + length;
  }
  throw new ContainerReadError('JPEG has no frame header');
}

/** Three-component YCbCr: ffmpeg's yuvj format from the luma-to-chroma sampling ratios. */
function jpegPixelFormat(sof: Uint8Array): string | undefined {
  if (sof[5] !== 3 || sof.length < 15) return undefined; // grey or CMYK
  const factor = (c: number) => [sof[6 + 3 * c + 1]! >> 4, sof[6 + 3 * c + 1]! & 15] as const;
  const [yh, yv] = factor(0);
  const [ch, cv] = factor(1);
  if (factor(2).join() !== `${ch},${cv}` || yh % ch !== 0 || yv % cv !== 0) return undefined;
  const formats: Record<string, string> = { '2,2': 'yuvj420p', '2,1': 'yuvj422p', '1,1': 'yuvj444p' };
  return formats[`${yh / ch},${yv / cv}`];
}

const PNG_FORMATS: Record<string, string> = {
  '0,8': 'gray',
  '0,16': 'gray16be',
  '2,8': 'rgb24',
  '2,16': 'rgb48be',
  '4,8': 'ya8',
  '4,16': 'ya16be',
  '6,8': 'rgba',
  '6,16': 'rgba64be',
};
/** Chunks that give the picture colour tags (and whose mapping is ffprobe's). */
const PNG_COLOUR_CHUNKS = new Set(['sRGB', 'gAMA', 'cHRM', 'iCCP', 'cICP']);

/** A non-palette PNG without colour chunks: size and pixel format from IHDR, aspect from pHYs. */
export async function readPng(source: ByteSource, format: 'png_pipe'): Promise<ContainerFacts | undefined> {
  const bytes = await source.read(0, Math.min(source.size, 1024 * 1024));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let picture: Omit<ProbeStream, 'index'> | undefined;
  for (let at = 8; at + 8 <= bytes.length;) {
    const length = view.getUint32(at);
    const type = byteText(bytes.subarray(at + 4, at + 8));
    if (at + 12 + length > bytes.length) throw new ContainerReadError(`PNG ${type} chunk is cut short`);
    if (type === 'IHDR') {
      const pixFmt = PNG_FORMATS[`${bytes[at + 17]},${bytes[at + 16]}`];
      if (!pixFmt || bytes[at + 20] !== 0) return undefined; // palette, low bit depth or interlaced
      picture = { codec_name: 'png', width: view.getUint32(at + 8), height: view.getUint32(at + 12), pix_fmt: pixFmt, color_range: 'pc' };
    } else if (!picture) throw new ContainerReadError('PNG does not start with IHDR');
    else if (PNG_COLOUR_CHUNKS.has(type)) return undefined;
    else if (type === 'pHYs' && bytes[at + 16] === 1) picture.sample_aspect_ratio = ratio(view.getUint32(at + 8), view.getUint32(at + 12), ':');
    else if (type === 'IDAT') return stillFacts(format, source.size, picture);
    at += 12 + length;
  }
  throw new ContainerReadError('PNG is cut short before its image data');
}
