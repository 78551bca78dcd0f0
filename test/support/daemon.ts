// ftrack-encode-daemon PROCESSES from the built bundle for farm end-to-end tests (started with
// their JSON log on stderr, ready once they log "daemon ready"), and what the tests do with them.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Progress } from '@ftrack-encode/core';
import type { FarmClient, JobSpecInput } from '@ftrack-encode/encoder-farm';
import { repoRoot } from './cli.js';

export { waitFor } from '@ftrack-encode/testing';

export interface DaemonProcess {
  name: string;
  child: ChildProcess;
  healthPort: number;
  /** Every JSON log line so far. */
  lines: Record<string, unknown>[];
}

export interface DaemonOptions {
  configPath: string;
  cwd: string;
  /** Added to this process's environment (REDIS_URL, FTRACK_*, timing knobs). */
  env: Record<string, string>;
}

/** A test daemon's environment: this Redis and ftrack, lock and stall timings short enough that a killed worker's job runs again within seconds. */
export function daemonEnv(redisUrl: string, ftrack: { url: string; user: string; apiKey: string }, retryDelayMs: number): Record<string, string> {
  return {
    REDIS_URL: redisUrl,
    FTRACK_SERVER: ftrack.url,
    FTRACK_API_USER: ftrack.user,
    FTRACK_API_KEY: ftrack.apiKey,
    FTRACK_ENCODE_LOCK_DURATION_MS: '2000',
    FTRACK_ENCODE_STALLED_INTERVAL_MS: '1000',
    FTRACK_ENCODE_RETRY_DELAY_MS: String(retryDelayMs),
  };
}

export async function startDaemon(name: string, options: DaemonOptions): Promise<DaemonProcess> {
  const child = spawn(
    process.execPath,
    [join(repoRoot, 'bin/ftrack-encode-daemon.mjs'), '--config', options.configPath, '--json', '--health-port', '0', '--concurrency', '1', '--name', name],
    { cwd: options.cwd, env: { ...process.env, FTRACK_ENCODE_NO_BUILD: '1', ...options.env }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const daemon: DaemonProcess = { name, child, healthPort: 0, lines: [] };
  let buffer = '';
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`daemon ${name} exited with ${code}: ${JSON.stringify(daemon.lines.slice(-3))}`)));
    child.stderr!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        try {
          const parsed = JSON.parse(line) as Record<string, unknown>;
          daemon.lines.push(parsed);
          if (parsed['msg'] === 'daemon ready') {
            daemon.healthPort = Number(parsed['healthPort']);
            resolve();
          }
        } catch {
          daemon.lines.push({ raw: line });
        }
      }
    });
  });
  return daemon;
}

export function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}

/** Run a farm job and cancel it at the first progress `when` accepts; resolves with what it failed with (undefined if it finished). */
export function runCancelledAt(client: FarmClient, spec: JobSpecInput, when: (p: Progress) => boolean): Promise<unknown> {
  const controller = new AbortController();
  return client.run(spec, { signal: controller.signal, onProgress: (p) => when(p) && controller.abort() }).then(
    () => undefined,
    (e: unknown) => e,
  );
}
