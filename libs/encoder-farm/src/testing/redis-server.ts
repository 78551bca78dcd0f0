// A real, throw-away redis-server for tests and benchmarks: loopback, a free port picked with
// net.listen(0), no persistence except an explicit `SHUTDOWN SAVE` on restart, noeviction.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RedisServer {
  url: string;
  port: number;
  /** Save the dataset, stop, and start again on the same port (a planned Redis restart). */
  restart(options?: { downMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Send one inline command and read the first reply line (no client library needed). */
function command(port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let data = '';
    socket.once('error', reject);
    socket.on('data', (chunk) => {
      data += chunk.toString();
      if (data.includes('\r\n')) socket.end();
    });
    socket.on('close', () => resolve(data.trim()));
    socket.write(`${line}\r\n`);
  });
}

async function waitForPing(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reply = await command(port, 'PING').catch(() => '');
    if (reply === '+PONG') return;
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer PING`);
    await sleep(50);
  }
}

export async function startRedis(options: { extraArgs?: string[]; maxmemoryPolicy?: string } = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'fe-redis-'));
  let child: ChildProcess | undefined;

  const launch = async () => {
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxmemory-policy',
      options.maxmemoryPolicy ?? 'noeviction',
      ...(options.extraArgs ?? []),
    ];
    child = spawn('redis-server', args, { stdio: 'ignore' });
    const spawned = child;
    await new Promise<void>((resolve, reject) => {
      spawned.once('error', (error) => reject(new Error(`cannot start redis-server (apt-get install redis-server): ${error.message}`)));
      spawned.once('spawn', () => resolve());
    });
    await waitForPing(port);
  };

  const exited = (proc: ChildProcess | undefined) =>
    proc && proc.exitCode === null && proc.signalCode === null ? new Promise<void>((r) => proc.once('exit', () => r())) : Promise.resolve();

  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async restart({ downMs = 500 } = {}) {
      const old = child;
      const gone = exited(old);
      await command(port, 'SHUTDOWN SAVE').catch(() => '');
      await gone;
      await sleep(downMs);
      await launch();
    },
    async stop() {
      const proc = child;
      const gone = exited(proc);
      proc?.kill('SIGKILL');
      await gone;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
