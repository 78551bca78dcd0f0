import type { ProbeStream } from '../probe.js';
import { byteText, ContainerReadError, WindowedReader, type ByteSource } from './byte-source.js';
import { PRIMARIES, TRANSFERS, vp9PictureFacts } from './picture-headers.js';
import { movieFacts, ratio, seconds, type ContainerFacts } from './probe-fields.js';

const ID = {
  ebml: 0x1a45dfa3,
  segment: 0x18538067,
  info: 0x1549a966,
  timestampScale: 0x2ad7b1,
  duration: 0x4489,
  tracks: 0x1654ae6b,
  trackEntry: 0xae,
  trackNumber: 0xd7,
  trackType: 0x83,
  codecId: 0x86,
  language: 0x22b59c,
  codecDelay: 0x56aa,
  contentEncodings: 0x6d80,
  video: 0xe0,
  pixelWidth: 0xb0,
  pixelHeight: 0xba,
  displayWidth: 0x54b0,
  displayHeight: 0x54ba,
  displayUnit: 0x54b2,
  flagInterlaced: 0x9a,
  alphaMode: 0x53c0,
  colour: 0x55b0,
  transfer: 0x55ba,
  primaries: 0x55bb,
  audio: 0xe1,
  channels: 0x9f,
  cluster: 0x1f43b675,
  clusterTimestamp: 0xe7,
  simpleBlock: 0xa3,
  blockGroup: 0xa0,
  block: 0xa1,
  tags: 0x1254c367,
  attachments: 0x1941a469,
} as const;

interface Element {
  id: number;
  /** Payload offset and size (bytes). */
  start: number;
  size: number;
}

interface Track {
  number: number;
  type: number;
  codec: string;
  language: string;
  codecDelay: number;
  encoded: boolean;
  video: Map<number, number | Uint8Array>;
  colour: Map<number, number | Uint8Array>;
  channels?: number;
  /** Blocks seen, the least block time, and the first block's payload position. */
  blocks: number;
  times: number[];
  firstPayload?: number;
}

/**
 * WebM/Matroska: ffprobe's answer from the EBML headers (Info, Tracks) and one pass over the
 * clusters' block headers (hopping over the frames), which counts the video track's packets as
 * `-count_packets` does. VP9 video with Opus audio; undefined for anything else.
 */
export async function readMatroska(source: ByteSource): Promise<ContainerFacts | undefined> {
  const reader = new WindowedReader(source);
  const header = await element(reader, 0);
  if (header?.id !== ID.ebml) return undefined;
  const segment = await element(reader, header.start + header.size);
  if (segment?.id !== ID.segment) throw new ContainerReadError('Matroska file has no Segment');
  if (!Number.isFinite(segment.size)) return undefined; // live-written (unknown size)
  const segmentEnd = segment.start + segment.size;
  if (segmentEnd > source.size) throw new ContainerReadError('Matroska segment is cut short (truncated)');
  let timestampScale = 1_000_000;
  let duration: number | undefined;
  const tracks: Track[] = [];
  for (let at = segment.start; at < segmentEnd;) {
    const el = await element(reader, at);
    if (!el || !Number.isFinite(el.size) || el.start + el.size > segmentEnd) throw new ContainerReadError(`Matroska element at byte ${at} is cut short`);
    if (el.id === ID.info) {
      for (const child of await children(reader, el)) {
        if (child.id === ID.timestampScale) timestampScale = await uint(reader, child);
        if (child.id === ID.duration) duration = await float(reader, child);
      }
    } else if (el.id === ID.tracks) {
      for (const entry of await children(reader, el)) if (entry.id === ID.trackEntry) tracks.push(await readTrack(reader, entry));
    } else if (el.id === ID.cluster) {
      await readCluster(reader, el, tracks);
    } else if (el.id === ID.attachments) {
      return undefined; // cover art is an attached picture stream
    } else if (el.id === ID.tags) {
      const text = byteText(await reader.bytes(el.start, el.size));
      if (text.includes('TIMECODE')) return undefined;
    }
    at = el.start + el.size;
  }
  if (duration === undefined || tracks.length === 0 || tracks.some((t) => t.encoded)) return undefined;
  const streams: ProbeStream[] = [];
  for (const track of tracks) {
    const stream = await trackStream(reader, track, timestampScale);
    if (!stream) return undefined;
    streams.push({ index: streams.length, ...stream });
  }
  if (streams.filter((s) => s.codec_type === 'video').length !== 1) return undefined;
  return { json: movieFacts('matroska,webm', streams, source.size, Math.trunc((duration * timestampScale) / 1000)) };
}

