import type { EncodeProfileInput } from '../domain/encode-profile.js';

/**
 * The built-in profiles. Every setting says why; a site overrides any of them by
 * giving a profile of the same name in its config.
 */
const reviewMp4 = {
  name: 'ftrackreview-mp4',
  kind: 'video',
  why: "ftrack's web player plays H.264 High yuv420p MP4; the 720p file is what every reviewer streams",
  codec: 'h264',
  container: 'mp4',
  // CRF 18: visually lossless for review of comp detail at 720p; the file stays small at this size.
  crf: 18,
  // medium: best size/quality trade-off per CPU second; "veryfast" bloats files by ~40 %.
  preset: 'medium',
  // Fit inside 1280x720, keep aspect, never upscale; even dimensions and square pixels (anamorphic is stretched).
  size: { maxWidth: 1280, maxHeight: 720, fit: 'within' },
  // A keyframe every 12 frames (~0.5 s) lets the player scrub frame-accurately without decoding long GOPs.
  keyframeInterval: 12,
  // yuv420p: the only chroma format every browser decodes in hardware.
  pixelFormat: 'yuv420p',
  // AAC in MP4 plays everywhere; only added when the source has audio.
  audio: { codec: 'aac', bitrate: '192k' },
  // bt709 tags so browsers do not guess BT.601 and shift colours.
  bt709: true,
} as const;

export const BUILTIN_PROFILES: EncodeProfileInput[] = [
  {
    name: 'ftrack-review',
    description: 'Review media for the ftrack web player: 720p H.264 MP4, 1080p variant for larger sources, VP9 WebM, thumbnail.',
    naming: '{source}_{output}.{ext}',
    outputs: [
      reviewMp4,
      {
        ...reviewMp4,
        name: 'ftrackreview-mp4-1080',
        why: 'ftrack 4.5+ offers a 1080p stream for sources larger than 720p',
        size: { maxWidth: 1920, maxHeight: 1080, fit: 'within' },
        onlyWhenLargerThan: { width: 1280, height: 720 },
      },
      {
        name: 'ftrackreview-webm',
        kind: 'video',
        why: 'WebM for players/browsers without H.264; VP9 at CRF 32 matches the MP4 visually at 720p',
        codec: 'vp9',
        container: 'webm',
        crf: 32,
        // realtime deadline with cpu-used 8: VP9 "good" is 10x slower for a review file nobody pixel-peeps.
        preset: 'realtime',
        size: { maxWidth: 1280, maxHeight: 720, fit: 'within' },
        keyframeInterval: 12,
        pixelFormat: 'yuv420p',
        audio: { codec: 'opus', bitrate: '128k' },
      },
      {
        name: 'thumbnail',
        kind: 'image',
        why: "the version's thumbnail in ftrack lists: JPEG of the middle frame, 640 px wide at most",
        codec: 'mjpeg',
        container: 'jpg',
        frame: 'middle',
        quality: 3,
        role: 'thumbnail',
        size: { maxWidth: 640, maxHeight: 360, fit: 'within' },
      },
    ],
    stillOutputs: [
      {
        name: 'ftrackreview-image',
        kind: 'image',
        why: 'a still is reviewed as an image; 1920 px keeps detail while loading fast',
        codec: 'mjpeg',
        container: 'jpg',
        frame: 'first',
        quality: 2,
        role: 'review-image',
        size: { maxWidth: 1920, maxHeight: 1080, fit: 'within' },
      },
      {
        name: 'thumbnail',
        kind: 'image',
        why: "the version's thumbnail",
        codec: 'mjpeg',
        container: 'jpg',
        frame: 'first',
        quality: 3,
        role: 'thumbnail',
        size: { maxWidth: 640, maxHeight: 360, fit: 'within' },
      },
    ],
  },
  {
    name: 'ftrack-server',
    description:
      "What ftrack's own encode_media makes (one 720p H.264 MP4 and a JPEG): the profile for --backend ftrack, and what ftrack-local's encode_media runs.",
    naming: '{source}_{output}.{ext}',
    outputs: [
      { ...reviewMp4, why: 'the single review movie encode_media produces', crf: 20, preset: 'veryfast' },
      {
        name: 'thumbnail',
        kind: 'image',
        why: 'encode_media also makes an image, which becomes the thumbnail',
        codec: 'mjpeg',
        container: 'jpg',
        frame: 'middle',
        quality: 3,
        role: 'thumbnail',
        size: { maxWidth: 640, maxHeight: 360, fit: 'within' },
      },
    ],
  },
  {
    name: 'proxy',
    description: 'Half-resolution H.264 proxy for editorial and playback on laptops.',
    naming: '{source}_proxy.{ext}',
    outputs: [
      {
        name: 'proxy',
        kind: 'video',
        why: 'half resolution keeps playback real-time on laptops; CRF 20 is plenty for editorial',
        codec: 'h264',
        container: 'mp4',
        crf: 20,
        preset: 'fast',
        size: { fit: 'scale', scale: 0.5 },
        // Editorial cuts anywhere: one-second GOP at 24 fps.
        keyframeInterval: 24,
        pixelFormat: 'yuv420p',
        audio: { codec: 'aac', bitrate: '192k' },
        bt709: true,
      },
    ],
  },
];
