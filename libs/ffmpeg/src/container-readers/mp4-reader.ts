import { readAtomHeader } from '../mp4-atoms.js';
import type { ProbeJson, ProbeStream } from '../probe.js';
import { byteText, ContainerReadError, type ByteSource } from './byte-source.js';
import { h264PictureFacts, MATRICES, PRIMARIES, TRANSFERS } from './picture-headers.js';
import { movieFacts, ratio, seconds, type ContainerFacts } from './probe-fields.js';

/** The moov of a long movie is a few MB (sample tables); anything larger is not ours to read. */
const MAX_MOOV = 64 * 1024 * 1024;

interface Box {
  type: string;
  /** Payload start and end in the buffer. */
  start: number;
  end: number;
}

/**
 * MP4/MOV: ffprobe's answer from the moov box (sample tables, sample entries, the H.264 SPS).
 * Undefined for what it does not read exactly: fragmented files, tracks other than one H.264
 * video and AAC-LC audio, rotation, edit lists with gaps, variable frame timing.
 */
export async function readMp4(source: ByteSource): Promise<ContainerFacts | undefined> {
  const top: { type: string; offset: number; size: number; headerSize: number }[] = [];
  for (let offset = 0; offset + 8 <= source.size && top.length < 10_000;) {
    const atom = readAtomHeader(await source.read(offset, 16), 0);
    if (!atom) throw new ContainerReadError(`MP4 box header at byte ${offset} is invalid`);
    const size = Number.isFinite(atom.size) ? atom.size : source.size - offset;
    top.push({ type: atom.type, offset, size, headerSize: atom.headerSize });
    offset += size;
  }
  if (top[0]?.type !== 'ftyp') return undefined;
  if (top.some((b) => b.type === 'moof')) return undefined; // fragmented: samples are not in moov
  const moovBox = top.find((b) => b.type === 'moov');
  if (!moovBox) throw new ContainerReadError('MP4 has no moov box (the encode did not finish)');
  if (moovBox.offset + moovBox.size > source.size) throw new ContainerReadError('MP4 moov box is cut short');
  if (moovBox.size > MAX_MOOV) return undefined;
  const moov = await source.read(moovBox.offset, moovBox.size);
  const view = new DataView(moov.buffer, moov.byteOffset, moov.byteLength);
  const children = (parent: Box): Box[] => {
    const boxes: Box[] = [];
    for (let at = parent.start; at + 8 <= parent.end;) {
      if (view.getUint32(at + 4) === 0) break; // QuickTime's terminator box
      const atom = readAtomHeader(moov, at);
      const size = atom && Number.isFinite(atom.size) ? atom.size : parent.end - at;
      if (!atom || at + size > parent.end) throw new ContainerReadError(`MP4 box inside ${parent.type} is cut short`);
      boxes.push({ type: atom.type, start: at + atom.headerSize, end: at + size });
      at += size;
    }
    return boxes;
  };
  const child = (parent: Box | undefined, ...path: string[]): Box | undefined => {
    let box = parent;
    for (const type of path) box = box && children(box).find((b) => b.type === type);
    return box;
  };
  const root: Box = { type: 'moov', start: moovBox.headerSize, end: moovBox.size };
  const mvhd = child(root, 'mvhd');
  if (!mvhd) throw new ContainerReadError('MP4 has no mvhd box');
  const mvhdV1 = moov[mvhd.start] === 1;
  const movieScale = view.getUint32(mvhd.start + (mvhdV1 ? 20 : 12));
  const movieDuration = mvhdV1 ? Number(view.getBigUint64(mvhd.start + 24)) : view.getUint32(mvhd.start + 16);
  if (!movieScale || !movieDuration) return undefined;
  const udta = child(root, 'udta');
  if (udta && containsType(moov, udta, 'covr')) return undefined; // cover art: an attached picture stream

  const streams: ProbeStream[] = [];
  for (const trak of children(root).filter((b) => b.type === 'trak')) {
    const stream = readTrack(moov, view, trak, child, movieScale, source.size);
    if (!stream) return undefined;
    streams.push({ index: streams.length, ...stream });
  }
  const video = streams.filter((s) => s.codec_type === 'video');
  if (video.length !== 1) return undefined;
  return {
    json: movieFacts('mov,mp4,m4a,3gp,3g2,mj2', streams, source.size, Math.round((movieDuration * 1e6) / movieScale)),
    moovBeforeMdat: top.findIndex((b) => b.type === 'moov') < top.findIndex((b) => b.type === 'mdat') || !top.some((b) => b.type === 'mdat'),
  };
}

