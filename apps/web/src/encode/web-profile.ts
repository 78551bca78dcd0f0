// The profile the page encodes with: ftrack-review's H.264 MP4 and thumbnail (and its
// still-image outputs), taken from the built-in so both stay in step. Left out on
// purpose, for a browser tab on a laptop:
// - ftrackreview-webm: VP9 crashes ffmpeg.wasm; the VP8 fallback doubles the encode time
//   and the ftrack player plays the MP4 anyway;
// - ftrackreview-mp4-1080: a second full-size H.264 encode and its bytes held in memory.
// The preset is "veryfast": ffmpeg.wasm runs ~7x slower than native, so "medium" turns a
// one-minute clip into a coffee break; at CRF 18 the file is larger but looks the same.
import { BUILTIN_PROFILES, parseProfile, type EncodeProfile, type EncodeProfileInput } from '@ftrack-encode/core';

export const WEB_PROFILE_NAME = 'web-review';

type OutputInput = EncodeProfileInput['outputs'][number];

function builtinReview(): EncodeProfileInput {
  const review = BUILTIN_PROFILES.find((p) => p.name === 'ftrack-review');
  if (!review) throw new Error('The built-in ftrack-review profile is missing.');
  return review;
}

function pick(outputs: readonly OutputInput[], name: string): OutputInput {
  const output = outputs.find((o) => o.name === name);
  if (!output) throw new Error(`ftrack-review has no "${name}" output.`);
  return output;
}

export function webReviewProfile(): EncodeProfile {
  const review = builtinReview();
  const mp4 = pick(review.outputs, 'ftrackreview-mp4');
  return parseProfile(
    {
      name: WEB_PROFILE_NAME,
      description: 'ftrack-review for the browser: 720p H.264 MP4 (veryfast) and a thumbnail; stills as ftrackreview-image.',
      naming: review.naming,
      outputs: [{ ...mp4, preset: 'veryfast' }, pick(review.outputs, 'thumbnail')],
      ...(review.stillOutputs ? { stillOutputs: review.stillOutputs } : {}),
    },
    WEB_PROFILE_NAME,
  );
}
