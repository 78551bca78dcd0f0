import { EncodeError, parseRational, rational, type AudioStreamInfo, type MediaInfo, type Rational } from '@ftrack-encode/core';

export { inputPathArg, probeArgs } from './probe-args.js';

/** The part of ffprobe's `-show_streams` JSON that parseProbe reads. */
export interface ProbeStream {
  index?: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  sample_aspect_ratio?: string;
  pix_fmt?: string;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  nb_frames?: string;
  nb_read_packets?: string;
  nb_read_frames?: string;
  duration?: string;
  bit_rate?: string;
  color_primaries?: string;
  color_transfer?: string;
  color_space?: string;
  color_range?: string;
  channels?: number;
  sample_rate?: string;
  tags?: Record<string, string>;
  disposition?: Record<string, number>;
  start_time?: string;
  field_order?: string;
  channel_layout?: string;
  side_data_list?: { side_data_type?: string; rotation?: number }[];
}

/** ffprobe's `-show_format -show_streams` JSON (what parseProbe reads); the container readers write the same. */
export interface ProbeJson {
  streams?: ProbeStream[];
  format?: { format_name?: string; duration?: string; bit_rate?: string; nb_streams?: number; start_time?: string; tags?: Record<string, string> };
}

/** Formats that hold exactly one picture. */
const STILL_FORMATS =
  /(^|,)(png_pipe|jpeg_pipe|exr_pipe|dpx_pipe|tiff_pipe|webp_pipe|bmp_pipe|psd_pipe|sgi_pipe|pam_pipe|ppm_pipe|pgm_pipe|j2k_pipe|jpegls_pipe|qoi_pipe|gif_pipe|svg_pipe|image2)($|,)/;

function positiveRate(text: string | undefined): Rational | undefined {
  if (!text || text === 'N/A') return undefined;
  try {
    const r = parseRational(text);
    return r.num > 0 && r.den > 0 ? r : undefined;
  } catch {
    return undefined;
  }
}