function containsType(bytes: Uint8Array, box: Box, type: string): boolean {
  const text = byteText(bytes.subarray(box.start, box.end));
  return text.includes(type);
}

type ChildFinder = (parent: Box | undefined, ...path: string[]) => Box | undefined;

/** One trak as ffprobe shows its stream; undefined when it is not an H.264 video or AAC-LC audio track read exactly. */
function readTrack(
  moov: Uint8Array,
  view: DataView,
  trak: Box,
  child: ChildFinder,
  movieScale: number,
  fileSize: number,
): Omit<ProbeStream, 'index'> | undefined {
  const tkhd = child(trak, 'tkhd');
  const mdhd = child(trak, 'mdia', 'mdhd');
  const hdlr = child(trak, 'mdia', 'hdlr');
  const stbl = child(trak, 'mdia', 'minf', 'stbl');
  if (!tkhd || !mdhd || !hdlr || !stbl) throw new ContainerReadError('MP4 track lacks tkhd, mdhd, hdlr or stbl');
  const handler = byteText(moov.subarray(hdlr.start + 8, hdlr.start + 12));
  if (handler !== 'vide' && handler !== 'soun') return undefined; // timecode, subtitles, data
  // Rotation (a display matrix other than identity) is read by ffprobe only.
  const matrixAt = tkhd.start + (moov[tkhd.start] === 1 ? 52 : 40);
  const identity = [0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000];
  if (identity.some((v, i) => view.getInt32(matrixAt + 4 * i) !== v)) return undefined;
  const mdhdV1 = moov[mdhd.start] === 1;
  const scale = view.getUint32(mdhd.start + (mdhdV1 ? 20 : 12));
  const mediaDuration = mdhdV1 ? Number(view.getBigUint64(mdhd.start + 24)) : view.getUint32(mdhd.start + 16);
  const packedLanguage = view.getUint16(mdhd.start + (mdhdV1 ? 32 : 20));
  // 0x7fff: no language (QuickTime); below 0x400: Macintosh language codes, ffprobe's to map.
  if (!scale || packedLanguage < 0x400) return undefined;
  const tags = packedLanguage === 0x7fff ? {} : { tags: { language: isoLanguage(packedLanguage) } };

  const samples = sampleTables(moov, view, stbl, child);
  if (samples.count === 0) throw new ContainerReadError('MP4 track holds no samples');
  if (samples.lastByte > fileSize) throw new ContainerReadError('MP4 samples run past the end of the file (truncated)');
  // One edit that starts the media at media_time, as ffmpeg's muxer writes them; anything else (gaps, several edits) is ffprobe's.
  const edits = editList(moov, view, child(trak, 'edts', 'elst'));
  if (edits === undefined || edits.length > 1 || (edits[0] && (edits[0].mediaTime < 0 || edits[0].rate !== 1))) return undefined;
  const edit = edits[0];
  const mediaTime = edit?.mediaTime ?? 0;
  const editEnd = edit && edit.duration > 0 ? Math.round((edit.duration * scale) / movieScale) : Number.POSITIVE_INFINITY;
  const duration = Math.min(mediaDuration, editEnd);
  const start = Math.max(handler === 'soun' ? 0 : Number.NEGATIVE_INFINITY, samples.firstPts - mediaTime);

  const stsd = child(stbl, 'stsd');
  if (!stsd || view.getUint32(stsd.start + 4) !== 1) return undefined; // one sample description
  const entryStart = stsd.start + 8;
  const entry: Box = {
    type: byteText(moov.subarray(entryStart + 4, entryStart + 8)),
    start: entryStart + 8,
    end: entryStart + view.getUint32(entryStart),
  };
  const timing = {
    nb_frames: String(samples.count),
    nb_read_packets: String(samples.count),
    duration: seconds(duration / scale),
    start_time: seconds(start / scale),
  };
  if (handler === 'soun') {
    const audio = readAudioEntry(moov, view, entry, child);
    return audio && { codec_type: 'audio', ...audio, ...timing, ...tags };
  }
  if (entry.type !== 'avc1' && entry.type !== 'avc3') return undefined;
  if (samples.deltas.size !== 1) return undefined; // variable frame timing: ffprobe's rate estimate
  const delta = [...samples.deltas][0]!;
  const inner: Box = { type: entry.type, start: entry.start + 78, end: entry.end };
  const avcC = child(inner, 'avcC');
  if (!avcC) throw new ContainerReadError('MP4 H.264 sample entry has no avcC box');
  const picture = h264PictureFacts(moov.subarray(avcC.start, avcC.end));
  if (!picture || !colrAgrees(moov, view, child(inner, 'colr'), picture)) return undefined;
  const pasp = child(inner, 'pasp');
  const { width, height, ...facts } = picture;
  const rate = ratio(scale, delta);
  return {
    codec_type: 'video',
    codec_name: 'h264',
    width: width ?? view.getUint16(entry.start + 24),
    height: height ?? view.getUint16(entry.start + 26),
    ...facts,
    ...(pasp ? { sample_aspect_ratio: ratio(view.getUint32(pasp.start), view.getUint32(pasp.start + 4), ':') } : {}),
    r_frame_rate: rate,
    avg_frame_rate: rate,
    ...timing,
    ...tags,
  };
}

