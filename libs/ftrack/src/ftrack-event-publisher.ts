import { Event } from '@ftrack/api';
import { silentLogger, type EventPublisher, type Logger } from '@ftrack-encode/core';
import type { FtrackConnection } from './ftrack-connection.js';
import { redactSecrets } from './ftrack-errors.js';

export interface FtrackEventPublisherOptions {
  /** Longest wait for the hub connection per event; then the event is dropped with a warning. */
  timeoutMs?: number;
  /** Disconnect after this long without a publish (the hub's timers would keep a CLI alive). */
  idleDisconnectMs?: number;
}

/**
 * Publishes through the session's event hub (socket.io 0.9 over `ws` via isomorphic-ws in Node).
 * Announcing is best effort: an unreachable hub costs at most `timeoutMs` and a warning, never
 * the publish — the registration is already committed when events go out.
 */
export class FtrackEventPublisher implements EventPublisher {
  private readonly timeoutMs: number;
  private readonly idleDisconnectMs: number;
  private idleTimer: NodeJS.Timeout | undefined;
  private connected = false;

  constructor(
    private readonly connection: FtrackConnection,
    private readonly logger: Logger = silentLogger,
    options: FtrackEventPublisherOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.idleDisconnectMs = options.idleDisconnectMs ?? 250;
  }

  async publish(topic: string, data: Record<string, unknown>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const session = await this.connection.session();
      const hub = session.eventHub;
      if (!this.connected) {
        hub.connect();
        this.connected = true;
      }
      clearTimeout(this.idleTimer);
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`event hub did not connect within ${this.timeoutMs} ms`)), this.timeoutMs);
      });
      // timeout 0: the hub's own timer is not cleared on success and would hold the process open.
      await Promise.race([hub.publish(new Event(topic, data), { timeout: 0 }), timeout]);
      this.scheduleDisconnect();
    } catch (error) {
      const reason = redactSecrets(error instanceof Error ? error.message : String(error));
      this.logger.warn(`Could not announce ${topic} on the ftrack event hub: ${reason}`, { topic });
      this.disconnect();
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stop the hub now (also called by FtrackConnection.close through the session). */
  disconnect(): void {
    clearTimeout(this.idleTimer);
    if (!this.connected) return;
    this.connected = false;
    void this.connection.session().then(
      (session) => session.eventHub.disconnect(),
      () => undefined,
    );
  }

  private scheduleDisconnect(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.disconnect(), this.idleDisconnectMs);
    this.idleTimer.unref();
  }
}
