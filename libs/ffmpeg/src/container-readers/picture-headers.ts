import { BitReader, unescapeRbsp } from './bit-reader.js';
import { ContainerReadError } from './byte-source.js';
import { ratio } from './probe-fields.js';

/** What ffprobe learns about a picture by starting its decoder, read from the codec's own headers. */
export interface PictureFacts {
  pix_fmt: string;
  /** The decoded (cropped) size, when the header says it. */
  width?: number;
  height?: number;
  field_order?: string;
  sample_aspect_ratio?: string;
  color_range?: string;
  color_space?: string;
  color_transfer?: string;
  color_primaries?: string;
}

/** ffmpeg's names of the ISO/IEC 23091-2 (H.273) code points; a code not listed is not read. */
export const PRIMARIES: Record<number, string> = {
  1: 'bt709',
  2: 'unknown',
  4: 'bt470m',
  5: 'bt470bg',
  6: 'smpte170m',
  7: 'smpte240m',
  8: 'film',
  9: 'bt2020',
  10: 'smpte428',
  11: 'smpte431',
  12: 'smpte432',
  22: 'ebu3213',
};
export const TRANSFERS: Record<number, string> = {
  1: 'bt709',
  2: 'unknown',
  4: 'gamma22',
  5: 'gamma28',
  6: 'smpte170m',
  7: 'smpte240m',
  8: 'linear',
  9: 'log100',
  10: 'log316',
  11: 'iec61966-2-4',
  12: 'bt1361e',
  13: 'iec61966-2-1',
  14: 'bt2020-10',
  15: 'bt2020-12',
  16: 'smpte2084',
  17: 'smpte428',
  18: 'arib-std-b67',
};
export const MATRICES: Record<number, string> = {
  0: 'gbr',
  1: 'bt709',
  2: 'unknown',
  4: 'fcc',
  5: 'bt470bg',
  6: 'smpte170m',
  7: 'smpte240m',
  8: 'ycgco',
  9: 'bt2020nc',
  10: 'bt2020c',
  14: 'ictcp',
};

const SAR_TABLE: [number, number][] = [
  [0, 1],
  [1, 1],
  [12, 11],
  [10, 11],
  [16, 11],
  [40, 33],
  [24, 11],
  [20, 11],
  [32, 11],
  [80, 33],
  [18, 11],
  [15, 11],
  [64, 33],
  [160, 99],
  [4, 3],
  [3, 2],
  [2, 1],
];

/** H.264 profiles whose SPS carries chroma format and bit depth. */
const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/**
 * The first SPS of an avcC box (ISO/IEC 14496-15): pixel format, colour, SAR and field order as
 * ffmpeg's decoder reports them. Undefined for what it would not read exactly (interlaced coding,
 * no signal type, RGB, more than 10 bits).
 */
