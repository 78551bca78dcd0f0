// Errors in words a reviewer can act on. The technical message stays available as a
// detail line for whoever gets the screenshot; API keys never appear in either.
import { toEncodeError } from '@ftrack-encode/core';

export interface FriendlyError {
  title: string;
  advice: string;
  detail?: string;
}

export function friendlyError(error: unknown): FriendlyError {
  const e = toEncodeError(error);
  const detail = e.message;
  switch (e.code) {
    case 'E_SOURCE_UNREADABLE':
    case 'E_SOURCE_NOT_FOUND':
      return {
        title: 'This file is not a video or image ffmpeg can read.',
        advice: 'Pick a movie (for example .mov or .mp4) or an image (.jpg, .png, .exr…).',
        detail,
      };
    case 'E_INPUT_TOO_LARGE':
      return {
        title: 'This file is too large to encode in a browser tab.',
        advice: 'Ask your pipeline team to publish it with the ftrack-encode command line.',
        detail,
      };
    case 'E_UNSUPPORTED':
      return {
        title: 'This browser encoder cannot make the review files for this media.',
        advice: 'Publish it with the ftrack-encode command line instead.',
        detail,
      };
    case 'E_ENCODER_FAILED':
    case 'E_OUTPUT_INVALID':
      return {
        title: 'ffmpeg could not turn this file into review media.',
        advice: 'Try again; if it fails again, send the detail below to your pipeline team.',
        detail,
      };
    case 'E_FTRACK_AUTH':
      return { title: 'ftrack did not accept this user and API key.', advice: 'Check the API user and key (ftrack: My account → Security settings).' };
    case 'E_FTRACK_NOT_FOUND':
      return { title: 'ftrack could not find what you picked.', advice: 'Reload the lists and pick again; someone may have deleted it.', detail };
    case 'E_CANCELLED':
      return { title: 'Cancelled.', advice: 'Nothing was published.' };
    case 'E_FTRACK_FAILED':
      return { title: 'Could not reach ftrack.', advice: 'Check the server address and your connection, then try again.', detail };
    case 'E_STORAGE_FAILED':
      return { title: 'Publishing to ftrack failed.', advice: 'Try again. Nothing half-published is left on the version.', detail };
    default:
      return { title: 'Something went wrong.', advice: 'Try again; if it happens again, send the detail below to your pipeline team.', detail };
  }
}
