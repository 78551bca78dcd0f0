import type { Session } from '@ftrack/api';
import { createFtrackSession, type FtrackSession } from './create-ftrack-session.js';
import type { FtrackCredentials, FtrackSessionConfig } from './ftrack-config.js';
import { toFtrackError } from './ftrack-errors.js';

/**
 * The one Session of a publish, opened on first use and shared by the registry and the
 * event publisher of the same container. `close()` stops the event hub (its timers would
 * otherwise keep the process alive).
 */
export class FtrackConnection {
  private opening: Promise<FtrackSession> | undefined;

  constructor(private readonly config: FtrackSessionConfig) {}

  async open(): Promise<FtrackSession> {
    this.opening ??= createFtrackSession(this.config).catch((error: unknown) => {
      this.opening = undefined; // a later call may retry
      throw error;
    });
    return this.opening;
  }

  async session(): Promise<Session> {
    return (await this.open()).session;
  }

  async credentials(): Promise<FtrackCredentials> {
    return (await this.open()).credentials;
  }

  /** Runs a batch; any failure becomes an EncodeError without the key. */
  async call<T = unknown>(what: string, operations: Record<string, unknown>[]): Promise<T[]> {
    const { session, credentials } = await this.open();
    try {
      return (await session.call(operations as never)) as T[];
    } catch (error) {
      throw toFtrackError(error, what, credentials);
    }
  }

  async close(): Promise<void> {
    const opened = await this.opening?.catch(() => undefined);
    opened?.session.eventHub.disconnect();
    this.opening = undefined;
  }
}
