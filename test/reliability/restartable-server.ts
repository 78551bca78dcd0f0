// An ftrack-local that can be restarted under a running CLI: the CLI talks to a TCP proxy that stays
// up; a restart cuts every open connection, closes the server, starts a new one on the same port and
// data directory, and only then lets the connections that arrived meanwhile through.
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startFtrackLocal, type DemoSeed, type FtrackLocalServer } from '@ftrack-encode/ftrack-local';

type SeededServer = FtrackLocalServer & { seed: DemoSeed };

async function startSeeded(dataDir: string, port: number): Promise<SeededServer> {
  const server = await startFtrackLocal({ port, dataDir, seed: 'demo' });
  if (!server.seed) throw new Error('ftrack-local started without its demo seed');
  return server as SeededServer;
}

export class RestartableServer {
  private readonly sockets = new Set<Socket>();
  private waiting: Socket[] | undefined;

  private constructor(
    private backend: SeededServer,
    private readonly proxy: Server,
    private readonly port: number,
  ) {}

  static async start(dataDir: string): Promise<RestartableServer> {
    const backend = await startSeeded(dataDir, 0);
    const port = Number(new URL(backend.url).port);
    let self: RestartableServer | undefined;
    const proxy = createServer((client) => self?.accept(client));
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    self = new RestartableServer(backend, proxy, port);
    return self;
  }

  /** The proxy's URL: what the CLI gets as FTRACK_SERVER. */
  get url(): string {
    return `http://127.0.0.1:${(this.proxy.address() as AddressInfo).port}`;
  }

  get server(): SeededServer {
    return this.backend;
  }

  /** The server as the CLI sees it (through the proxy). */
  get credentials(): { url: string; user: string; apiKey: string } {
    return { url: this.url, user: this.backend.user, apiKey: this.backend.apiKey };
  }

  private accept(client: Socket): void {
    if (this.waiting) {
      client.pause();
      this.waiting.push(client);
      return;
    }
    const upstream = connect(this.port, '127.0.0.1');
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
    client.resume();
  }

  /** Cut the connections, stop the server, start it again (same port, same data), let clients in. */
  async restart(): Promise<void> {
    this.waiting = [];
    for (const socket of this.sockets) socket.destroy();
    const old = this.backend;
    await old.close();
    old.faults.clear(); // releases calls an apiLatency rule still held (their clients are gone)
    this.backend = await startSeeded(old.dataDir, this.port);
    const queued = this.waiting;
    this.waiting = undefined;
    for (const client of queued) this.accept(client);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.proxy.close(() => resolve()));
    await this.backend.close();
  }
}
