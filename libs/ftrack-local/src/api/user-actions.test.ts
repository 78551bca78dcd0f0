// Timers, reset_api_key, get_widget_url and invites as the clients call them,
// through the real @ftrack/api client over HTTP.
import { Session } from '@ftrack/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFtrackLocal, type FtrackLocalServer } from '../index.js';

let server: FtrackLocalServer;
let session: Session;
let userId: string;

const ref = (type: string, id: string) => ({ __entity_type__: type, id });

beforeAll(async () => {
  server = await startFtrackLocal({ seed: 'demo' });
  session = new Session(server.url, server.user, server.apiKey, { autoConnectEventHub: false });
  await session.initializing;
  userId = ((await session.query(`select id from User where username is "${server.user}"`)).data[0] as { id: string }).id;
});

afterAll(async () => {
  await server.close();
});

describe('user actions', () => {
  it('starts a timer with a server-filled start, allows one per user, and stops it into a timelog', async () => {
    const before = Date.now() - 1000;
    const timer = (await session.create('Timer', { user: ref('User', userId), context: ref('Task', server.seed!.taskId), comment: '' } as never)).data as {
      id: string;
    };
    const [stored] = (await session.query(`select start, user_id from Timer where id is ${timer.id}`, { decodeDatesAsIso: true })).data as {
      start: string;
      user_id: string;
    }[];
    expect(stored!.user_id).toBe(userId);
    expect(Date.parse(stored!.start)).toBeGreaterThanOrEqual(before);
    await expect(session.create('Timer', { user: ref('User', userId) } as never)).rejects.toMatchObject({
      name: 'ServerError',
      message: expect.stringContaining('IntegrityError'),
    });
    // Python's stop_timer: a Timelog from the timer, then the timer deleted.
    await session.call([
      {
        action: 'create',
        entity_type: 'Timelog',
        entity_data: { user_id: userId, context_id: server.seed!.taskId, comment: '', start: stored!.start, duration: 42 },
      },
      { action: 'delete', entity_type: 'Timer', entity_key: [timer.id] },
    ]);
    expect((await session.query(`select duration from Timelog where user_id is ${userId}`)).data).toEqual([expect.objectContaining({ duration: 42 })]);
    await session.create('Timer', { user: ref('User', userId) } as never);
  });

  it('reset_api_key returns a new key that works at once; the old one stops working', async () => {
    const own = await startFtrackLocal();
    try {
      const first = new Session(own.url, own.user, own.apiKey, { autoConnectEventHub: false });
      await first.initializing;
      const id = ((await first.query(`select id from User where username is "${own.user}"`)).data[0] as { id: string }).id;
      // Python: session.reset_remote('api_key', entity=user) sends the id as a string and reads data['api_key'].
      const [result] = (await first.call([{ action: 'reset_remote', reset_type: 'api_key', entity_type: 'User', entity_key: id }])) as [
        { data: { api_key: string } },
      ];
      const newKey = result.data.api_key;
      expect(newKey).toMatch(/^[A-Za-z0-9_-]{20,}$/);
      expect(newKey).not.toBe(own.apiKey);
      await expect(new Session(own.url, own.user, own.apiKey, { autoConnectEventHub: false }).initializing).rejects.toMatchObject({
        name: 'ServerError',
      });
      const second = new Session(own.url, own.user, newKey, { autoConnectEventHub: false });
      await second.initializing;

      // Any User can become an API user this way, and keeps its key across a restart.
      const bot = (await second.create('User', { username: 'render-bot' })).data as { id: string };
      const [botKey] = (await second.call([{ action: 'reset_remote', reset_type: 'api_key', entity_type: 'User', entity_key: [bot.id] }])) as [
        { data: { api_key: string } },
      ];
      const botSession = new Session(own.url, 'render-bot', botKey.data.api_key, { autoConnectEventHub: false });
      await botSession.initializing;
    } finally {
      await own.close();
    }
  });

  it('get_widget_url points at the local review page of the entity', async () => {
    const { versionId, shotId, projectId } = server.seed!;
    const [version, shot, none] = (await session.call([
      { action: 'get_widget_url', name: 'info', theme: 'dark', entity_type: 'AssetVersion', entity_key: [versionId] },
      { action: 'get_widget_url', name: 'info', entity_type: 'Shot', entity_key: [shotId] },
      { action: 'get_widget_url', name: 'tasks_browser' },
    ] as never)) as { widget_url: string }[];
    expect(version!.widget_url).toBe(`${server.url}/review/version/${versionId}`);
    expect(shot!.widget_url).toBe(`${server.url}/review/project/${projectId}`);
    expect(none!.widget_url).toBe(`${server.url}/`);
    const page = await fetch(version!.widget_url);
    expect(page.status).toBe(200);
    expect(await page.text()).not.toContain(server.apiKey);
  });

  it('accepts send_user_invite for an existing user', async () => {
    const [result] = (await session.call([{ action: 'send_user_invite', user_id: userId }] as never)) as [{ sent: boolean }];
    expect(result.sent).toBe(true);
    await expect(session.call([{ action: 'send_user_invite', user_id: crypto.randomUUID() }] as never)).rejects.toMatchObject({
      name: 'ServerValidationError',
    });
  });
});
