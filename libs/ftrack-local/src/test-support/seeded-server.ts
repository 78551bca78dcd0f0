// For this lib's tests: a demo-seeded server and a signed-in @ftrack/api Session per test file.
import { Session } from '@ftrack/api';
import { afterAll, beforeAll } from 'vitest';
import { startFtrackLocal, type FtrackLocalServer } from '../index.js';

export interface SeededServer {
  server: FtrackLocalServer;
  session: Session;
}

/** Starts before the file's tests, stops after them; read `server`/`session` inside tests. */
export function seededServer(): SeededServer {
  const local = {} as SeededServer;
  beforeAll(async () => {
    local.server = await startFtrackLocal({ seed: 'demo' });
    local.session = new Session(local.server.url, local.server.user, local.server.apiKey, { autoConnectEventHub: false });
    await local.session.initializing;
  });
  afterAll(async () => {
    await local.server?.close();
  });
  return local;
}
