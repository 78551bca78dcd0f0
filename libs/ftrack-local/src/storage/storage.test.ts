// Upload and download through the storage endpoints, following the JS client's
// protocol (§8.1) with raw fetch, plus the Python single-part variant.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session, type operation } from '@ftrack/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_LOCATION_ID, startFtrackLocal, type FtrackLocalServer } from '../index.js';

let server: FtrackLocalServer;
let session: Session;

beforeAll(async () => {
  server = await startFtrackLocal({ seed: 'demo' });
  session = new Session(server.url, server.user, server.apiKey, { autoConnectEventHub: false });
  await session.initializing;
});

afterAll(async () => {
  await server.close();
});

const md5 = (data: Uint8Array) => createHash('md5').update(data).digest();
/** fetch() bodies need an ArrayBuffer-backed view. */
const body = (data: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(data);

async function uploadLikeJsClient(s: Session, data: Uint8Array, name: string, chunkSize?: number): Promise<string> {
  const componentId = randomUUID();
  const parts = chunkSize ? Math.ceil(data.length / chunkSize) : null;
  const [, metadata] = (await s.call([
    { action: 'create', entity_type: 'FileComponent', entity_data: { id: componentId, name, file_type: '.bin', size: data.length } },
    { action: 'get_upload_metadata', component_id: componentId, file_name: `${name}.bin`, file_size: data.length, parts },
  ])) as [unknown, Record<string, any>];
  const extra: operation.Operation[] = [];
  if (!parts) {
    expect('urls' in metadata).toBe(false);
    const headers = Object.fromEntries(Object.entries(metadata['headers'] as Record<string, string>).filter(([k]) => k !== 'Content-Length'));
    const put = await fetch(metadata['url'], { method: 'PUT', headers, body: body(data) });
    expect(put.status).toBeLessThan(400);
  } else {
    const urls = metadata['urls'] as { part_number: number; signed_url: string }[];
    expect(urls).toHaveLength(parts);
    const etags = await Promise.all(
      [...urls].reverse().map(async ({ part_number, signed_url }) => {
        const slice = data.subarray((part_number - 1) * chunkSize!, part_number * chunkSize!);
        const put = await fetch(signed_url, { method: 'PUT', body: body(slice) });
        expect(put.status).toBe(200);
        const etag = put.headers.get('etag')!;
        expect(etag).toBe(`"${md5(slice).toString('hex')}"`);
        return { part_number, e_tag: etag.replace(/"/g, '') };
      }),
    );
    extra.push({
      action: 'complete_multipart_upload',
      upload_id: metadata['upload_id'] as string,
      component_id: componentId,
      parts: etags.sort((a, b) => a.part_number - b.part_number),
    });
  }
  await s.call([
    ...extra,
    {
      action: 'create',
      entity_type: 'ComponentLocation',
      entity_data: { id: randomUUID(), component_id: componentId, resource_identifier: componentId, location_id: SERVER_LOCATION_ID },
    },
  ]);
  return componentId;
}

async function download(url: string, componentId: string, user = server.user, key = server.apiKey): Promise<Response> {
  const params = new URLSearchParams({ id: componentId, username: user, apiKey: key });
  return fetch(`${url}/component/get?${params.toString()}`);
}

describe('storage endpoints', () => {
  it('uploads single-part and downloads intact', async () => {
    const data = randomBytes(300_000);
    const id = await uploadLikeJsClient(session, data, 'single');
    const response = await download(server.url, id);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="single.bin"');
    expect(md5(new Uint8Array(await response.arrayBuffer()))).toEqual(md5(data));
    const located = await session.query(`select location_id, url from ComponentLocation where component_id is ${id}`);
    expect((located.data[0] as any).location_id).toBe(SERVER_LOCATION_ID);
  });

  it('uploads multi-part and reassembles in order', async () => {
    const data = randomBytes(1_000_003);
    const id = await uploadLikeJsClient(session, data, 'multi', 256 * 1024);
    const response = await download(server.url, id);
    expect(md5(new Uint8Array(await response.arrayBuffer()))).toEqual(md5(data));
  });

  it('serves byte ranges for the video player', async () => {
    const data = randomBytes(10_000);
    const id = await uploadLikeJsClient(session, data, 'ranged');
    const params = new URLSearchParams({ id, username: server.user, apiKey: server.apiKey });
    const response = await fetch(`${server.url}/component/get?${params.toString()}`, { headers: { Range: 'bytes=100-199' } });
    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe('bytes 100-199/10000');
    expect(Buffer.from(await response.arrayBuffer())).toEqual(data.subarray(100, 200));
  });

  it('rejects a multi-part completion whose ETag does not match', async () => {
    const componentId = randomUUID();
    const [meta] = (await session.call([{ action: 'get_upload_metadata', component_id: componentId, file_name: 'x.bin', file_size: 20, parts: 2 }])) as [
      Record<string, any>,
    ];
    for (const { signed_url } of meta['urls']) await fetch(signed_url, { method: 'PUT', body: body(randomBytes(10)) });
    await expect(
      session.call([
        {
          action: 'complete_multipart_upload',
          upload_id: meta['upload_id'],
          component_id: componentId,
          parts: [
            { part_number: 1, e_tag: '00000000000000000000000000000000' },
            { part_number: 2, e_tag: '00000000000000000000000000000000' },
          ],
        },
      ]),
    ).rejects.toMatchObject({ name: 'ServerValidationError' });
  });

  it('completes a multi-part upload only with its batch: a failing batch leaves it completable', async () => {
    const componentId = randomUUID();
    const data = randomBytes(40_000);
    const [, meta] = (await session.call([
      { action: 'create', entity_type: 'FileComponent', entity_data: { id: componentId, name: 'x', file_type: '.bin', size: data.length } },
      { action: 'get_upload_metadata', component_id: componentId, file_name: 'x.bin', file_size: data.length, parts: 2 },
    ])) as [unknown, Record<string, any>];
    const parts = [];
    for (const { part_number, signed_url } of meta['urls'] as { part_number: number; signed_url: string }[]) {
      const put = await fetch(signed_url, { method: 'PUT', body: body(data.subarray((part_number - 1) * 20_000, part_number * 20_000)) });
      parts.push({ part_number, e_tag: put.headers.get('etag')!.replace(/"/g, '') });
    }
    const complete = { action: 'complete_multipart_upload', upload_id: meta['upload_id'], component_id: componentId, parts };
    const location = (locationId: string) => ({
      action: 'create',
      entity_type: 'ComponentLocation',
      entity_data: { component_id: componentId, resource_identifier: componentId, location_id: locationId },
    });
    await expect(session.call([complete, location(randomUUID())])).rejects.toMatchObject({ name: 'ServerValidationError' });
    expect((await download(server.url, componentId)).status).toBe(404);
    await session.call([complete, location(SERVER_LOCATION_ID)]);
    const response = await download(server.url, componentId);
    expect(md5(new Uint8Array(await response.arrayBuffer()))).toEqual(md5(data));
  });

  it('accepts a Python-style upload before the component exists and verifies Content-MD5', async () => {
    const data = randomBytes(5000);
    const componentId = randomUUID();
    const checksum = md5(data).toString('base64');
    const [meta] = (await session.call([
      { action: 'get_upload_metadata', component_id: componentId, file_name: 'plate.mov', file_size: data.length, checksum },
    ])) as [Record<string, any>];
    expect(meta['headers']['Content-MD5']).toBe(checksum);
    expect(meta['headers']['Content-Type']).toBe('video/quicktime');
    const bad = await fetch(meta['url'], { method: 'PUT', headers: meta['headers'], body: body(randomBytes(5000)) });
    expect(bad.status).toBe(400);
    const good = await fetch(meta['url'], { method: 'PUT', headers: meta['headers'], body: body(data) });
    expect(good.status).toBe(200);
    const response = await download(server.url, componentId);
    expect(md5(new Uint8Array(await response.arrayBuffer()))).toEqual(md5(data));
  });

  it('rejects unsigned or tampered upload URLs', async () => {
    const id = randomUUID();
    expect((await fetch(`${server.url}/component/put?id=${id}`, { method: 'PUT', body: 'x' })).status).toBe(403);
    const [meta] = (await session.call([{ action: 'get_upload_metadata', component_id: id, file_name: 'a.txt', file_size: 1 }])) as [Record<string, any>];
    const other = (meta['url'] as string).replace(id, randomUUID());
    expect((await fetch(other, { method: 'PUT', body: 'x' })).status).toBe(403);
  });

  it('rejects path traversal in resource identifiers', async () => {
    const attempts = [
      '../../etc/passwd',
      '..%2F..%2Fetc%2Fpasswd',
      '%2E%2E%2F%2E%2E%2Fetc%2Fpasswd',
      '/etc/passwd',
      '..',
      'a/../../b',
      'a\\..\\b',
      'x%00y',
      '.hidden',
    ];
    for (const attempt of attempts) {
      const auth = `username=${encodeURIComponent(server.user)}&apiKey=${encodeURIComponent(server.apiKey)}`;
      for (const route of ['get', 'thumbnail', 'remove']) {
        const response = await fetch(`${server.url}/component/${route}?id=${attempt}&${auth}`);
        expect(response.status, `${route} ${attempt}`).toBe(400);
      }
      const put = await fetch(`${server.url}/component/put?id=${attempt}&${auth}`, { method: 'PUT', body: 'owned' });
      expect(put.status, `put ${attempt}`).toBe(400);
    }
    await expect(session.call([{ action: 'get_upload_metadata', component_id: '../../etc/passwd', file_name: 'x', file_size: 1 }])).rejects.toMatchObject({
      name: 'ServerValidationError',
    });
  });

  it('requires credentials to download and answers 404 for absent files', async () => {
    const id = await uploadLikeJsClient(session, randomBytes(10), 'private');
    expect((await fetch(`${server.url}/component/get?id=${id}`)).status).toBe(401);
    expect((await download(server.url, id, server.user, 'nope')).status).toBe(401);
    expect((await download(server.url, randomUUID())).status).toBe(404);
  });

  it('handles concurrent uploads', async () => {
    const payloads = Array.from({ length: 6 }, (_, i) => randomBytes(50_000 + i * 7919));
    const ids = await Promise.all(payloads.map((p, i) => uploadLikeJsClient(session, p, `c${i}`, i % 2 ? 16_384 : undefined)));
    for (const [i, id] of ids.entries()) {
      const response = await download(server.url, id);
      expect(md5(new Uint8Array(await response.arrayBuffer()))).toEqual(md5(payloads[i]!));
    }
  });

  it('deleting a component removes its locations and stored file', async () => {
    const id = await uploadLikeJsClient(session, randomBytes(100), 'doomed');
    await session.delete('FileComponent', [id]);
    expect((await session.query(`select id from ComponentLocation where component_id is ${id}`)).data).toHaveLength(0);
    expect((await download(server.url, id)).status).toBe(404);
  });

  it('generate_signed_url gives a download URL without credentials', async () => {
    const data = randomBytes(5_000);
    const id = await uploadLikeJsClient(session, data, 'signed');
    const [result] = (await session.call([{ action: 'generate_signed_url', component_id: id }] as never)) as [{ signed_url: string }];
    expect(result.signed_url).not.toContain(server.apiKey);
    const response = await fetch(result.signed_url);
    expect(response.status).toBe(200);
    expect(md5(new Uint8Array(await response.arrayBuffer()))).toEqual(md5(data));
    const unstored = (await session.create('FileComponent', { name: 'nowhere' })).data as { id: string };
    await expect(session.call([{ action: 'generate_signed_url', component_id: unstored.id }] as never)).rejects.toMatchObject({
      name: 'ServerValidationError',
    });
  });

  it('removes a stored file through /component/remove', async () => {
    const id = await uploadLikeJsClient(session, randomBytes(100), 'removable');
    const params = new URLSearchParams({ id, username: server.user, apiKey: server.apiKey });
    expect((await fetch(`${server.url}/component/remove?${params.toString()}`)).status).toBe(200);
    expect((await download(server.url, id)).status).toBe(404);
  });
});

describe('multi-part uploads written in place', () => {
  const partSize = 64 * 1024;

  async function start(data: Uint8Array, parts: number): Promise<{ componentId: string; uploadId: string; urls: Map<number, string> }> {
    const componentId = randomUUID();
    const [, meta] = (await session.call([
      { action: 'create', entity_type: 'FileComponent', entity_data: { id: componentId, name: 'p', file_type: '.bin', size: data.length } },
      { action: 'get_upload_metadata', component_id: componentId, file_name: 'p.bin', file_size: data.length, parts },
    ])) as [unknown, Record<string, any>];
    const urls = new Map((meta['urls'] as { part_number: number; signed_url: string }[]).map((u) => [u.part_number, u.signed_url]));
    return { componentId, uploadId: meta['upload_id'] as string, urls };
  }
  async function put(url: string, bytes: Uint8Array): Promise<{ status: number; etag: string }> {
    const response = await fetch(url, { method: 'PUT', body: body(bytes) });
    await response.arrayBuffer();
    return { status: response.status, etag: (response.headers.get('etag') ?? '').replace(/"/g, '') };
  }
  const slice = (data: Uint8Array, part: number) => data.subarray((part - 1) * partSize, part * partSize);
  const complete = (componentId: string, uploadId: string, etags: Map<number, string>) =>
    session.call([
      {
        action: 'complete_multipart_upload',
        upload_id: uploadId,
        component_id: componentId,
        parts: [...etags].map(([part_number, e_tag]) => ({ part_number, e_tag })),
      },
      {
        action: 'create',
        entity_type: 'ComponentLocation',
        entity_data: { component_id: componentId, resource_identifier: componentId, location_id: SERVER_LOCATION_ID },
      },
    ]);
  async function storedMd5(componentId: string): Promise<Buffer> {
    return md5(new Uint8Array(await (await download(server.url, componentId)).arrayBuffer()));
  }

  it('places parts sent out of order and a part sent twice (the second copy wins) at their offsets', async () => {
    const data = randomBytes(4 * partSize + 1234); // 5 parts, the last one short
    const { componentId, uploadId, urls } = await start(data, 5);
    const etags = new Map<number, string>();
    for (const part of [5, 2, 4, 1, 3]) etags.set(part, (await put(urls.get(part)!, slice(data, part))).etag);
    // Part 2 again, first with wrong bytes, then with the right ones: each copy overwrites its range.
    const wrong = await put(urls.get(2)!, randomBytes(partSize));
    await expect(complete(componentId, uploadId, etags)).rejects.toThrow(/ETag of part 2 does not match/);
    expect(wrong.status).toBe(200);
    etags.set(2, (await put(urls.get(2)!, slice(data, 2))).etag);
    await complete(componentId, uploadId, etags);
    expect(await storedMd5(componentId)).toEqual(md5(data));
    // Completion renamed the upload's file into place: nothing of the upload is left.
    expect(await readdir(join(server.dataDir, 'storage-parts'))).not.toContain(uploadId);
  });

  it('refuses to complete while a part is missing, and completes once it arrives', async () => {
    const data = randomBytes(3 * partSize);
    const { componentId, uploadId, urls } = await start(data, 3);
    const etags = new Map<number, string>();
    for (const part of [1, 3]) etags.set(part, (await put(urls.get(part)!, slice(data, part))).etag);
    const parts = new Map([...etags, [2, md5(slice(data, 2)).toString('hex')]]);
    await expect(complete(componentId, uploadId, new Map([...parts].sort(([a], [b]) => a - b)))).rejects.toThrow(/Part 2 of upload .* was not uploaded/);
    expect((await download(server.url, componentId)).status).toBe(404);
    expect((await put(urls.get(2)!, slice(data, 2))).status).toBe(200);
    await complete(componentId, uploadId, parts);
    expect(await storedMd5(componentId)).toEqual(md5(data));
  });

  it('refuses parts that do not tile the file with a message that says why', async () => {
    const data = randomBytes(3 * partSize);
    const { componentId, uploadId, urls } = await start(data, 3);
    const etags = new Map<number, string>();
    etags.set(1, (await put(urls.get(1)!, data.subarray(0, partSize))).etag);
    etags.set(2, (await put(urls.get(2)!, data.subarray(partSize, partSize + 1000))).etag); // short part 2
    etags.set(3, (await put(urls.get(3)!, data.subarray(2 * partSize))).etag);
    await expect(complete(componentId, uploadId, etags)).rejects.toThrow(/Part 2 starts at byte 1000, not 65536/);
    const tooBig = await fetch(urls.get(3)!, { method: 'PUT', body: body(randomBytes(data.length + 1)) });
    expect(tooBig.status).toBe(400);
    expect(await tooBig.text()).toContain('does not fit');
  });

  it('needs file_size to start a multi-part upload', async () => {
    await expect(session.call([{ action: 'get_upload_metadata', component_id: randomUUID(), file_name: 'x.bin', parts: 2 }])).rejects.toThrow(/file_size/);
  });
});

describe('persistence', () => {
  it('keeps entities, files and the API key across a restart on the same data dir', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'ftrack-local-restart-'));
    const first = await startFtrackLocal({ dataDir, seed: 'demo' });
    const s1 = new Session(first.url, first.user, first.apiKey, { autoConnectEventHub: false });
    await s1.initializing;
    const data = randomBytes(70_000);
    const id = await uploadLikeJsClient(s1, data, 'kept', 32_768);
    const seed = first.seed!;
    const key = first.apiKey;
    await first.close();
    // What a killed single-part upload leaves behind: a half-written temp file.
    await writeFile(join(dataDir, 'storage', '.tmp-killed'), 'partial');

    const second = await startFtrackLocal({ dataDir, seed: 'demo' });
    try {
      expect(second.apiKey).toBe(key);
      expect(second.seed).toEqual(seed);
      const s2 = new Session(second.url, second.user, second.apiKey, { autoConnectEventHub: false });
      await s2.initializing;
      const found = await s2.query(`select name, size from FileComponent where id is ${id}`);
      expect((found.data[0] as any).size).toBe(data.length);
      const response = await download(second.url, id, second.user, second.apiKey);
      expect(md5(new Uint8Array(await response.arrayBuffer()))).toEqual(md5(data));
      const projects = await s2.query('select id from Project');
      expect(projects.data).toHaveLength(1);
      expect((await readdir(join(dataDir, 'storage'))).filter((name) => name.startsWith('.'))).toEqual([]);
    } finally {
      await second.close();
    }
  });
});
