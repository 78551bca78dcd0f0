// The built `ftrack-encode` CLI as a separate process: build once, run with an isolated
// environment (TMPDIR, XDG_DATA_HOME, ftrack credentials), capture stdout/stderr/exit code.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const cliPath = join(repoRoot, 'bin', 'ftrack-encode.mjs');

let built = false;

/** Bundle the apps once per test file (bin/ftrack-encode.mjs then runs dist/cli.mjs without rebuilding). */
export function buildCli(): void {
  if (built) return;
  execFileSync(process.execPath, [join(repoRoot, 'tools', 'build.mjs')], { cwd: repoRoot, stdio: 'pipe' });
  built = true;
}

export interface CliResult {
  /** Exit code; null when the process was killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Extra environment; `undefined` values remove a variable. */
  env?: Record<string, string | undefined>;
  cwd?: string;
}

/** Variables of the test runner's own environment that must not leak into the CLI under test. */
const ISOLATED = [
  'FTRACK_SERVER',
  'FTRACK_API_USER',
  'FTRACK_API_KEY',
  'FTRACK_ENCODE_CONFIG',
  'FFMPEG_PATH',
  'FFPROBE_PATH',
  'REDIS_URL',
  'XDG_DATA_HOME',
  'OCIO',
];

export function cliEnvironment(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ISOLATED) delete env[name];
  // Plain lines on stderr, never a terminal bar; never rebuild mid-test.
  Object.assign(env, { FTRACK_ENCODE_NO_BUILD: '1', NO_COLOR: '1' });
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

export interface RunningCli {
  child: ChildProcess;
  /** Everything written to stderr so far. */
  stderr(): string;
  result: Promise<CliResult>;
}

export function spawnCli(args: string[], options: CliOptions = {}): RunningCli {
  const child = spawn(process.execPath, [cliPath, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: cliEnvironment(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const result = new Promise<CliResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, stderr: () => stderr, result };
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return spawnCli(args, options).result;
}

/** The one JSON document `--json` prints on stdout. */
export function parseJson<T = Record<string, unknown>>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout.trim()) as T;
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${result.code}):\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
}

/** `--json` error object. */
export interface CliError {
  error: { code: string; message: string; hint?: string; details?: Record<string, unknown> };
}

/** A fresh directory for one test's TMPDIR / XDG_DATA_HOME / outputs. */
export function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `fe-e2e-${prefix}-`));
}

export function describeResult(result: CliResult): string {
  return `exit ${result.code}${result.signal ? ` (${result.signal})` : ''}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
}
