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
  check: 'codec' | 'frame-count' | 'dimensions' | 'even-dimensions' | 'pixel-format' | 'faststart' | 'duration' | 'decodes' | 'audio';
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
    if (info.pixelFormat !== spec.pixelFormat)
      failed.push({ check: 'pixel-format', message: `pixel format ${info.pixelFormat}, expected ${spec.pixelFormat}` });
    if ((spec.container === 'mp4' || spec.container === 'mov') && info.moovBeforeMdat === false) {
      failed.push({ check: 'faststart', message: 'moov atom is after mdat: the web player cannot start before the whole file loads' });
    }
    const expected = planned.frameCount / (planned.frameRate.num / planned.frameRate.den);
    // Container durations round to the timebase; allow one frame and a little.
    const tolerance = 1.5 / (planned.frameRate.num / planned.frameRate.den) + 0.05;
    // Per stream: the picture's own duration, never the container's (which longer audio stretches).
    const duration = info.videoDuration ?? info.duration;
    if (Number.isFinite(duration) && duration > 0 && Math.abs(duration - expected) > tolerance) {
      failed.push({ check: 'duration', message: `video duration ${duration.toFixed(3)} s, expected ${expected.toFixed(3)} s` });
    }
    if (planned.withAudio) {
      const audio = info.audio[0];
      if (!audio || info.audio.length !== 1) failed.push({ check: 'audio', message: `${info.audio.length} audio streams, expected 1` });
      else {
        if (audio.channels !== 2 || audio.sampleRate !== 48000)
          failed.push({ check: 'audio', message: `audio ${audio.channels} ch ${audio.sampleRate} Hz, expected stereo 48000 Hz` });
        // Encoder priming/padding adds a few ms; more than a frame and a bit means misaligned audio.
        if (audio.duration !== undefined && Math.abs(audio.duration - expected) > tolerance + 0.05) {
          failed.push({ check: 'audio', message: `audio lasts ${audio.duration.toFixed(3)} s, the picture ${expected.toFixed(3)} s` });
        }
      }
    } else if (info.audio.length > 0) failed.push({ check: 'audio', message: `${info.audio.length} audio streams, expected none` });
  } else if (info.frameCount < 1) {
    failed.push({ check: 'decodes', message: 'no image decoded' });
  }
  return failed;
}
