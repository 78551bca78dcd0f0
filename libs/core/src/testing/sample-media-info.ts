import { rational } from '../domain/rational.js';
import type { MediaInfo } from '../domain/media-info.js';

/** A probed 10 s 1080p 23.976 H.264 movie with stereo AAC, for argv and planning tests that run no ffmpeg. */
export function sampleMediaInfo(overrides: Partial<MediaInfo> = {}): MediaInfo {
  return {
    format: 'mov,mp4,m4a,3gp,3g2,mj2',
    width: 1920,
    height: 1080,
    pixelAspect: rational(1, 1),
    frameRate: rational(24000, 1001),
    frameCount: 240,
    duration: 10.01,
    codec: 'h264',
    pixelFormat: 'yuv420p',
    color: {},
    audio: [{ index: 1, codec: 'aac', channels: 2, sampleRate: 48000 }],
    firstFrame: 0,
    isStill: false,
    ...overrides,
  };
}
