import { spawn, type ChildProcess } from 'node:child_process';

/** What a short tool run (ffprobe, a level scan) printed and how it ended. */
export interface CapturedRun {
  stdout: string;
  stderr: string;
  /** The exit code; null when the process was killed or never started. */
  exitCode: number | null;
  /** Stopped by the caller's signal. */
  cancelled: boolean;
  /** Why it never started (ENOENT, EACCES). */
  startError?: string;
}

interface Started {
  child: ChildProcess;
  result: Promise<CapturedRun>;
}

/** Runs started ahead of need, by their argv; each is handed to the first runCaptured with that argv. */
const ahead = new Map<string, Started>();

const keyOf = (binary: string, args: readonly string[]) => JSON.stringify([binary, ...args]);

function start(binary: string, args: readonly string[]): Started {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
  const result = new Promise<CapturedRun>((resolve) => {
    let stdout = '';
    let stderr = '';
    let startError: string | undefined;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error) => (startError = error.message));
    child.on('close', (code) => resolve({ stdout, stderr, exitCode: code, cancelled: false, ...(startError ? { startError } : {}) }));
  });
  return { child, result };
}

/**
 * Start `binary args` now, for a caller that will ask for exactly this run later (the CLI starts
 * the source's ffprobe while it is still loading). A run nobody takes is killed when the process exits.
 */
export function runAhead(binary: string, args: readonly string[]): void {
  const key = keyOf(binary, args);
  if (ahead.has(key)) return;
  if (ahead.size === 0) process.once('exit', () => ahead.forEach((run) => run.child.kill()));
  ahead.set(key, start(binary, args));
}

/** How many runs started ahead are still waiting for their caller. */
export function pendingAhead(): number {
  return ahead.size;
}

/**
 * Run a tool to its end and capture its output (argv, never a shell): a run started ahead with the
 * same argv is taken over, else one starts now. Aborting `signal` kills it (`cancelled`).
 */
export async function runCaptured(binary: string, args: readonly string[], options: { signal?: AbortSignal } = {}): Promise<CapturedRun> {
  const key = keyOf(binary, args);
  const run = ahead.get(key) ?? start(binary, args);
  ahead.delete(key);
  const { signal } = options;
  const stop = () => run.child.kill();
  if (signal?.aborted) stop();
  signal?.addEventListener('abort', stop, { once: true });
  try {
    const result = await run.result;
    return signal?.aborted ? { ...result, cancelled: true } : result;
  } finally {
    signal?.removeEventListener('abort', stop);
  }
}
