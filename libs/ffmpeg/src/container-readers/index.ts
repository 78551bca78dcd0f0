import type { ByteSource } from './byte-source.js';
import { readMatroska } from './matroska-reader.js';
import { readMp4 } from './mp4-reader.js';
import type { ContainerFacts } from './probe-fields.js';
import { readJpeg, readPng } from './still-reader.js';

export { bytesSource, ContainerReadError, type ByteSource } from './byte-source.js';
export type { ContainerFacts } from './probe-fields.js';

/**
 * ffprobe's answer for a file (its JSON, for parseProbe), read by JavaScript from the container's
 * and codec's headers where that is exact: MP4/MOV (H.264, AAC-LC), WebM/Matroska (VP9, Opus),
 * JPEG and PNG stills. `name` is the file's name (ffprobe picks a still's demuxer by it).
 * Undefined for anything else (the caller runs ffprobe); throws ContainerReadError for a file of a
 * known container whose structure is broken (truncated, corrupt).
 */
export async function readContainer(source: ByteSource, name: string): Promise<ContainerFacts | undefined> {
  const head = await source.read(0, 16);
  if (head.length < 8) return undefined;
  if (String.fromCharCode(...head.subarray(4, 8)) === 'ftyp') return readMp4(source);
  if (head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) return readMatroska(source);
  if (head[0] === 0xff && head[1] === 0xd8 && /\.jpe?g$/i.test(name)) return readJpeg(source, 'image2');
  if (head[0] === 0x89 && String.fromCharCode(...head.subarray(1, 4)) === 'PNG' && /\.png$/i.test(name)) return readPng(source, 'png_pipe');
  return undefined;
}
