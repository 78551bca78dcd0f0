import { EncodeError } from '@ftrack-encode/core';
import { INSTALL_HINT } from './find-ffmpeg.js';
import { ProgressParser, reportEnv, type FfmpegProgress, type ProgressParserOptions } from '@ftrack-encode/ffmpeg';

const STDERR_KEEP = 64 * 1024;

export interface RunFfmpegOptions {
  signal?: AbortSignal;
  progress?: ProgressParserOptions & { onProgress: (progress: FfmpegProgress) => void };
  forceKillAfterMs?: number;
  /** Write ffmpeg's report log (FFREPORT, verbose) here: its final statistics say what each output holds. */
  reportPath?: string;
}

/** Last lines of ffmpeg's stderr, for messages and details. */
export function tailLines(text: string, count: number): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trimEnd())
    .filter((l) => l.length > 0)
    .slice(-count);
}

/**
 * Run ffmpeg with an argv array (never a shell). Progress comes from `-progress pipe:1` on stdout;
 * stderr is kept (last 64 KB) for the error. Throws E_CANCELLED when the signal aborts it,
 * E_ENCODER_FAILED on a non-zero exit, E_ENCODER_MISSING when the binary cannot start.
 */
export async function runFfmpeg(binary: string, args: string[], options: RunFfmpegOptions = {}): Promise<void> {
  if (options.signal?.aborted) throw new EncodeError('E_CANCELLED', 'Cancelled before ffmpeg started.');
  const { execa } = await import('execa');
  let stderr = '';
  const subprocess = execa(binary, args, {
    stdin: 'ignore',
    buffer: false,
    reject: false,
    ...(options.signal ? { cancelSignal: options.signal } : {}),
    forceKillAfterDelay: options.forceKillAfterMs ?? 5000,
    ...(options.reportPath ? { env: { FFREPORT: reportEnv(options.reportPath) } } : {}),
  });
  subprocess.stderr?.setEncoding('utf8');
  subprocess.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEEP);
  });
  const progress = options.progress;
  if (progress) {
    const parser = new ProgressParser(progress);
    subprocess.stdout?.setEncoding('utf8');
    subprocess.stdout?.on('data', (chunk: string) => parser.push(chunk).forEach(progress.onProgress));
    subprocess.stdout?.on('end', () => parser.end().forEach(progress.onProgress));
  } else {
    subprocess.stdout?.resume();
  }
  const result = await subprocess;
  if (result.isCanceled || options.signal?.aborted) throw new EncodeError('E_CANCELLED', 'Cancelled; ffmpeg was stopped.');
  if (result.failed && result.exitCode === undefined && !result.signal && !result.timedOut) {
    // It never ran (ENOENT, EACCES): the binary is the problem, not the media.
    throw new EncodeError('E_ENCODER_MISSING', `Cannot start ${binary}: ${result.shortMessage}`, { hint: INSTALL_HINT });
  }
  if (result.failed) {
    const tail = tailLines(stderr, 20);
    const how = result.timedOut ? 'timed out' : result.signal ? `was killed by ${result.signal}` : `exited with ${result.exitCode}`;
    throw new EncodeError('E_ENCODER_FAILED', `ffmpeg ${how}: ${tail.slice(-3).join(' | ') || 'no error output'}`, {
      hint: 'The lines above come from ffmpeg; run with --dry-run to see the exact command.',
      details: { exitCode: result.exitCode ?? null, signal: result.signal ?? null, stderr: tail },
    });
  }
}