/** ISO 639-2/T packed in mdhd. */
function isoLanguage(packed: number): string {
  return String.fromCharCode(((packed >> 10) & 0x1f) + 0x60, ((packed >> 5) & 0x1f) + 0x60, (packed & 0x1f) + 0x60);
}

interface SampleTables {
  count: number;
  /** Distinct stts sample durations. */
  deltas: Set<number>;
  /** The least presentation time (dts + composition offset) of any sample. */
  firstPts: number;
  /** End of the last sample's bytes in the file. */
  lastByte: number;
}

function sampleTables(moov: Uint8Array, view: DataView, stbl: Box, child: ChildFinder): SampleTables {
  const table = (type: string) => child(stbl, type);
  const stsz = table('stsz');
  const stts = table('stts');
  const stsc = table('stsc');
  const stco = table('stco') ?? table('co64');
  if (!stsz || !stts || !stsc || !stco) throw new ContainerReadError('MP4 sample tables are missing');
  const check = (box: Box, entries: number, entrySize: number, headerBytes = 8) => {
    if (box.start + headerBytes + entries * entrySize > box.end) throw new ContainerReadError(`MP4 ${box.type} box is cut short`);
  };
  const fixedSize = view.getUint32(stsz.start + 4);
  const count = view.getUint32(stsz.start + 8);
  if (fixedSize === 0) check(stsz, count, 4, 12);
  const sizeOf = (i: number) => (fixedSize !== 0 ? fixedSize : view.getUint32(stsz.start + 12 + 4 * i));

  const deltas = new Set<number>();
  const dts: number[] = [];
  const sttsCount = view.getUint32(stts.start + 4);
  check(stts, sttsCount, 8);
  for (let e = 0, t = 0; e < sttsCount; e++) {
    const n = view.getUint32(stts.start + 8 + 8 * e);
    const delta = view.getUint32(stts.start + 12 + 8 * e);
    if (n > 0) deltas.add(delta);
    for (let k = 0; k < n && dts.length < count; k++, t += delta) dts.push(t);
  }
  if (dts.length !== count) throw new ContainerReadError(`MP4 stts times ${dts.length} samples, stsz sizes ${count}`);
  let firstPts = count > 0 ? dts[0]! : 0;
  const ctts = table('ctts');
  if (ctts) {
    const entries = view.getUint32(ctts.start + 4);
    check(ctts, entries, 8);
    firstPts = Number.POSITIVE_INFINITY;
    for (let e = 0, i = 0; e < entries; e++) {
      const n = view.getUint32(ctts.start + 8 + 8 * e);
      const offset = view.getInt32(ctts.start + 12 + 8 * e);
      for (let k = 0; k < n && i < count; k++, i++) firstPts = Math.min(firstPts, dts[i]! + offset);
    }
  }

  const wide = stco.type === 'co64';
  const chunks = view.getUint32(stco.start + 4);
  check(stco, chunks, wide ? 8 : 4);
  const chunkOffset = (c: number) => (wide ? Number(view.getBigUint64(stco.start + 8 + 8 * c)) : view.getUint32(stco.start + 8 + 4 * c));
  const runs = view.getUint32(stsc.start + 4);
  check(stsc, runs, 12);
  let lastByte = 0;
  let sample = 0;
  for (let r = 0; r < runs; r++) {
    const first = view.getUint32(stsc.start + 8 + 12 * r) - 1;
    const perChunk = view.getUint32(stsc.start + 12 + 12 * r);
    const next = r + 1 < runs ? view.getUint32(stsc.start + 8 + 12 * (r + 1)) - 1 : chunks;
    for (let c = first; c < next && sample < count; c++) {
      let end = chunkOffset(c);
      for (let k = 0; k < perChunk && sample < count; k++) end += sizeOf(sample++);
      lastByte = Math.max(lastByte, end);
    }
  }
  if (sample !== count) throw new ContainerReadError(`MP4 chunks hold ${sample} of ${count} samples`);
  return { count, deltas, firstPts, lastByte };
}

