import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, dirname, isAbsolute, join } from 'node:path';

export interface FfmpegPaths {
  ffmpeg: string;
  ffprobe: string;
}

export interface FindFfmpegOptions {
  /** Explicit ffmpeg binary (path or command name); wins over FFMPEG_PATH and PATH. */
  ffmpegPath?: string;
  /** Explicit ffprobe; default FFPROBE_PATH, else the ffprobe beside ffmpeg, else PATH. */
  ffprobePath?: string;
  env?: NodeJS.ProcessEnv;
}

export const INSTALL_HINT = 'apt-get install ffmpeg (Debian/Ubuntu), brew install ffmpeg, or set FFMPEG_PATH';

const EXE = process.platform === 'win32' ? '.exe' : '';

async function executable(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A path is taken as given; a bare command name is looked up in PATH. */
async function resolveCommand(command: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (isAbsolute(command) || command.includes('/') || command.includes('\\')) return (await executable(command)) ? command : undefined;
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const name of [command, `${command}${EXE}`]) {
      const candidate = join(dir, name);
      if (await executable(candidate)) return candidate;
    }
  }
  return undefined;
}

/** ffmpeg and ffprobe, or undefined when either is missing (used by `--backend auto`). */
export async function findFfmpeg(options: FindFfmpegOptions = {}): Promise<FfmpegPaths | undefined> {
  const env = options.env ?? process.env;
  const ffmpeg = await resolveCommand(options.ffmpegPath ?? env['FFMPEG_PATH'] ?? 'ffmpeg', env);
  if (!ffmpeg) return undefined;
  const explicitProbe = options.ffprobePath ?? env['FFPROBE_PATH'];
  const sibling = join(dirname(ffmpeg), `ffprobe${EXE}`);
  const ffprobe = explicitProbe ? await resolveCommand(explicitProbe, env) : (await executable(sibling)) ? sibling : await resolveCommand('ffprobe', env);
  return ffprobe ? { ffmpeg, ffprobe } : undefined;
}
