import { spawn } from 'node:child_process';
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

/** How one ffmpeg run ended. */
interface Ended {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Why it never started (ENOENT, EACCES). */
  startError?: string;
}

/**
 * Run ffmpeg with an argv array (never a shell). Progress comes from `-progress pipe:1` on stdout;
 * stderr is kept (last 64 KB) for the error. Throws E_CANCELLED when the signal aborts it (SIGTERM,
 * then SIGKILL after forceKillAfterMs), E_ENCODER_FAILED on a non-zero exit, E_ENCODER_MISSING
 * when the binary cannot start. Plain child_process: loading execa cost ~25 ms of CPU before
 * every encode, for nothing this needs.
 */
export async function runFfmpeg(binary: string, args: string[], options: RunFfmpegOptions = {}): Promise<void> {
  const { signal } = options;
  if (signal?.aborted) throw new EncodeError('E_CANCELLED', 'Cancelled before ffmpeg started.');
  let stderr = '';
  const child = spawn(binary, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    windowsHide: true,
    ...(options.reportPath ? { env: { ...process.env, FFREPORT: reportEnv(options.reportPath) } } : {}),
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEEP);
  });
  const progress = options.progress;
  if (progress) {
    const parser = new ProgressParser(progress);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => parser.push(chunk).forEach(progress.onProgress));
    child.stdout.on('end', () => parser.end().forEach(progress.onProgress));
  } else {
    child.stdout.resume();
  }
  let forceKill: NodeJS.Timeout | undefined;
  const stop = () => {
    child.kill('SIGTERM');
    forceKill = setTimeout(() => child.kill('SIGKILL'), options.forceKillAfterMs ?? 5000);
  };
  signal?.addEventListener('abort', stop, { once: true });
  const ended = await new Promise<Ended>((resolve) => {
    let startError: string | undefined;
    child.on('error', (error) => (startError = error.message));
    child.on('close', (exitCode, killedBy) => resolve({ exitCode, signal: killedBy, ...(startError ? { startError } : {}) }));
  });
  signal?.removeEventListener('abort', stop);
  clearTimeout(forceKill);
  if (signal?.aborted) throw new EncodeError('E_CANCELLED', 'Cancelled; ffmpeg was stopped.');
  if (ended.startError !== undefined) {
    // It never ran (ENOENT, EACCES): the binary is the problem, not the media.
    throw new EncodeError('E_ENCODER_MISSING', `Cannot start ${binary}: ${ended.startError}`, { hint: INSTALL_HINT });
  }
  if (ended.exitCode !== 0) {
    const tail = tailLines(stderr, 20);
    const how = ended.signal ? `was killed by ${ended.signal}` : `exited with ${ended.exitCode}`;
    throw new EncodeError('E_ENCODER_FAILED', `ffmpeg ${how}: ${tail.slice(-3).join(' | ') || 'no error output'}`, {
      hint: 'The lines above come from ffmpeg; run with --dry-run to see the exact command.',
      details: { exitCode: ended.exitCode, signal: ended.signal, stderr: tail },
    });
  }
}
