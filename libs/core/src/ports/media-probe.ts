import type { GapPolicy, MediaSource } from '../domain/media-source.js';
import type { MediaInfo } from '../domain/media-info.js';

export interface LocateOptions {
  gapPolicy?: GapPolicy;
  /** Override the first/last frame of a sequence. */
  frameRange?: { first: number; last: number };
}

export interface ProbeOptions {
  signal?: AbortSignal;
  /** A probe that can decode audio also marks silent tracks (AudioStreamInfo.silent). */
  audioLevels?: boolean;
  /**
   * false: the caller knows the frame count, so a probe that would read every packet to count them
   * may read the headers only (frameCount is then the container's own, or an estimate).
   */
  countFrames?: boolean;
  /**
   * The file is an encode's output read back to validate it: a probe may answer from the container's
   * headers (no process) where a reader is exact for it, and probe fully otherwise.
   */
  encodedOutput?: boolean;
}

export interface MediaProbe {
  /**
   * Turn what a user typed (a path, or a sequence pattern with %04d / #### / @@@@ / #)
   * into a MediaSource. Throws E_SOURCE_NOT_FOUND, E_SEQUENCE_EMPTY, E_SEQUENCE_GAPS
   * (policy 'error' only), E_SOURCE_UNREADABLE.
   */
  locate(input: string, options?: LocateOptions): Promise<MediaSource>;
  /**
   * Read the media: E_SOURCE_UNREADABLE when it is not media ffmpeg can decode.
   */
  probe(source: MediaSource, options?: ProbeOptions): Promise<MediaInfo>;
}