function editList(moov: Uint8Array, view: DataView, elst: Box | undefined): { duration: number; mediaTime: number; rate: number }[] | undefined {
  if (!elst) return [];
  const v1 = moov[elst.start] === 1;
  const entries = view.getUint32(elst.start + 4);
  const size = v1 ? 20 : 12;
  if (elst.start + 8 + entries * size > elst.end) throw new ContainerReadError('MP4 elst box is cut short');
  return Array.from({ length: entries }, (_, e) => {
    const at = elst.start + 8 + e * size;
    return v1
      ? { duration: Number(view.getBigUint64(at)), mediaTime: Number(view.getBigInt64(at + 8)), rate: view.getInt16(at + 16) }
      : { duration: view.getUint32(at), mediaTime: view.getInt32(at + 4), rate: view.getInt16(at + 8) };
  });
}

/** An nclx colr box, when present, must say what the SPS says (ffprobe would mix the two otherwise). */
function colrAgrees(
  moov: Uint8Array,
  view: DataView,
  colr: Box | undefined,
  picture: { color_primaries?: string; color_transfer?: string; color_space?: string; color_range?: string },
): boolean {
  if (!colr) return true;
  const kind = byteText(moov.subarray(colr.start, colr.start + 4));
  if (kind !== 'nclx' && kind !== 'nclc') return false;
  const same =
    PRIMARIES[view.getUint16(colr.start + 4)] === picture.color_primaries &&
    TRANSFERS[view.getUint16(colr.start + 6)] === picture.color_transfer &&
    MATRICES[view.getUint16(colr.start + 8)] === picture.color_space;
  const full = kind === 'nclx' && (moov[colr.start + 10]! & 0x80) !== 0;
  return same && (kind === 'nclc' || (full ? 'pc' : 'tv') === picture.color_range);
}

const AAC_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];
const LAYOUTS: Record<number, string> = { 1: 'mono', 2: 'stereo' };

/** An mp4a sample entry with AAC-LC (esds): codec, channels, rate as ffprobe reports them. */
function readAudioEntry(moov: Uint8Array, view: DataView, entry: Box, child: ChildFinder): Omit<ProbeStream, 'index'> | undefined {
  // QuickTime sound description version 1 has 16 more bytes before its boxes; version 2 is not read.
  const version = view.getUint16(entry.start + 8);
  if (entry.type !== 'mp4a' || version > 1) return undefined;
  const inner: Box = { type: 'mp4a', start: entry.start + 28 + 16 * version, end: entry.end };
  const esds = child(inner, 'esds') ?? child(inner, 'wave', 'esds'); // QuickTime keeps it in a wave box
  if (!esds) return undefined;
  // ES_Descriptor (3) > DecoderConfigDescriptor (4) > DecoderSpecificInfo (5): the AudioSpecificConfig.
  let at = esds.start + 4;
  const descriptor = (tag: number): number | undefined => {
    if (moov[at] !== tag) return undefined;
    at++;
    let length = 0;
    for (let i = 0; i < 4; i++) {
      const byte = moov[at++]!;
      length = length * 128 + (byte & 0x7f);
      if (!(byte & 0x80)) break;
    }
    return length;
  };
  if (descriptor(3) === undefined) return undefined;
  const flags = moov[at + 2]!;
  at += 3 + (flags & 0x80 ? 2 : 0) + (flags & 0x40 ? 1 + moov[at + 3]! : 0) + (flags & 0x20 ? 2 : 0);
  if (descriptor(4) === undefined || moov[at] !== 0x40) return undefined; // MPEG-4 audio
  at += 13;
  if (descriptor(5) === undefined || at + 2 > esds.end) return undefined;
  const objectType = moov[at]! >> 3;
  const rateIndex = ((moov[at]! & 7) << 1) | (moov[at + 1]! >> 7);
  const channels = (moov[at + 1]! >> 3) & 0xf;
  const rate = AAC_RATES[rateIndex];
  if (objectType !== 2 || rate === undefined || !LAYOUTS[channels]) return undefined; // AAC-LC, mono or stereo
  return { codec_name: 'aac', channels, sample_rate: String(rate), channel_layout: LAYOUTS[channels] };
}