async function readTrack(reader: WindowedReader, entry: Element): Promise<Track> {
  const track: Track = {
    number: 0,
    type: 0,
    codec: '',
    language: 'eng',
    codecDelay: 0,
    encoded: false,
    video: new Map(),
    colour: new Map(),
    blocks: 0,
    times: [],
  };
  for (const child of await children(reader, entry)) {
    if (child.id === ID.trackNumber) track.number = await uint(reader, child);
    else if (child.id === ID.trackType) track.type = await uint(reader, child);
    else if (child.id === ID.codecId) track.codec = await text(reader, child);
    else if (child.id === ID.language) track.language = await text(reader, child);
    else if (child.id === ID.codecDelay) track.codecDelay = await uint(reader, child);
    else if (child.id === ID.contentEncodings) track.encoded = true;
    else if (child.id === ID.audio) {
      for (const a of await children(reader, child)) if (a.id === ID.channels) track.channels = await uint(reader, a);
    } else if (child.id === ID.video) {
      for (const v of await children(reader, child)) {
        if (v.id === ID.colour) for (const c of await children(reader, v)) track.colour.set(c.id, await uint(reader, c));
        else track.video.set(v.id, v.size <= 8 ? await uint(reader, v) : new Uint8Array());
      }
    }
  }
  return track;
}

/** Each block's track and time, hopping over the frame data. */
async function readCluster(reader: WindowedReader, cluster: Element, tracks: Track[]): Promise<void> {
  let clusterTime = 0;
  const end = cluster.start + cluster.size;
  const block = async (el: Element) => {
    const head = await reader.bytes(el.start, 12);
    const number = vint(head, 0, false);
    if (!number || number.length + 3 > head.length) throw new ContainerReadError('Matroska block header is cut short');
    const track = tracks.find((t) => t.number === number.value);
    if (!track) throw new ContainerReadError(`Matroska block of unknown track ${number.value}`);
    const relative = (((head[number.length]! << 8) | head[number.length + 1]!) << 16) >> 16;
    const flags = head[number.length + 2]!;
    if (track.type === 1 && (flags & 0x06) !== 0) track.encoded = true; // laced video: several packets a block
    track.blocks++;
    track.times.push(clusterTime + relative);
    track.firstPayload ??= el.start + number.length + 3;
  };
  for (let at = cluster.start; at < end;) {
    const el = await element(reader, at);
    if (!el || !Number.isFinite(el.size) || el.start + el.size > end) throw new ContainerReadError(`Matroska cluster element at byte ${at} is cut short`);
    if (el.id === ID.clusterTimestamp) clusterTime = await uint(reader, el);
    else if (el.id === ID.simpleBlock) await block(el);
    else if (el.id === ID.blockGroup) for (const child of await children(reader, el)) if (child.id === ID.block) await block(child);
    at = el.start + el.size;
  }
}

const LAYOUTS: Record<number, string> = { 1: 'mono', 2: 'stereo' };

async function trackStream(reader: WindowedReader, track: Track, timestampScale: number): Promise<Omit<ProbeStream, 'index'> | undefined> {
  const tick = timestampScale / 1e9;
  const language = track.language === 'und' ? {} : { tags: { language: track.language } };
  if (track.type === 2) {
    if (track.codec !== 'A_OPUS' || !track.channels || !LAYOUTS[track.channels] || track.blocks === 0) return undefined;
    const delay = Math.round(track.codecDelay / timestampScale);
    return {
      codec_type: 'audio',
      codec_name: 'opus',
      channels: track.channels,
      sample_rate: '48000', // Opus always decodes at 48 kHz
      channel_layout: LAYOUTS[track.channels]!,
      start_time: seconds((Math.min(...track.times) - delay) * tick),
      ...language,
    };
  }
  if (track.type !== 1 || track.codec !== 'V_VP9' || track.firstPayload === undefined) return undefined;
  if ((track.video.get(ID.flagInterlaced) ?? 0) === 1 || (track.video.get(ID.alphaMode) ?? 0) !== 0) return undefined;
  const rate = constantRate(track.times, tick);
  const picture = vp9PictureFacts(await reader.bytes(track.firstPayload, 64));
  if (!rate || !picture) return undefined;
  const { width, height, ...facts } = picture;
  const pw = track.video.get(ID.pixelWidth);
  const ph = track.video.get(ID.pixelHeight);
  const dw = track.video.get(ID.displayWidth);
  const dh = track.video.get(ID.displayHeight);
  // libavformat reduces the display aspect to terms of at most 255: a ratio that needs more is left to it.
  const sar =
    typeof pw === 'number' && typeof ph === 'number' && typeof dw === 'number' && typeof dh === 'number' && !track.video.get(ID.displayUnit)
      ? ratio(dh * pw, dw * ph, ':')
      : undefined;
  if (sar && sar.split(':').some((n) => Number(n) > 255)) return undefined;
  const primaries = PRIMARIES[Number(track.colour.get(ID.primaries) ?? 2)];
  const transfer = TRANSFERS[Number(track.colour.get(ID.transfer) ?? 2)];
  if (primaries === undefined || transfer === undefined) return undefined;
  return {
    codec_type: 'video',
    codec_name: 'vp9',
    width: width!,
    height: height!,
    ...facts,
    ...(sar ? { sample_aspect_ratio: sar } : {}),
    color_primaries: primaries,
    color_transfer: transfer,
    r_frame_rate: rate,
    avg_frame_rate: rate,
    nb_read_packets: String(track.blocks),
    start_time: seconds(Math.min(...track.times) * tick),
    ...language,
  };
}

