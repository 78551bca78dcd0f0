import type { GapPolicy, MediaSource } from './media-source.js';
import type { MediaInfo } from './media-info.js';
import type { OutputSpec } from './encode-profile.js';
import type { Rational } from './rational.js';
import type { ColourPipeline } from './colour.js';
import type { ResolvedBurnins, ResolvedSlate } from './burnins.js';
import type { FrameRange } from './segments.js';

/** One output of a plan, with everything an encoder needs decided up front. */
export interface PlannedOutput {
  spec: OutputSpec;
  /** Component name (= spec.name). */
  name: string;
  /** Final path after validation. */
  path: string;
  /** Where the encoder writes; renamed to `path` only once validated. */
  tempPath: string;
  width: number;
  height: number;
  /** Video: the source rate, exactly. Images: the source rate too (for ftr_meta). */
  frameRate: Rational;
  /** Video: frames expected in the output (= source). Images: 1. */
  frameCount: number;
  /** Images: the 0-based source frame to grab. */
  frameIndex?: number;
  /** Whether the plan's audio (plan.audioTracks mixed to stereo 48 kHz) is encoded. */
  withAudio: boolean;
  /** Text drawn on this output, tokens filled (the encoder's graph draws it after scaling). */
  burnins?: ResolvedBurnins;
  /** Frames prepended before the picture (frameCount includes them). */
  slate?: ResolvedSlate;
  /** This output's own colour pipeline (its colour block over the profile's); absent: the plan's. */
  colour?: ColourPipeline;
  /**
   * Video outputs of a gated plan: where the encode also writes the quality gate's reference, the
   * sampled frames (plan.qualityFrames) of this output's own branch before its encoder, lossless.
   * The gate then decodes only these and the output, not the source again. Removed after the gate.
   */
  qualityReference?: string;
}

/** The colour pipeline an output's pictures go through: its own, else the plan's. */
export function outputColour(plan: Pick<EncodePlan, 'colour'>, planned: Pick<PlannedOutput, 'colour'>): ColourPipeline | undefined {
  return planned.colour ?? plan.colour;
}

export interface EncodePlan {
  /** Unique per plan; used in temp names. */
  id: string;
  profileName: string;
  /** Stable hash of the normalised profile (dedup key with the source checksum). */
  profileHash: string;
  source: MediaSource;
  info: MediaInfo;
  gapPolicy: GapPolicy;
  outputDir: string;
  outputs: PlannedOutput[];
  /** Outputs the profile declared but this source does not need (e.g. 1080 of a 720 source). */
  skipped: { name: string; reason: string }[];
  /** Threads per encode (0 = ffmpeg decides). */
  threads: number;
  /** How the picture is interpreted and transformed for display (absent: as decoded, BT.709 out); an output may have its own. */
  colour?: ColourPipeline;
  /** EXR layer to decode instead of the first part's RGBA (--layer). */
  layer?: string;
  /** Positions in info.audio of the tracks mixed into the outputs' stereo audio. */
  audioTracks?: number[];
  /** Picture frames the quality gate compares (0-based, slate excluded); set when the gate will run. */
  qualityFrames?: number[];
  /** What the plan had to assume or change (VFR conform, default rate, built-in colour): shown and recorded. */
  warnings?: string[];
  /**
   * A segment of a segment-parallel encode: only these source frames are decoded and encoded
   * (docs/segments.md). Burn-in frame numbers and timecode still count the source's frames.
   */
  range?: FrameRange;
}

/** What an Encoder hands back: one file per planned output, at its tempPath. */
export interface ProducedFile {
  name: string;
  path: string;
  /**
   * Frames in the file's video stream as the encoder counted them while writing (ffmpeg's packets
   * muxed), when it knows them exactly: validation then probes the headers only.
   */
  videoPackets?: number;
}

/** A validated, committed output. */
export interface EncodedOutput {
  name: string;
  path: string;
  spec: OutputSpec;
  info: MediaInfo;
  checksum: Checksum;
  size: number;
  /**
   * How the picture and timing were made, for the component's metadata: colour pipeline (input
   * space and why, display, view, OCIO config hash, LUT hash), frame-rate source, first frame,
   * timecode, VFR conform, audio tracks.
   */
  notes?: Record<string, string>;
  /** Slate frames before the first picture frame. */
  slateFrames?: number;
}

export type HashAlgorithm = 'sha256' | 'md5' | 'sha1';

export interface Checksum {
  algorithm: HashAlgorithm;
  hex: string;
}

export function formatChecksum(checksum: Checksum): string {
  return `${checksum.algorithm}:${checksum.hex}`;
}
