// `ftrack-encode doctor` on the built CLI: a healthy set-up passes, and each failing check is
// provoked for real — a missing binary, a wrong API key, a Redis that may evict, an unreadable
// OCIO config.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, describeResult, parseJson, runCli, tempDir } from './support/cli.js';
import { ftrackEnv, startLocal } from './support/ftrack.js';
import { startRedis, type RedisServer } from './support/redis.js';

interface Check {
  name: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  hint?: string;
}

describe('doctor', () => {
  let server: Awaited<ReturnType<typeof startLocal>>;
  let evicting: RedisServer;
  let healthy: RedisServer;
  let home: string;

  beforeAll(async () => {
    buildCli();
    home = await tempDir('doctor');
    server = await startLocal(join(home, 'ftrack'));
    [evicting, healthy] = await Promise.all([startRedis({ maxmemoryPolicy: 'allkeys-lru' }), startRedis()]);
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await evicting?.stop();
    await healthy?.stop();
  });

  async function doctor(env: Record<string, string | undefined>, args: string[] = []) {
    const result = await runCli(['doctor', '--json', ...args], { env: { XDG_DATA_HOME: join(home, 'xdg'), TMPDIR: home, ...env } });
    const { checks } = parseJson<{ checks: Check[] }>(result);
    const byName = (name: string) => checks.find((c) => c.name === name);
    return { result, checks, byName };
  }

  it('passes on a working set-up: ffmpeg, encoders, ftrack sign-in, a storage round trip, the event hub, the farm', async () => {
    const { result, checks, byName } = await doctor({ ...ftrackEnv(server), REDIS_URL: healthy.url });
    expect(result.code, describeResult(result)).toBe(0);
    expect(checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(byName('native: ffmpeg')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/ffmpeg .*\d/) });
    expect(byName('native: encoder libx264')?.status).toBe('ok');
    expect(byName('ftrack: server')).toMatchObject({ status: 'ok', detail: expect.stringContaining(server.url) });
    expect(byName('ftrack: storage ftrack.server')?.status).toBe('ok');
    expect(byName('ftrack: event hub')?.status).toBe('ok');
    expect(byName('farm: maxmemory-policy')).toMatchObject({ status: 'ok', detail: 'noeviction' });
    expect(byName('farm: daemons')?.status).toBe('warn'); // none running: a warning, not a failure
  });

  it('a missing ffmpeg fails when native is the backend (exit 3), and auto then falls back to wasm', async () => {
    const config = join(home, 'native.config.json');
    await writeFile(config, JSON.stringify({ backend: 'native' }));
    const native = await doctor({ ...ftrackEnv(server), FFMPEG_PATH: '/nonexistent/ffmpeg' }, ['--config', config]);
    expect(native.result.code, describeResult(native.result)).toBe(3);
    expect(native.byName('native: ffmpeg')).toMatchObject({ status: 'fail', hint: expect.stringContaining('apt-get install ffmpeg') });
    expect(native.byName('backend')?.status).toBe('ok'); // --backend native is a choice, not a probe
    const auto = await doctor({ ...ftrackEnv(server), FFMPEG_PATH: '/nonexistent/ffmpeg' });
    expect(auto.byName('native: ffmpeg')?.status).toBe('warn');
    expect(auto.byName('backend')).toMatchObject({ status: 'ok', detail: expect.stringContaining('wasm') });
  });

  it('a wrong API key fails the ftrack check, and the key is never printed', async () => {
    const { result, byName } = await doctor({ ...ftrackEnv(server), FTRACK_API_KEY: 'not-the-key-0123' });
    expect(result.code).toBe(3);
    expect(byName('ftrack: server')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('rejected the API key'),
      hint: expect.stringContaining('FTRACK_API_KEY'),
    });
    expect(result.stdout + result.stderr).not.toContain('not-the-key-0123');
  });

  it('a Redis that may evict keys fails the farm check', async () => {
    const { result, byName } = await doctor({ ...ftrackEnv(server), REDIS_URL: evicting.url });
    expect(result.code).toBe(3);
    expect(byName('farm: maxmemory-policy')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('allkeys-lru'),
      hint: expect.stringContaining('noeviction'),
    });
  });

  it('an unreachable Redis fails the farm check when the farm is configured', async () => {
    const { result, byName } = await doctor({ ...ftrackEnv(server), REDIS_URL: 'redis://:secret-pw@127.0.0.1:1/0' });
    expect(result.code).toBe(3);
    expect(byName('farm: redis')).toMatchObject({ status: 'fail', detail: expect.stringContaining('not reachable') });
    expect(result.stdout).not.toContain('secret-pw');
  });

  it('an unreadable OCIO config fails the colour check', async () => {
    const { result, byName } = await doctor({ ...ftrackEnv(server), OCIO: join(home, 'missing', 'config.ocio') });
    expect(result.code).toBe(3);
    expect(byName('colour: OCIO')).toMatchObject({ status: 'fail', detail: expect.stringContaining('cannot be read') });
  });

  it('prints one line per check for people, with hints on what to do', async () => {
    const result = await runCli(['doctor', '--config', join(home, 'native.config.json')], {
      env: { XDG_DATA_HOME: join(home, 'xdg'), TMPDIR: home, ...ftrackEnv(server), FFMPEG_PATH: '/nonexistent/ffmpeg' },
    });
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/^FAIL {2}native: ffmpeg/m);
    expect(result.stdout).toMatch(/hint: apt-get install ffmpeg/);
    expect(result.stdout).toMatch(/^ok {4}ftrack: server/m);
    expect(result.stderr).toContain('E_CHECK_FAILED');
  });
});