/** libavformat's standard rates (get_std_framerate), as num/den. */
const STANDARD_RATES: [number, number][] = [
  ...Array.from({ length: 30 * 12 }, (_, i): [number, number] => [i + 1, 12]),
  ...[24, 30, 60, 12, 15, 48].map((r): [number, number] => [r * 1000, 1001]),
];

/**
 * The one standard rate whose frame times, rounded to the container's ticks, are every block's
 * time: what ffprobe's rate estimate finds for constant-rate video. Undefined when none or more than
 * one fits (too few frames to tell, variable timing).
 */
function constantRate(times: number[], tick: number): string | undefined {
  if (times.length < 3) return undefined;
  const sorted = [...times].sort((a, b) => a - b);
  const first = sorted[0]!;
  const fits = STANDARD_RATES.filter(([num, den]) => sorted.every((t, i) => Math.abs(t - first - (i * den) / num / tick) <= 1 + 1e-9));
  const distinct = new Set(fits.map(([num, den]) => ratio(num, den)));
  return distinct.size === 1 ? [...distinct][0] : undefined;
}

/** An EBML variable-length integer: its value (without the length marker for sizes) and its length. */
function vint(bytes: Uint8Array, at: number, keepMarker: boolean): { value: number; length: number; unknown: boolean } | undefined {
  const first = bytes[at];
  if (first === undefined || first === 0) return undefined;
  const length = Math.clz32(first) - 23;
  if (at + length > bytes.length) return undefined;
  let value = keepMarker ? first : first & (0xff >> length);
  let ones = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    value = value * 256 + bytes[at + i]!;
    ones &&= bytes[at + i] === 0xff;
  }
  return { value, length, unknown: !keepMarker && ones };
}

async function element(reader: WindowedReader, at: number): Promise<Element | undefined> {
  const head = await reader.bytes(at, 12);
  const id = vint(head, 0, true);
  if (!id || id.length > 4) return undefined;
  const size = vint(head, id.length, false);
  if (!size) return undefined;
  return { id: id.value, start: at + id.length + size.length, size: size.unknown ? Number.POSITIVE_INFINITY : size.value };
}

async function children(reader: WindowedReader, parent: Element): Promise<Element[]> {
  const list: Element[] = [];
  const end = parent.start + parent.size;
  for (let at = parent.start; at < end;) {
    const el = await element(reader, at);
    if (!el || !Number.isFinite(el.size) || el.start + el.size > end) throw new ContainerReadError(`Matroska element at byte ${at} is cut short`);
    list.push(el);
    at = el.start + el.size;
  }
  return list;
}

async function uint(reader: WindowedReader, el: Element): Promise<number> {
  const bytes = await reader.bytes(el.start, el.size);
  return bytes.reduce((value, byte) => value * 256 + byte, 0);
}

async function float(reader: WindowedReader, el: Element): Promise<number> {
  const bytes = await reader.bytes(el.start, el.size);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (el.size === 4) return view.getFloat32(0);
  if (el.size === 8) return view.getFloat64(0);
  throw new ContainerReadError('Matroska float of a size other than 4 or 8');
}

async function text(reader: WindowedReader, el: Element): Promise<string> {
  return new TextDecoder().decode(await reader.bytes(el.start, el.size)).replace(/\0+$/, '');
}