function count(text: string | undefined): number | undefined {
  if (text === undefined || text === 'N/A') return undefined;
  const n = Number(text);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

function seconds(text: string | undefined): number | undefined {
  if (text === undefined || text === 'N/A') return undefined;
  const n = Number(text);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

function sar(text: string | undefined): Rational {
  const match = text ? /^(\d+):(\d+)$/.exec(text) : null;
  if (!match || Number(match[1]) === 0 || Number(match[2]) === 0) return rational(1, 1);
  return rational(Number(match[1]), Number(match[2]));
}

function colorValue(value: string | undefined): string | undefined {
  return value && value !== 'unknown' && value !== 'reserved' ? value : undefined;
}

/**
 * ffprobe JSON (from probeArgs) -> MediaInfo. Throws E_SOURCE_UNREADABLE when there is no
 * decodable video stream, or the packets readable are fewer than the header declares (truncated file).
 */
/**
 * ffmpeg reads any text file as "ANSI art" (tty demuxer, 640x400 video), so a .txt or .csv
 * probes as a movie. Those codecs are never production media.
 */
const TEXT_AS_VIDEO_CODECS = new Set(['ansi', 'bintext', 'xbin', 'idf']);

export function parseProbe(json: unknown, options: { path: string; firstFrame?: number }): MediaInfo {
  const data = (json ?? {}) as ProbeJson;
  const streams = data.streams ?? [];
  const video = streams.find((s) => s.codec_type === 'video' && !s.disposition?.['attached_pic']);
  if (!video || !video.width || !video.height) {
    throw new EncodeError('E_SOURCE_UNREADABLE', `${options.path} has no video stream ffmpeg can read.`, {
      hint: 'Point at a movie file, an image, or an image sequence pattern.',
      details: { path: options.path, format: data.format?.format_name },
    });
  }
  const format = data.format?.format_name ?? 'unknown';
  if (TEXT_AS_VIDEO_CODECS.has(video.codec_name ?? '') || /(^|,)tty(,|$)/.test(format)) {
    throw new EncodeError(
      'E_SOURCE_UNREADABLE',
      `${options.path} is a text file (ffmpeg reads it as ${video.codec_name ?? 'text'} art), not a movie or an image.`,
      {
        hint: 'Point at a movie file, an image, or an image sequence pattern.',
        details: { path: options.path, format, codec: video.codec_name },
      },
    );
  }
  const read = count(video.nb_read_packets) ?? count(video.nb_read_frames);
  const declared = count(video.nb_frames);
  if (read !== undefined && declared !== undefined && declared > 0 && read < declared) {
    throw new EncodeError('E_SOURCE_UNREADABLE', `${options.path} is truncated: its header declares ${declared} frames but only ${read} can be read.`, {
      hint: 'Copy or render the file again; it was cut short.',
      details: { path: options.path, declared, read },
    });
  }
  const frameCount = read ?? declared ?? 1;
  if (frameCount < 1) {
    throw new EncodeError('E_SOURCE_UNREADABLE', `${options.path} has a video stream with no frames.`, { details: { path: options.path } });
  }
  const isStill = STILL_FORMATS.test(format) && frameCount === 1;
  const videoDuration = seconds(video.duration);
  const timing = nominalRate(video, frameCount, videoDuration);
  const frameRate = timing.rate;
  const duration = seconds(data.format?.duration) ?? videoDuration ?? (isStill ? 0 : (frameCount * frameRate.den) / frameRate.num);
  const formatStart = seconds(data.format?.start_time) ?? 0;
  const audio: AudioStreamInfo[] = streams
    .filter((s) => s.codec_type === 'audio')
    .map((s) => ({
      index: s.index ?? 0,
      codec: s.codec_name ?? 'unknown',
      channels: s.channels ?? 0,
      sampleRate: Number(s.sample_rate ?? 0),
      ...(s.tags?.['language'] ? { language: s.tags['language'] } : {}),
      ...(seconds(s.start_time) === undefined ? {} : { start: seconds(s.start_time)! - formatStart }),
      ...(seconds(s.duration) === undefined ? {} : { duration: seconds(s.duration)! }),
      ...(s.channel_layout ? { layout: s.channel_layout } : {}),
    }));
  const rotation = rotationOf(video);
  const timecode = timecodeOf(streams, data.format?.tags);
  const videoStart = seconds(video.start_time);
  const color = {
    ...(colorValue(video.color_primaries) ? { primaries: colorValue(video.color_primaries) } : {}),
    ...(colorValue(video.color_transfer) ? { transfer: colorValue(video.color_transfer) } : {}),
    ...(colorValue(video.color_space) ? { space: colorValue(video.color_space) } : {}),
    ...(colorValue(video.color_range) ? { range: colorValue(video.color_range) } : {}),
  };
  const bitRate = count(data.format?.bit_rate) ?? count(video.bit_rate);
  return {
    format,
    width: video.width,
    height: video.height,
    pixelAspect: sar(video.sample_aspect_ratio),
    frameRate,
    frameCount: timing.frameCount,
    duration,
    ...(videoDuration === undefined ? {} : { videoDuration }),
    ...(videoStart === undefined ? {} : { videoStart: videoStart - formatStart }),
    ...(formatStart !== 0 ? { formatStart } : {}),
    ...(timing.variable ? { variableFrameRate: true } : {}),
    frameRateFrom: 'stream',
    ...(rotation ? { rotation } : {}),
    ...(timecode ? { timecode } : {}),
    ...(video.field_order && video.field_order !== 'unknown' ? { fieldOrder: video.field_order } : {}),
    codec: video.codec_name ?? 'unknown',
    pixelFormat: video.pix_fmt ?? 'unknown',
    color,
    audio,
    ...(bitRate === undefined ? {} : { bitRate }),
    firstFrame: options.firstFrame ?? 0,
    isStill,
  };
}

/** Rates a variable-rate stream is conformed to: the nearest of these to its average rate. */
const NOMINAL_RATES: Rational[] = [
  rational(24000, 1001),
  rational(24, 1),
  rational(25, 1),
  rational(30000, 1001),
  rational(30, 1),
  rational(48, 1),
  rational(50, 1),
  rational(60000, 1001),
  rational(60, 1),
];

/**
 * The stream's rate. ffprobe's r_frame_rate is the least rate that represents every timestamp: for
 * constant-rate video it is the rate; when it differs from the average by more than 1 % the stream
 * is variable-rate (e.g. 24 and 30 fps parts -> 120/1). Such a stream is conformed to the least
 * standard rate at or above its average, and its frame count becomes the conformed count (what the fps filter makes).
 */
function nominalRate(video: ProbeStream, frames: number, videoDuration: number | undefined): { rate: Rational; frameCount: number; variable: boolean } {
  const r = positiveRate(video.r_frame_rate);
  const avg = positiveRate(video.avg_frame_rate);
  if (!r || !avg || frames < 2 || videoDuration === undefined) return { rate: r ?? avg ?? rational(24, 1), frameCount: frames, variable: false };
  const rv = r.num / r.den;
  const av = avg.num / avg.den;
  if (Math.abs(rv - av) / av <= 0.01) return { rate: r, frameCount: frames, variable: false };
  // Interlaced H.264 often reports the field rate as r_frame_rate: that is not variable timing.
  if (video.field_order && /^(tt|bb|tb|bt)$/.test(video.field_order) && Math.abs(rv - 2 * av) / av <= 0.01)
    return { rate: avg, frameCount: frames, variable: false };
  // The least standard rate at or above the average: frames are mostly duplicated, seldom dropped.
  const nominal = NOMINAL_RATES.find((c) => c.num / c.den >= av * 0.99) ?? NOMINAL_RATES[NOMINAL_RATES.length - 1]!;
  return { rate: nominal, frameCount: Math.max(1, Math.round((videoDuration * nominal.num) / nominal.den)), variable: true };
}

/** Clockwise display rotation from the display matrix (or an old rotate tag): 0, 90, 180, 270. */
function rotationOf(video: ProbeStream): number | undefined {
  const matrix = video.side_data_list?.find((d) => d.side_data_type === 'Display Matrix' && typeof d.rotation === 'number');
  const raw = matrix?.rotation ?? (video.tags?.['rotate'] ? -Number(video.tags['rotate']) : undefined);
  if (raw === undefined || !Number.isFinite(raw)) return undefined;
  // ffprobe reports the matrix's rotation counter-clockwise.
  const clockwise = (((Math.round(-raw / 90) * 90) % 360) + 360) % 360;
  return clockwise === 0 ? undefined : clockwise;
}

const TIMECODE = /^\d{2}:\d{2}:\d{2}[:;.]\d{2,3}$/;

/** Start timecode: the video stream's tag, a tmcd (data) stream's, or the container's. */
function timecodeOf(streams: ProbeStream[], formatTags: Record<string, string> | undefined): string | undefined {
  const candidates = [
    ...streams.filter((s) => s.codec_type === 'video').map((s) => s.tags?.['timecode']),
    ...streams.filter((s) => s.codec_type === 'data').map((s) => s.tags?.['timecode']),
    formatTags?.['timecode'],
  ];
  return candidates.find((t): t is string => typeof t === 'string' && TIMECODE.test(t));
}
