import type { ColourSettings } from './colour.js';

/** How a run interprets its source: colour, sequence rate, audio tracks, EXR layer (config < flags). */
export interface SourceSettings extends ColourSettings {
  /** --fps: the rate of an image sequence for this run. */
  frameRate?: string;
  /** Config: rate of sequences whose header has none and no rule matches (default 24, with a warning). */
  defaultSequenceFrameRate?: string;
  /** --audio-tracks: 1-based audio streams to use (default: all, mixed). */
  audioTracks?: number[];
  /** --layer: EXR layer (or part) to read instead of the first part's RGBA. */
  layer?: string;
}
