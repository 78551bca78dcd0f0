// The encoder contract's profiles as plain data, free of vitest and Node APIs, so a browser
// bundle (the WasmBrowserEncoder contract page) can import them too.
import { parseProfile, type EncodeProfile } from '@ftrack-encode/core';

/** A tiny profile every backend can encode quickly: H.264 MP4 with AAC, and a JPEG thumbnail. */
export const CONTRACT_PROFILE: EncodeProfile = parseProfile(
  {
    name: 'contract',
    naming: '{source}_{output}.{ext}',
    outputs: [
      {
        name: 'review',
        kind: 'video',
        codec: 'h264',
        container: 'mp4',
        crf: 30,
        preset: 'ultrafast',
        keyframeInterval: 12,
        size: { maxWidth: 160, maxHeight: 90, fit: 'within' },
        // Fast and tiny on purpose: the quality gate's bar is lowered to match.
        minSsim: 0.9,
        audio: { codec: 'aac', bitrate: '64k' },
      },
      { name: 'thumbnail', kind: 'image', codec: 'mjpeg', container: 'jpg', frame: 'middle', size: { maxWidth: 80, maxHeight: 45, fit: 'within' } },
    ],
  },
  'contract',
);

/** Slow enough (veryslow, 640x360, 10 s) that a cancel lands mid-encode on any machine. */
export const CONTRACT_SLOW_PROFILE: EncodeProfile = parseProfile(
  {
    name: 'contract-slow',
    outputs: [
      {
        name: 'slow',
        kind: 'video',
        codec: 'h264',
        container: 'mp4',
        crf: 18,
        preset: 'veryslow',
        size: { maxWidth: 640, maxHeight: 360 },
        audio: { codec: 'none' },
      },
    ],
  },
  'contract-slow',
);
