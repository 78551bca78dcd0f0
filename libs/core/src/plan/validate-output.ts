import type { PlannedOutput } from '../domain/encode-plan.js';
import type { MediaInfo } from '../domain/media-info.js';

/** ffprobe codec names per profile codec. */
const PROBED_CODEC: Record<string, string[]> = {
  h264: ['h264'],
  hevc: ['hevc'],
  vp9: ['vp9'],
  vp8: ['vp8'],
  av1: ['av1'],
  prores: ['prores'],
  dnxhr: ['dnxhd'],
  mjpeg: ['mjpeg'],
  png: ['png'],
};

export interface FailedCheck {
  check: 'codec' | 'frame-count' | 'dimensions' | 'even-dimensions' | 'pixel-format' | 'faststart' | 'duration' | 'decodes';
  message: string;
}

/** Every way a produced file can disagree with its plan. Empty list = valid. */
export function checkOutput(planned: PlannedOutput, info: MediaInfo): FailedCheck[] {
  const failed: FailedCheck[] = [];
  const spec = planned.spec;
  const codecs = PROBED_CODEC[spec.codec] ?? [spec.codec];
  if (!codecs.includes(info.codec)) failed.push({ check: 'codec', message: `codec is ${info.codec}, expected ${codecs.join('/')}` });
  if (info.width !== planned.width || info.height !== planned.height) {
    failed.push({ check: 'dimensions', message: `${info.width}x${info.height}, expected ${planned.width}x${planned.height}` });
  }
  if (spec.kind === 'video') {
    if (info.width % 2 !== 0 || info.height % 2 !== 0) failed.push({ check: 'even-dimensions', message: `${info.width}x${info.height} is not even` });
    if (info.frameCount !== planned.frameCount) {
      failed.push({ check: 'frame-count', message: `${info.frameCount} frames, expected ${planned.frameCount}` });
    }
    if (info.pixelFormat !== spec.pixelFormat) failed.push({ check: 'pixel-format', message: `pixel format ${info.pixelFormat}, expected ${spec.pixelFormat}` });
    if ((spec.container === 'mp4' || spec.container === 'mov') && info.moovBeforeMdat === false) {
      failed.push({ check: 'faststart', message: 'moov atom is after mdat: the web player cannot start before the whole file loads' });
    }
    const expected = planned.frameCount / (planned.frameRate.num / planned.frameRate.den);
    // Container durations round to the timebase; allow one frame and a little.
    const tolerance = 1.5 / (planned.frameRate.num / planned.frameRate.den) + 0.05;
    if (Number.isFinite(info.duration) && info.duration > 0 && Math.abs(info.duration - expected) > tolerance) {
      failed.push({ check: 'duration', message: `duration ${info.duration.toFixed(3)} s, expected ${expected.toFixed(3)} s` });
    }
  } else if (info.frameCount < 1) {
    failed.push({ check: 'decodes', message: 'no image decoded' });
  }
  return failed;
}
