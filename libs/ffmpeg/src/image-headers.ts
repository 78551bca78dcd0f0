import { fromDecimal, rational, type ImageHeaderInfo, type Rational } from '@ftrack-encode/core';

/**
 * What ffprobe does not tell about production image files, read from their headers (pure: give it
 * the first bytes of the file). OpenEXR: compression, parts, layers, data/display window,
 * framesPerSecond, timeCode. DPX: transfer characteristic, film/TV frame rate, timecode.
 */
export function parseImageHeader(bytes: Uint8Array): ImageHeaderInfo | undefined {
  if (bytes.length >= 8 && bytes[0] === 0x76 && bytes[1] === 0x2f && bytes[2] === 0x31 && bytes[3] === 0x01) return parseExrHeader(bytes);
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (magic === 'SDPX' || magic === 'XPDS') return parseDpxHeader(bytes, magic === 'XPDS');
  return undefined;
}

const EXR_COMPRESSION = ['none', 'rle', 'zips', 'zip', 'piz', 'pxr24', 'b44', 'b44a', 'dwaa', 'dwab'];

/** SMPTE 12M packed BCD (EXR timeCode, DPX TV header) -> HH:MM:SS:FF (";" before frames when drop-frame). */
export function bcdTimecode(packed: number): string | undefined {
  const digit = (shift: number, mask: number) => (packed >>> shift) & mask;
  const ff = digit(4, 0x3) * 10 + digit(0, 0xf);
  const ss = digit(12, 0x7) * 10 + digit(8, 0xf);
  const mm = digit(20, 0x7) * 10 + digit(16, 0xf);
  const hh = digit(28, 0x3) * 10 + digit(24, 0xf);
  if (packed === 0xffffffff || ss > 59 || mm > 59 || hh > 23) return undefined;
  const drop = ((packed >>> 6) & 1) === 1;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(hh)}:${two(mm)}:${two(ss)}${drop ? ';' : ':'}${two(ff)}`;
}

function parseExrHeader(bytes: Uint8Array): ImageHeaderInfo | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const flags = view.getUint32(4, true);
  const multipart = (flags & 0x1000) !== 0;
  let pos = 8;
  const cString = (): string | undefined => {
    const end = bytes.indexOf(0, pos);
    if (end < 0) return undefined;
    const text = new TextDecoder().decode(bytes.subarray(pos, end));
    pos = end + 1;
    return text;
  };
  const info: ImageHeaderInfo = { parts: 0 };
  const layers = new Set<string>();
  for (;;) {
    // One header per part; each ends with an empty name, the list (multi-part) with one more.
    let any = false;
    for (;;) {
      if (pos >= bytes.length) return finish();
      const name = cString();
      if (name === undefined) return finish();
      if (name === '') break;
      const type = cString();
      if (type === undefined || pos + 4 > bytes.length) return finish();
      const size = view.getInt32(pos, true);
      pos += 4;
      const start = pos;
      if (start + size > bytes.length) return finish();
      any = true;
      if (info.parts === 0) readAttribute(name, type, start, size);
      if (type === 'chlist') readChannels(start, size);
      pos = start + size;
    }
    if (any) info.parts = (info.parts ?? 0) + 1;
    if (!multipart || bytes[pos] === 0 || pos >= bytes.length) break;
  }
  return finish();

  function finish(): ImageHeaderInfo {
    const names = [...layers];
    return { ...info, parts: Math.max(1, info.parts ?? 1), ...(names.length ? { layers: names } : {}) };
  }

  function readAttribute(name: string, type: string, start: number, size: number): void {
    if (name === 'compression' && type === 'compression' && size >= 1) info.compression = EXR_COMPRESSION[bytes[start]!] ?? `type ${bytes[start]}`;
    else if ((name === 'dataWindow' || name === 'displayWindow') && type === 'box2i' && size >= 16) {
      const box: [number, number, number, number] = [0, 4, 8, 12].map((o) => view.getInt32(start + o, true)) as [number, number, number, number];
      info[name] = box;
    } else if (name === 'framesPerSecond' && type === 'rational' && size >= 8) {
      const num = view.getInt32(start, true);
      const den = view.getUint32(start + 4, true);
      if (num > 0 && den > 0) info.frameRate = rational(num, den);
    } else if (name === 'type' && type === 'string' && /^deep/.test(new TextDecoder().decode(bytes.subarray(start, start + size)))) {
      info.deep = true;
    } else if (name === 'timeCode' && type === 'timecode' && size >= 8) {
      const tc = bcdTimecode(view.getUint32(start, true));
      if (tc) info.timecode = tc;
    }
  }

  function readChannels(start: number, size: number): void {
    let p = start;
    while (p < start + size && bytes[p] !== 0) {
      const end = bytes.indexOf(0, p);
      if (end < 0) return;
      const channel = new TextDecoder().decode(bytes.subarray(p, end));
      const dot = channel.lastIndexOf('.');
      if (dot > 0) layers.add(channel.slice(0, dot));
      p = end + 1 + 16;
    }
  }
}

const DPX_TRANSFER: Record<number, ImageHeaderInfo['transfer']> = {
  0: 'unspecified',
  1: 'printing-density',
  2: 'linear',
  3: 'logarithmic',
  4: 'unspecified',
  5: 'bt709',
  6: 'bt709',
};

function dpxRate(value: number): Rational | undefined {
  // Undefined DPX floats are all-ones (NaN); keep only plausible rates.
  return Number.isFinite(value) && value >= 1 && value <= 240 ? fromDecimal(Math.round(value * 1000) / 1000) : undefined;
}

function parseDpxHeader(bytes: Uint8Array, littleEndian: boolean): ImageHeaderInfo | undefined {
  if (bytes.length < 1408) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const info: ImageHeaderInfo = { transfer: DPX_TRANSFER[bytes[801]!] ?? 'other' };
  if (bytes.length >= 2048) {
    const rate = dpxRate(view.getFloat32(1940, littleEndian)) ?? dpxRate(view.getFloat32(1724, littleEndian));
    if (rate) info.frameRate = rate;
    const tc = bcdTimecode(view.getUint32(1920, littleEndian));
    if (tc && tc !== '00:00:00:00') info.timecode = tc;
  }
  return info;
}
