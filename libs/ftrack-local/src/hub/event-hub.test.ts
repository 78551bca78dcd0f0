// The event hub with the unmodified @ftrack/api EventHub (Node) and a raw
// socket.io 0.9 client speaking like the Python API.
import { Event, Session } from '@ftrack/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startFtrackLocal, type FtrackLocalServer } from '../index.js';

let server: FtrackLocalServer;

beforeAll(async () => {
  server = await startFtrackLocal({ seed: 'demo' });
});

const sessions: Session[] = [];

afterAll(async () => {
  // Hubs of one user share one cached socket in @ftrack/api: disconnect once, at the end.
  for (const session of sessions) (session.eventHub as unknown as { _socketIo?: { disconnect(): void } })._socketIo?.disconnect();
  await server.close();
});

async function connectedSession(): Promise<Session> {
  const session = new Session(server.url, server.user, server.apiKey, { autoConnectEventHub: true });
  sessions.push(session);
  await session.initializing;
  await waitFor(() => session.eventHub.isConnected());
  return session;
}

async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A socket.io 0.9 client that behaves like ftrack-python-api. */
async function pythonStyleSocket(): Promise<{ ws: WebSocket; frames: string[] }> {
  const handshake = await fetch(`${server.url}/socket.io/1/`, {
    headers: { 'ftrack-user': server.user, 'ftrack-api-key': server.apiKey, 'ftrack-strict-api': 'false' },
  });
  expect(handshake.status).toBe(200);
  const parts = (await handshake.text()).split(':');
  expect(parts.length).toBeGreaterThanOrEqual(4);
  expect(parts[3]!.split(',')).toContain('websocket');
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/socket.io/1/websocket/${parts[0]}`);
  const frames: string[] = [];
  ws.on('message', (data) => frames.push(data.toString()));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  await waitFor(() => frames.includes('1::'));
  return { ws, frames };
}

describe('event hub', () => {
  it('subscribes, publishes and replies between two @ftrack/api hubs', async () => {
    const a = await connectedSession();
    const b = await connectedSession();
    const received: unknown[] = [];
    b.eventHub.subscribe('topic=test.ping', (event: any) => {
      received.push(event);
      return { pong: event.data.n };
    });
    await new Promise((r) => setTimeout(r, 200)); // let the subscribe frame reach the server
    const reply = (await a.eventHub.publishAndWaitForReply(new Event('test.ping', { n: 7 }), { timeout: 10 })) as any;
    expect(reply.data).toEqual({ pong: 7 });
    expect(received).toHaveLength(1);
    expect(Object.keys(received[0] as object).sort()).toEqual(['data', 'id', 'inReplyToEvent', 'sent', 'source', 'target', 'topic']);
  });

  it('publishes ftrack.update after committed changes', async () => {
    const session = await connectedSession();
    {
      const updates: any[] = [];
      session.eventHub.subscribe('topic=ftrack.update', (event: any) => {
        updates.push(event);
      });
      await new Promise((r) => setTimeout(r, 200));
      await session.update('Task', [server.seed!.taskId], { description: 'from test' }, { pushToken: 'p-1' });
      await waitFor(() => updates.length > 0);
      const entity = updates[0].data.entities[0];
      expect(updates[0].data.pushToken).toBe('p-1');
      expect(updates[0].data.clientToken).toBe(session.clientToken);
      expect(entity).toMatchObject({ entityId: server.seed!.taskId, entity_type: 'Task', entityType: 'task', action: 'update' });
      expect(entity.keys).toContain('description');
      expect(entity.parents.map((p: any) => p.entity_type)).toEqual(['Task', 'Shot', 'Sequence', 'Project']);

      // A custom attribute value change is reported on the entity that owns it, by key.
      updates.length = 0;
      const fps = (await session.query('select id from CustomAttributeConfiguration where key is "fps"')).data[0] as { id: string };
      await session.update('ContextCustomAttributeValue', [fps.id, server.seed!.shotId], { value: 30 });
      await waitFor(() => updates.length > 0);
      expect(updates[0].data.entities).toEqual([
        expect.objectContaining({
          entityId: server.seed!.shotId,
          entity_type: 'Shot',
          entityType: 'task',
          action: 'update',
          keys: ['fps'],
          changes: { fps: { old: null, new: 30 } },
        }),
      ]);
    }
  });

  it('acks Python packets with an args list and routes by wildcard and target', async () => {
    const { ws, frames } = await pythonStyleSocket();
    try {
      const subscribe = {
        name: 'ftrack.event',
        args: [
          {
            topic: 'ftrack.meta.subscribe',
            id: 's1',
            data: { subscriber: { id: 'py-sub', applicationId: 'py' }, subscription: 'topic=ftrack.test.* and data.x>=2' },
          },
        ],
      };
      ws.send(`5:1+::${JSON.stringify(subscribe)}`);
      await waitFor(() => frames.includes('6:::1+[{"success":true}]'));
      const publish = (id: string, x: number, target = '') =>
        ws.send(`5:::${JSON.stringify({ name: 'ftrack.event', args: [{ topic: 'ftrack.test.thing', id, data: { x }, target, extra: 1 }] })}`);
      publish('e-low', 1);
      publish('e-high', 3);
      publish('e-other-target', 3, 'id=someone-else');
      publish('e-my-target', 3, 'id=py-sub');
      await waitFor(() => frames.some((f) => f.includes('e-my-target')));
      const delivered = frames.filter((f) => f.startsWith('5:::')).map((f) => JSON.parse(f.slice(4)).args[0]);
      expect(delivered.map((e) => e.id)).toEqual(['e-high', 'e-my-target']);
      expect(Object.keys(delivered[0]).every((k) => ['topic', 'id', 'data', 'sent', 'source', 'target', 'inReplyToEvent'].includes(k))).toBe(true);
    } finally {
      ws.close();
    }
  });

  it('stamps source.user of ftrack.* events from the authenticated user, so a client cannot forge another', async () => {
    const { ws, frames } = await pythonStyleSocket();
    try {
      const subscribe = {
        name: 'ftrack.event',
        args: [
          {
            topic: 'ftrack.meta.subscribe',
            id: 's2',
            data: { subscriber: { id: 'py-forge' }, subscription: 'topic=ftrack.action.launch or topic=studio.note' },
          },
        ],
      };
      ws.send(`5:1+::${JSON.stringify(subscribe)}`);
      await waitFor(() => frames.includes('6:::1+[{"success":true}]'));
      const forged = { id: 'hub-x', applicationId: 'ftrack.client.web', user: { id: 'u-boss', username: 'boss' } };
      for (const [id, topic] of [
        ['e-forged', 'ftrack.action.launch'],
        ['e-own-topic', 'studio.note'],
      ]) {
        ws.send(`5:::${JSON.stringify({ name: 'ftrack.event', args: [{ topic, id, data: {}, source: forged }] })}`);
      }
      await waitFor(() => frames.some((f) => f.includes('e-own-topic')));
      const delivered = new Map(
        frames
          .filter((f) => f.startsWith('5:::'))
          .map((f) => JSON.parse(f.slice(4)).args[0])
          .map((e) => [e.id, e.source]),
      );
      expect(delivered.get('e-forged')).toMatchObject({ id: 'hub-x', applicationId: 'ftrack.client.web', user: { username: server.user } });
      expect(delivered.get('e-forged').user.id).not.toBe('u-boss');
      expect(delivered.get('e-own-topic')).toEqual(forged); // not an ftrack.* topic: routed as sent
    } finally {
      ws.close();
    }
  });

  it('refuses a handshake with a bad key and an upgrade with an unknown session id', async () => {
    const bad = await fetch(`${server.url}/socket.io/1/?api_user=${server.user}&api_key=nope`);
    expect(bad.status).toBe(401);
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/socket.io/1/websocket/not-a-session`);
    const outcome = await new Promise((resolve) => {
      ws.once('open', () => resolve('open'));
      ws.once('error', () => resolve('error'));
    });
    expect(outcome).toBe('error');
  });
});
