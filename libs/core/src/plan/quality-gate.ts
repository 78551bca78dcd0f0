import type { PlannedOutput } from '../domain/encode-plan.js';
import type { FrameQuality } from '../ports/quality-meter.js';

/**
 * Frames the gate compares: `samples` spread evenly over the output, the first, the middle and
 * the last always among them (boundaries are where timing and colour slips show).
 */
export function qualitySampleFrames(frameCount: number, samples = 12): number[] {
  if (frameCount <= 0) return [];
  const last = frameCount - 1;
  const picks = new Set<number>([0, Math.floor(last / 2), last]);
  for (let i = 0; i < samples; i++) picks.add(Math.round((i * last) / Math.max(1, samples - 1)));
  return [...picks].sort((a, b) => a - b);
}

/** Least SSIM an output must reach: the profile's, else 0.95 for VP8/VP9 (their rate control swings more), 0.97 otherwise. */
export function minSsimFor(planned: PlannedOutput): number {
  if (planned.spec.kind !== 'video') return 0;
  return planned.spec.minSsim ?? (planned.spec.codec === 'vp9' || planned.spec.codec === 'vp8' ? 0.95 : 0.97);
}

export interface QualityVerdict {
  output: string;
  ssim: number;
  psnr: number;
  minSsim: number;
  minPsnr?: number;
  pass: boolean;
  /** Worst frames first (lowest SSIM). */
  worst: FrameQuality[];
  frames: number[];
}

/** Judge one output's sampled frames against its thresholds. */
export function judgeQuality(planned: PlannedOutput, scores: readonly FrameQuality[]): QualityVerdict {
  const minSsim = minSsimFor(planned);
  const minPsnr = planned.spec.kind === 'video' ? planned.spec.minPsnr : undefined;
  const worst = [...scores].sort((a, b) => a.ssim - b.ssim || a.psnr - b.psnr);
  const ssim = worst[0]?.ssim ?? 0;
  const psnr = Math.min(...scores.map((s) => s.psnr));
  const pass = scores.length > 0 && ssim >= minSsim && (minPsnr === undefined || psnr >= minPsnr);
  return {
    output: planned.name,
    ssim,
    psnr,
    minSsim,
    ...(minPsnr !== undefined ? { minPsnr } : {}),
    pass,
    worst: worst.slice(0, 3),
    frames: scores.map((s) => s.frame),
  };
}

/** Component metadata of a verdict (ftrack_encode.ssim, .psnr, .quality_frames). */
export function qualityNotes(verdict: QualityVerdict): Record<string, string> {
  return {
    ssim: verdict.ssim.toFixed(4),
    psnr: Number.isFinite(verdict.psnr) ? verdict.psnr.toFixed(2) : 'inf',
    quality_frames: verdict.frames.join(','),
  };
}
