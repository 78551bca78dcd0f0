import type { GapPolicy, MediaSource } from '../domain/media-source.js';
import type { MediaInfo } from '../domain/media-info.js';

export interface LocateOptions {
  gapPolicy?: GapPolicy;
  /** Override the first/last frame of a sequence. */
  frameRange?: { first: number; last: number };
}

export interface MediaProbe {
  /**
   * Turn what a user typed (a path, or a sequence pattern with %04d / #### / @@@@ / #)
   * into a MediaSource. Throws E_SOURCE_NOT_FOUND, E_SEQUENCE_EMPTY, E_SEQUENCE_GAPS
   * (policy 'error' only), E_SOURCE_UNREADABLE.
   */
  locate(input: string, options?: LocateOptions): Promise<MediaSource>;
  /**
   * Read the media: E_SOURCE_UNREADABLE when it is not media ffmpeg can decode. With
   * `audioLevels`, a probe that can decode audio also marks silent tracks (AudioStreamInfo.silent).
   */
  probe(source: MediaSource, options?: { signal?: AbortSignal; audioLevels?: boolean }): Promise<MediaInfo>;
}
