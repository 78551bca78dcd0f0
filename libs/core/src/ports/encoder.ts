import type { Codec } from '../domain/encode-profile.js';
import type { EncodePlan, ProducedFile } from '../domain/encode-plan.js';
import type { RunOptions } from './progress.js';
import type { SegmentStep } from '../domain/segments.js';

export interface EncoderCapabilities {
  /** Backend id: native, wasm, farm, ftrack ... */
  id: string;
  /** Version of the engine (ffmpeg version string, core package version). */
  version: string;
  /** Profile codecs this backend can encode. */
  codecs: Codec[];
  /** Codecs it cannot encode, with why (e.g. VP9 crashes in ffmpeg.wasm). */
  unsupported: { codec: Codec; reason: string }[];
  /** ffmpeg encoder names found (libx264, h264_nvenc, ...). */
  encoders: string[];
  /** Hardware encoders proven to work on this machine. */
  hardware: string[];
  /** Image sequences as input. */
  sequences: boolean;
  /** Largest input in bytes it can take (wasm memory), if limited. */
  maxInputBytes?: number;
  /** Preferred fallbacks for unsupported codecs (vp9 -> vp8 on wasm). */
  fallbacks?: Partial<Record<Codec, Codec>>;
  /** Audio codecs this backend must not use for stereo review audio, with the one to use instead (opus -> vorbis on wasm). */
  audioFallbacks?: Partial<Record<'aac' | 'opus' | 'vorbis', 'aac' | 'opus' | 'vorbis'>>;
  /**
   * Segment-parallel encoding (docs/segments.md): the encoder takes segment plans (`plan.range`) and
   * runs the audio and join steps (`runStep`); `workers` is how many segments it runs well at once.
   * `cores`: the segments run on this machine and share its cores, so each is given an equal share
   * of threads (without it, N encoders each sized for the whole machine oversubscribe it N times).
   */
  segments?: { workers: number; cores?: number };
}

/**
 * Turns a plan into files. Writes each planned output at its `tempPath`; the use case
 * validates and commits them. On cancel or failure it leaves no file behind.
 */
export interface Encoder {
  readonly id: string;
  capabilities(): Promise<EncoderCapabilities>;
  encode(plan: EncodePlan, options?: RunOptions): Promise<ProducedFile[]>;
  /** Exact command lines the plan would run (for --dry-run); empty when not applicable. */
  describe(plan: EncodePlan): Promise<string[][]>;
  /** With `capabilities().segments`: the audio pass or a join of a segment-parallel encode. On failure it leaves no file. */
  runStep?(step: SegmentStep, options?: RunOptions): Promise<void>;
  /** Exact command lines of a step (for --dry-run). */
  describeStep?(step: SegmentStep): Promise<string[][]>;
}
