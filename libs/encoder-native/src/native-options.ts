import type { InjectionToken } from 'tsyringe';
import type { Rational } from '@ftrack-encode/core';
import type { FindFfmpegOptions } from './find-ffmpeg.js';

export interface NativeEncoderOptions extends Omit<FindFfmpegOptions, 'env'> {
  /** Threads per encode when the plan says 0 (0 = ffmpeg decides). */
  threads?: number;
  /** A hardware encoder to use for H.264/HEVC outputs when capabilities() proved it (e.g. h264_nvenc). */
  hardware?: string;
  /** Rate of image sequences (they carry none): default 24. */
  sequenceFrameRate?: Rational;
  /** SIGTERM -> SIGKILL delay on cancel. */
  forceKillAfterMs?: number;
}

export const NATIVE_ENCODER_OPTIONS: InjectionToken<NativeEncoderOptions> = Symbol('NativeEncoderOptions');
