import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { container } from 'tsyringe';
import { Session } from '@ftrack/api';
import { TOKENS, type Logger } from '@ftrack-encode/core';
import { startFtrackLocal, SERVER_LOCATION_ID } from '@ftrack-encode/ftrack-local';
import { FtrackConnection, FtrackEventPublisher, registerFtrack } from './index.js';

type Server = Awaited<ReturnType<typeof startFtrackLocal>>;

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug() {}, info() {}, error() {}, warn: (m: string) => void warnings.push(m) };
}

describe('FtrackEventPublisher', () => {
  let server: Server;
  beforeAll(async () => {
    server = await startFtrackLocal({ port: 0 });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('publishes ftrack.location.component-added through the event hub to a listening client', async () => {
    const listener = new Session(server.url, server.user, server.apiKey, { autoConnectEventHub: true });
    await listener.initializing;
    const received = new Promise<Record<string, unknown>>((resolve) => {
      listener.eventHub.subscribe('topic=ftrack.location.component-added', (event) => resolve(event.data as Record<string, unknown>));
    });
    const child = container.createChildContainer();
    const ftrack = registerFtrack(child, { serverUrl: server.url, apiUser: server.user, apiKey: server.apiKey });
    const events = child.resolve(TOKENS.EventPublisher);
    // The listener's subscription must reach the hub first; publish until it arrives.
    let data: Record<string, unknown> | undefined;
    for (let i = 0; i < 50 && !data; i += 1) {
      await events.publish('ftrack.location.component-added', { component_id: 'c-1', location_id: SERVER_LOCATION_ID });
      data = await Promise.race([received, new Promise<undefined>((r) => setTimeout(r, 100))]);
    }
    expect(data).toEqual({ component_id: 'c-1', location_id: SERVER_LOCATION_ID });
    listener.eventHub.disconnect();
    await ftrack.close();
  });

  it('never hangs a publish when the hub is unreachable: warns and returns', async () => {
    const other = await startFtrackLocal({ port: 0 });
    const connection = new FtrackConnection({ serverUrl: other.url, apiUser: other.user, apiKey: other.apiKey });
    await connection.session();
    await other.close(); // API session is open, the hub is gone
    const logger = recordingLogger();
    const publisher = new FtrackEventPublisher(connection, logger, { timeoutMs: 300 });
    await publisher.publish('ftrack-encode.publish.completed', { version_id: 'v-1' });
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toContain('ftrack-encode.publish.completed');
    expect(logger.warnings[0]).not.toContain(other.apiKey);
    await connection.close();
  });
});
