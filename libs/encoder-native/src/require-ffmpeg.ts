import { EncodeError } from '@ftrack-encode/core';
import { findFfmpeg, INSTALL_HINT, type FfmpegPaths, type FindFfmpegOptions } from './find-ffmpeg.js';

/** Like findFfmpeg, but E_ENCODER_MISSING with the install hint when absent. */
export async function requireFfmpeg(options: FindFfmpegOptions = {}): Promise<FfmpegPaths> {
  const found = await findFfmpeg(options);
  if (found) return found;
  const env = options.env ?? process.env;
  const wanted = options.ffmpegPath ?? env['FFMPEG_PATH'];
  throw new EncodeError('E_ENCODER_MISSING', wanted ? `ffmpeg/ffprobe not found at ${wanted}.` : 'ffmpeg and ffprobe were not found on PATH.', {
    hint: INSTALL_HINT,
    details: { ffmpegPath: wanted ?? null },
  });
}
