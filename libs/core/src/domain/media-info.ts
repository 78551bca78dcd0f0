import type { Rational } from './rational.js';

export interface AudioStreamInfo {
  index: number;
  codec: string;
  channels: number;
  sampleRate: number;
  language?: string;
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
}