export function h264PictureFacts(avcC: Uint8Array): PictureFacts | undefined {
  if (avcC.length < 8 || avcC[0] !== 1) throw new ContainerReadError('avcC box is not version 1');
  if ((avcC[5]! & 0x1f) < 1) throw new ContainerReadError('avcC box holds no SPS');
  const length = (avcC[6]! << 8) | avcC[7]!;
  if (8 + length > avcC.length || length < 2) throw new ContainerReadError('avcC SPS is cut short');
  const bits = new BitReader(unescapeRbsp(avcC.subarray(9, 8 + length))); // after the NAL header byte
  const profile = bits.u(8);
  bits.u(16); // constraint flags, reserved bits, level
  bits.ue(); // seq_parameter_set_id
  let chroma = 1;
  let depth = 8;
  if (HIGH_PROFILES.has(profile)) {
    chroma = bits.ue();
    if (chroma === 3 && bits.flag()) return undefined; // separate colour planes
    depth = bits.ue() + 8;
    if (bits.ue() + 8 !== depth) return undefined; // chroma depth differs
    bits.u(1); // qpprime_y_zero_transform_bypass
    if (bits.flag()) {
      for (let i = 0; i < (chroma === 3 ? 12 : 8); i++) if (bits.flag()) skipScalingList(bits, i < 6 ? 16 : 64);
    }
  }
  bits.ue(); // log2_max_frame_num_minus4
  const pocType = bits.ue();
  if (pocType === 0) bits.ue();
  else if (pocType === 1) {
    bits.u(1);
    bits.se();
    bits.se();
    for (let i = bits.ue(); i > 0; i--) bits.se();
  }
  bits.ue(); // max_num_ref_frames
  bits.u(1); // gaps_in_frame_num_value_allowed_flag
  const widthMbs = bits.ue() + 1;
  const heightMbs = bits.ue() + 1;
  if (!bits.flag()) return undefined; // field or MBAFF coding: only decoding says the field order
  bits.u(1); // direct_8x8_inference_flag
  const crop = bits.flag() ? [bits.ue(), bits.ue(), bits.ue(), bits.ue()] : [0, 0, 0, 0];
  const cropX = chroma === 3 ? 1 : 2;
  const cropY = chroma === 1 ? 2 : 1;
  const width = widthMbs * 16 - cropX * (crop[0]! + crop[1]!);
  const height = heightMbs * 16 - cropY * (crop[2]! + crop[3]!);
  if (!bits.flag()) return undefined; // no VUI: the range and colour are the container's
  let sar: [number, number] = [0, 1];
  if (bits.flag()) {
    const idc = bits.u(8);
    if (idc === 255) sar = [bits.u(16), bits.u(16)];
    else if (SAR_TABLE[idc]) sar = SAR_TABLE[idc]!;
    else return undefined;
  }
  if (bits.flag()) bits.u(1); // overscan
  if (!bits.flag()) return undefined; // no video signal type
  bits.u(3);
  const full = bits.flag();
  let primaries = 2;
  let transfer = 2;
  let matrix = 2;
  if (bits.flag()) {
    primaries = bits.u(8);
    transfer = bits.u(8);
    matrix = bits.u(8);
  }
  if (PRIMARIES[primaries] === undefined || TRANSFERS[transfer] === undefined || MATRICES[matrix] === undefined || matrix === 0) return undefined;
  const pixFmt = yuvFormat(chroma, depth, full);
  if (!pixFmt) return undefined;
  return {
    pix_fmt: pixFmt,
    width,
    height,
    field_order: 'progressive',
    ...(sar[0] > 0 && sar[1] > 0 ? { sample_aspect_ratio: ratio(sar[0], sar[1], ':') } : {}),
    color_range: full ? 'pc' : 'tv',
    color_space: MATRICES[matrix]!,
    color_transfer: TRANSFERS[transfer]!,
    color_primaries: PRIMARIES[primaries]!,
  };
}

function skipScalingList(bits: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size && next !== 0; j++) {
    next = (last + bits.se() + 256) % 256;
    last = next === 0 ? last : next;
  }
}

/** ffmpeg's H.264 pixel formats: 8-bit full range is a "j" format. */
function yuvFormat(chroma: number, depth: number, full: boolean): string | undefined {
  const base = ['gray', 'yuv420p', 'yuv422p', 'yuv444p'][chroma];
  if (!base || chroma === 0) return undefined;
  if (depth === 8) return full ? base.replace('yuv', 'yuvj') : base;
  return depth === 10 ? `${base}10le` : undefined;
}

/** libavcodec/vp9.c's colour spaces by the header's 3-bit code. */
const VP9_SPACES = ['unknown', 'bt470bg', 'bt709', 'smpte170m', 'smpte240m', 'bt2020nc'];

/**
 * The uncompressed header of a VP9 key frame (the first frame of a stream): pixel format, colour
 * space and range as ffmpeg's decoder reports them. Undefined for RGB or a first frame that is not
 * a key frame.
 */
export function vp9PictureFacts(frame: Uint8Array): PictureFacts | undefined {
  const bits = new BitReader(frame);
  if (bits.u(2) !== 2) throw new ContainerReadError('VP9 frame marker missing');
  const profile = bits.u(1) + 2 * bits.u(1);
  if (profile === 3) bits.u(1);
  if (bits.flag()) return undefined; // show_existing_frame
  if (bits.u(1) !== 0) return undefined; // not a key frame
  bits.u(2); // show_frame, error_resilient_mode
  if (bits.u(8) !== 0x49 || bits.u(8) !== 0x83 || bits.u(8) !== 0x42) throw new ContainerReadError('VP9 key frame sync code missing');
  const depth = profile >= 2 ? (bits.flag() ? 12 : 10) : 8;
  const space = bits.u(3);
  if (space >= VP9_SPACES.length) return undefined; // reserved or RGB
  const full = bits.flag();
  let subsampling = '420';
  if (profile === 1 || profile === 3) {
    const x = bits.u(1);
    const y = bits.u(1);
    subsampling = x && y ? '420' : x ? '422' : y ? '440' : '444';
    if (x && y) return undefined; // 4:2:0 is profile 0/2 only
    bits.u(1);
  }
  return {
    pix_fmt: `yuv${subsampling}p${depth === 8 ? '' : `${depth}le`}`,
    width: bits.u(16) + 1,
    height: bits.u(16) + 1,
    field_order: 'progressive',
    color_range: full ? 'pc' : 'tv',
    color_space: VP9_SPACES[space]!,
  };
}
