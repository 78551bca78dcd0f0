// encode_media: a background Job that runs the injected encoder (real ffmpeg
// here) and registers its outputs on the version.
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from '@ftrack/api';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_LOCATION_ID, startFtrackLocal, type FtrackLocalServer } from '../index.js';
import type { EncodeMediaFn } from './encode-jobs.js';

const encodeWithFfmpeg: EncodeMediaFn = async ({ sourcePath, outputDir, signal }) => {
  const mp4 = join(outputDir, 'review.mp4');
  const jpg = join(outputDir, 'thumb.jpg');
  await execa('ffmpeg', ['-v', 'error', '-y', '-i', sourcePath, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-an', mp4], { cancelSignal: signal });
  await execa('ffmpeg', ['-v', 'error', '-y', '-i', sourcePath, '-frames:v', '1', jpg], { cancelSignal: signal });
  return {
    files: [
      { name: 'ftrackreview-mp4', path: mp4, fileType: '.mp4', meta: { frameIn: 0, frameOut: 25, frameRate: 25, width: 64, height: 36 } },
      { name: 'ftrackreview-image', path: jpg, fileType: '.jpg', meta: { format: 'image', width: 64, height: 36 } },
    ],
  };
};

let source: Buffer;

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ftrack-local-src-'));
  const path = join(dir, 'source.mov');
  await execa('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=64x36:rate=25:duration=1', '-c:v', 'mpeg4', path]);
  source = await readFile(path);
});

async function uploadSource(server: FtrackLocalServer, session: Session, versionId: string): Promise<string> {
  const id = randomUUID();
  const [, meta] = (await session.call([
    { action: 'create', entity_type: 'FileComponent', entity_data: { id, name: 'source', file_type: '.mov', size: source.length, version_id: versionId } },
    { action: 'get_upload_metadata', component_id: id, file_name: 'source.mov', file_size: source.length },
  ])) as [unknown, Record<string, any>];
  expect((await fetch(meta['url'], { method: 'PUT', headers: meta['headers'], body: new Uint8Array(source) })).status).toBe(200);
  await session.create('ComponentLocation', { component_id: id, location_id: SERVER_LOCATION_ID, resource_identifier: id });
  return id;
}

async function waitForJob(session: Session, jobId: string): Promise<Record<string, any>> {
  for (let i = 0; i < 300; i += 1) {
    const job = (await session.query(`select status, data from Job where id is ${jobId}`)).data[0] as Record<string, any>;
    if (job['status'] === 'done' || job['status'] === 'failed') return job;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('job did not finish');
}

describe('encode_media', () => {
  let server: FtrackLocalServer;
  let session: Session;

  beforeAll(async () => {
    server = await startFtrackLocal({ seed: 'demo', encodeMedia: encodeWithFfmpeg });
    session = new Session(server.url, server.user, server.apiKey, { autoConnectEventHub: false });
    await session.initializing;
  });

  afterAll(async () => {
    await server.close();
  });

  it('encodes, registers the outputs on the version and sets its thumbnail', async () => {
    const versionId = server.seed!.versionId;
    const sourceId = await uploadSource(server, session, versionId);
    const [result] = (await session.call([{ action: 'encode_media', component_id: sourceId, version_id: versionId, keep_original: true }])) as [
      { job_id: string },
    ];
    const job = await waitForJob(session, result.job_id);
    expect(job['status']).toBe('done');
    const data = JSON.parse(job['data']);
    expect(data.source_component_id).toBe(sourceId);
    expect(data.output.map((o: any) => o.format)).toEqual(['video/mp4', 'image/jpeg']);

    const components = await session.query(`select name, file_type, metadata, component_locations.location_id from Component where version_id is ${versionId}`);
    const byName = Object.fromEntries(components.data.map((c: any) => [c.name, c]));
    expect(Object.keys(byName).sort()).toEqual(['ftrackreview-image', 'ftrackreview-mp4', 'source']);
    const mp4 = byName['ftrackreview-mp4'];
    expect(mp4.component_locations[0].location_id).toBe(SERVER_LOCATION_ID);
    expect(JSON.parse(mp4.metadata.find((m: any) => m.key === 'ftr_meta').value)).toMatchObject({ frameRate: 25 });

    const version = (await session.query(`select thumbnail_id, thumbnail_url from AssetVersion where id is ${versionId}`)).data[0] as any;
    expect(version.thumbnail_id).toBe(byName['ftrackreview-image'].id);
    const thumb = await fetch(version.thumbnail_url.url);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/jpeg');

    const links = await session.query(`select component_id from JobComponent where job_id is ${result.job_id}`);
    expect(links.data).toHaveLength(2);
    const params = new URLSearchParams({ id: mp4.id, username: server.user, apiKey: server.apiKey });
    const video = Buffer.from(await (await fetch(`${server.url}/component/get?${params.toString()}`)).arrayBuffer());
    expect(video.subarray(4, 8).toString('latin1')).toBe('ftyp');
  });
});

describe('encode_media without an encoder', () => {
  it('fails the job with a clear message', async () => {
    const server = await startFtrackLocal({ seed: 'demo' });
    try {
      const session = new Session(server.url, server.user, server.apiKey, { autoConnectEventHub: false });
      await session.initializing;
      const sourceId = await uploadSource(server, session, server.seed!.versionId);
      const [result] = (await session.call([{ action: 'encode_media', component_id: sourceId, version_id: null, keep_original: true }])) as [
        { job_id: string },
      ];
      const job = await waitForJob(session, result.job_id);
      expect(job['status']).toBe('failed');
      expect(JSON.parse(job['data']).error).toContain('without an encoder');
      expect((await stat(server.dataDir)).isDirectory()).toBe(true);
    } finally {
      await server.close();
    }
  });
});
