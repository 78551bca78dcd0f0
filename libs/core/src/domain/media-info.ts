import type { Rational } from './rational.js';

export interface AudioStreamInfo {
  index: number;
  codec: string;
  channels: number;
  sampleRate: number;
  language?: string;
  /** Seconds from the container's zero (compare with MediaInfo.videoStart to align). */
  start?: number;
  /** Seconds of this stream alone. */
  duration?: number;
  /** Channel layout as ffprobe names it (mono, stereo, 5.1, ...). */
  layout?: string;
  /** Measured (probe with audioLevels): the loudest sample is below -80 dBFS. */
  silent?: boolean;
}

/** What an image file's own header says (EXR attributes, DPX film/TV header). */
export interface ImageHeaderInfo {
  /** DPX transfer characteristic. */
  transfer?: 'printing-density' | 'logarithmic' | 'linear' | 'bt709' | 'unspecified' | 'other';
  /** EXR framesPerSecond, DPX film/TV frame rate. */
  frameRate?: Rational;
  /** SMPTE timecode HH:MM:SS:FF (EXR timeCode, DPX TV header). */
  timecode?: string;
  /** EXR compression (zip, piz, dwaa, ...). */
  compression?: string;
  /** EXR deep data (deepscanline / deeptile): there is no flat picture to show. */
  deep?: boolean;
  /** EXR: number of parts (multi-part files) and channel layer names found. */
  parts?: number;
  layers?: string[];
  /** EXR data window and display window (xMin, yMin, xMax, yMax). */
  dataWindow?: [number, number, number, number];
  displayWindow?: [number, number, number, number];
}

export interface ColorInfo {
  primaries?: string;
  transfer?: string;
  space?: string;
  range?: string;
}

/** What a probe learned about a source or an output. */
export interface MediaInfo {
  /** Container/format name as ffprobe names it (mov,mp4,...; image2; png_pipe). */
  format: string;
  width: number;
  height: number;
  /** Sample (pixel) aspect ratio; 1/1 is square pixels. */
  pixelAspect: Rational;
  frameRate: Rational;
  /** Exact number of video frames (counted, not estimated). */
  frameCount: number;
  /** Seconds. */
  duration: number;
  codec: string;
  pixelFormat: string;
  color: ColorInfo;
  audio: AudioStreamInfo[];
  /** Bits per second, when known. */
  bitRate?: number;
  /** First frame number (sequences) — 0 for movies unless a timecode says otherwise. */
  firstFrame: number;
  /** For MP4/MOV: true when the moov atom precedes mdat (+faststart). */
  moovBeforeMdat?: boolean;
  /** True when the file has a single image (stills). */
  isStill: boolean;
  /** Display rotation in degrees clockwise (display matrix / rotate tag): 0, 90, 180 or 270. */
  rotation?: number;
  /** Start timecode (tmcd track, stream/format tag or image header), HH:MM:SS:FF or HH:MM:SS;FF. */
  timecode?: string;
  /** ffprobe field_order: progressive, tt, bb, tb, bt. */
  fieldOrder?: string;
  /** Seconds from the container's zero at which the video stream starts. */
  videoStart?: number;
  /**
   * The container's zero on its own clock (ffprobe's format start_time, e.g. -0.007 s before Opus
   * pre-skip): formatStart + videoStart is the first video timestamp, which the concat demuxer's
   * inpoints count in.
   */
  formatStart?: number;
  /** Seconds of the video stream alone (the container's duration may include longer audio). */
  videoDuration?: number;
  /** The stream's timestamps do not follow one constant rate (frameRate is then its nominal rate). */
  variableFrameRate?: boolean;
  /** Where frameRate came from. */
  frameRateFrom?: 'stream' | 'header' | 'flag' | 'config' | 'default';
  /** Image sequences and stills: what the image header says. */
  imageHeader?: ImageHeaderInfo;
}
