import type { EncodePlan, PlannedOutput } from '../domain/encode-plan.js';
import type { MediaInfo } from '../domain/media-info.js';
import type { RunOptions } from './progress.js';

/** SSIM and PSNR of one sampled output frame against the source as it should look. */
export interface FrameQuality {
  /** 0-based frame of the output. */
  frame: number;
  ssim: number;
  psnr: number;
}

/** An encoded output to measure; its probed `info` (timing, container) lets the meter seek to the sampled frames. */
export interface MeasuredOutput {
  planned: PlannedOutput;
  path: string;
  info?: MediaInfo;
}

/**
 * The quality gate's measurement: one extra pass comparing each encoded video output with its
 * reference (the source through the same timing, display transform and scale) on `frames`.
 */
export interface QualityMeter {
  measure(plan: EncodePlan, outputs: MeasuredOutput[], frames: number[], options?: RunOptions): Promise<Map<string, FrameQuality[]>>;
}
