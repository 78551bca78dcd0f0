// Event hub: the socket.io 0.9 subset both ftrack clients speak (protocol §7).
// Handshake GET /socket.io/1/ -> "<sid>:15:25:websocket"; upgrade at
// /socket.io/1/websocket/<sid>; "1::" on open; "2::" heartbeats; events as
// 5:::{"name":"ftrack.event","args":[event]}; acks 6:::<n>+[{"success":true}].
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Authenticator } from '../http/auth.js';
import { header } from '../http/auth.js';
import { sendJson, sendText } from '../http/respond.js';
import type { ApiUser } from '../store/users.js';
import { stampSource } from './stamp-source.js';
import { matches, parseExpression, type Expression } from './expression.js';

export interface HubEvent {
  id?: string;
  topic: string;
  data?: unknown;
  source?: unknown;
  target?: string;
  inReplyToEvent?: string | null;
  sent?: unknown;
}

/** Python builds Event(**payload) and drops events with any other top-level key. */
const EVENT_KEYS = ['topic', 'id', 'data', 'sent', 'source', 'target', 'inReplyToEvent'] as const;

const HEARTBEAT_MS = 10_000;
const SESSION_TTL_MS = 60_000;

interface Subscriber {
  expression: Expression;
  metadata: Record<string, unknown>;
}

interface Connection {
  sid: string;
  ws: WebSocket;
  user: ApiUser;
  subscribers: Map<string, Subscriber>;
}

export class EventHub {
  private readonly pending = new Map<string, { user: ApiUser; expires: number }>();
  private readonly connections = new Map<string, Connection>();
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly auth: Authenticator,
    private readonly log: (line: string) => void,
  ) {
    this.heartbeat = setInterval(() => {
      for (const c of this.connections.values()) this.send(c, '2::');
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** GET /socket.io/1/ : authenticate (query or headers) and hand out a session id. */
  handshake(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const user =
      this.auth.verify(url.searchParams.get('api_user'), url.searchParams.get('api_key')) ??
      this.auth.verify(header(req, 'ftrack-user'), header(req, 'ftrack-api-key'));
    if (!user) {
      sendJson(res, 401, { exception: 'InvalidCredentialsError', content: 'The supplied API key is not valid.', error_code: null });
      return;
    }
    const now = Date.now();
    for (const [sid, session] of this.pending) if (session.expires < now) this.pending.delete(sid);
    const sid = randomBytes(12).toString('hex');
    this.pending.set(sid, { user, expires: now + SESSION_TTL_MS });
    sendText(res, 200, `${sid}:15:25:websocket`);
  }

  /** Upgrade at /socket.io/1/websocket/<sid>; returns false when the path is not the hub's. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(`http://local${req.url ?? '/'}`);
    const match = /^\/+socket\.io\/1\/websocket\/([^/]+)\/?$/.exec(url.pathname);
    if (!match) return false;
    const session = this.pending.get(match[1]!);
    if (!session || session.expires < Date.now()) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return true;
    }
    this.pending.delete(match[1]!);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.open(match[1]!, ws, session.user));
    return true;
  }

  /** Publish an event originating from the server (e.g. ftrack.update). */
  publish(event: HubEvent): void {
    this.route(this.clean(event));
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const c of this.connections.values()) c.ws.terminate();
    this.connections.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private open(sid: string, ws: WebSocket, user: ApiUser): void {
    const connection: Connection = { sid, ws, user, subscribers: new Map() };
    this.connections.set(sid, connection);
    ws.on('message', (data) => this.receive(connection, data.toString()));
    ws.on('close', () => this.connections.delete(sid));
    ws.on('error', () => this.connections.delete(sid));
    this.send(connection, '1::');
  }

  private receive(connection: Connection, packet: string): void {
    const type = packet[0];
    if (type === '2') return; // heartbeat reply ("2::" from JS, "2:::" from Python)
    if (type === '0') {
      connection.ws.close();
      return;
    }
    if (type !== '5') return;
    const match = /^5:(\d*)(\+?):[^:]*:([\s\S]*)$/.exec(packet);
    if (!match) return;
    const [, ackId, plus, payload] = match;
    let result = { success: true } as { success: boolean; message?: string };
    try {
      const parsed = JSON.parse(payload!) as { name?: string; args?: unknown[] };
      if (parsed.name === 'ftrack.event' && parsed.args && typeof parsed.args[0] === 'object' && parsed.args[0] !== null) {
        this.handleEvent(connection, parsed.args[0] as HubEvent);
      }
    } catch (error) {
      result = { success: false, message: (error as Error).message };
    }
    // Python's callback needs the args list; a bare "6:::<n>" kills its receive thread.
    if (ackId) this.send(connection, plus ? `6:::${ackId}+${JSON.stringify([result])}` : `6:::${ackId}`);
  }

  private handleEvent(connection: Connection, event: HubEvent): void {
    const data = (event.data ?? {}) as { subscriber?: Record<string, unknown>; subscription?: unknown };
    if (event.topic === 'ftrack.meta.subscribe') {
      const id = data.subscriber?.['id'];
      if (typeof id !== 'string') throw new Error('subscriber.id is required');
      const expression = parseExpression(typeof data.subscription === 'string' ? data.subscription : '');
      connection.subscribers.set(id, { expression, metadata: data.subscriber ?? {} });
      return;
    }
    if (event.topic === 'ftrack.meta.unsubscribe') {
      const id = data.subscriber?.['id'];
      if (typeof id === 'string') connection.subscribers.delete(id);
      return;
    }
    this.route(this.clean(stampSource(event, connection.user)));
  }

  private clean(event: HubEvent): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of EVENT_KEYS) if (key in event) out[key] = (event as unknown as Record<string, unknown>)[key];
    out['id'] ??= randomUUID();
    out['data'] ??= {};
    out['target'] ??= '';
    out['inReplyToEvent'] ??= null;
    out['sent'] ??= null;
    return out;
  }

  /** Once per connection that has a matching subscriber, the sender's own included. */
  private route(event: Record<string, unknown>): void {
    if (this.connections.size === 0) return; // nothing to serialise a large ftrack.update for
    let target: Expression | undefined;
    const targetText = typeof event['target'] === 'string' ? event['target'].trim() : '';
    if (targetText) {
      try {
        target = parseExpression(targetText);
      } catch {
        this.log(`event hub: ignoring event ${String(event['topic'])} with invalid target`);
        return;
      }
    }
    const packet = `5:::${JSON.stringify({ name: 'ftrack.event', args: [event] })}`;
    for (const connection of this.connections.values()) {
      const wanted = [...connection.subscribers.values()].some((s) => matches(s.expression, event) && (!target || matches(target, s.metadata)));
      if (wanted) this.send(connection, packet);
    }
  }

  private send(connection: Connection, packet: string): void {
    if (connection.ws.readyState === connection.ws.OPEN) connection.ws.send(packet);
  }
}
