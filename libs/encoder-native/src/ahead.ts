// Entry point `@ftrack-encode/encoder-native/ahead`: light on purpose (nothing from core, no tsyringe, no execa), so
// the CLI can import it before the rest of itself.
import { audioLevelArgs, LEVEL_WINDOW_SECONDS, probeArgs } from '@ftrack-encode/ffmpeg/source-probe';
import { runAhead } from './captured-run.js';
import { findFfmpeg, type FindFfmpegOptions } from './find-ffmpeg.js';

export { pendingAhead } from './captured-run.js';

/**
 * Start now what NativeMediaProbe.probe will run for a movie file (its ffprobe, and the level scan
 * of a first audio track that runs beside it), so both work while the caller is still loading.
 * The probe takes the runs over when its argv is the same (same binaries, same path), else they
 * are left unused and killed at exit.
 */
export async function probeFileAhead(path: string, options: FindFfmpegOptions = {}): Promise<void> {
  const found = await findFfmpeg(options);
  if (!found) return;
  runAhead(found.ffprobe, probeArgs(path));
  runAhead(found.ffmpeg, audioLevelArgs(path, 1, { seconds: LEVEL_WINDOW_SECONDS }));
}
