// `ftrack-encode server` as a separate process: encode_media on the best encoder
// available (and off with --no-encoder), --cors-origin, and one server per data dir.
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '@ftrack/api';
import { mediaFixtures } from '@ftrack-encode/testing';
import { buildCli, describeResult, runCli, spawnCli, tempDir, type RunningCli } from './support/cli.js';
import { isolatedDirs, plainSession, rows, uploadSourceComponent } from './support/ftrack.js';

interface ServerInfo {
  url: string;
  user: string;
  apiKey: string;
  dataDir: string;
  seed: { versionId: string };
}

const fixtures = mediaFixtures(join(tmpdir(), 'ftrack-encode-e2e-fixtures'));
let work: string;
const running: RunningCli[] = [];

beforeAll(async () => {
  buildCli();
  work = await tempDir('server');
}, 300_000);

afterAll(async () => {
  for (const cli of running) {
    cli.child.kill('SIGTERM');
    await cli.result;
  }
});

async function startServer(name: string, extra: string[] = []): Promise<ServerInfo> {
  const env = await isolatedDirs(work, name);
  const cli = spawnCli(['server', '--json', '--seed', 'demo', '--data', join(work, name, 'data'), ...extra], { env });
  running.push(cli);
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    cli.child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    void cli.result.then((result) => reject(new Error(`server exited early: ${describeResult(result)}`)));
  });
  return JSON.parse(line) as ServerInfo;
}

async function encode(info: ServerInfo): Promise<{ session: Session; job: Record<string, unknown> }> {
  const session = await plainSession(info);
  const sourceId = await uploadSourceComponent(session, info.seed.versionId, await fixtures.movie24());
  const [result] = (await session.call([
    { action: 'encode_media', component_id: sourceId, version_id: info.seed.versionId, keep_original: true },
  ] as never)) as [{ job_id: string }];
  for (let i = 0; i < 600; i++) {
    const [job] = await rows(session, `select status, data from Job where id is ${result.job_id}`);
    if (job!['status'] === 'done' || job!['status'] === 'failed') return { session, job: job! };
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('encode_media job did not finish');
}

describe('ftrack-encode server', () => {
  it('runs encode_media on the best encoder available and registers the review media', { timeout: 300_000 }, async () => {
    const info = await startServer('encoder');
    const { session, job } = await encode(info);
    expect(job['status'], String(job['data'])).toBe('done');
    const output = (JSON.parse(String(job['data'])) as { output: { component_id: string }[] }).output;
    expect(output.length).toBeGreaterThan(0);
    const names = (await rows(session, `select name from Component where version_id is ${info.seed.versionId}`)).map((c) => c['name']);
    expect(names).toContain('ftrackreview-mp4');
  });

  it('with --no-encoder answers encode_media with a failed job that says why', { timeout: 120_000 }, async () => {
    const info = await startServer('no-encoder', ['--no-encoder']);
    const { job } = await encode(info);
    expect(job['status']).toBe('failed');
    expect(String(job['data'])).toContain('without an encoder');
  });

  it('allows the --cors-origin origins only, and refuses a second server on the same data dir', { timeout: 120_000 }, async () => {
    const info = await startServer('cors', ['--cors-origin', 'http://localhost:5173']);
    const preflight = (origin: string) => fetch(`${info.url}/api`, { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' } });
    expect((await preflight('http://localhost:5173')).headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect((await preflight('http://elsewhere.example')).headers.get('access-control-allow-origin')).toBeNull();

    const second = await runCli(['server', '--json', '--data', info.dataDir], { env: await isolatedDirs(work, 'cors-second') });
    expect(second.code, describeResult(second)).not.toBe(0);
    expect(second.stdout + second.stderr).toContain(info.url);
  });
});
