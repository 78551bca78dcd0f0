import { ClientRequest } from 'node:http';
import 'reflect-metadata';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { container } from 'tsyringe';
import { TOKENS, isEncodeError, type StorageContext } from '@ftrack-encode/core';
import { describeStorageContract } from '@ftrack-encode/testing';
import { startFtrackLocal, SERVER_LOCATION_ID } from '@ftrack-encode/ftrack-local';
import { FtrackServerStorage, registerFtrackServerStorage, type FtrackServerStorageOptions } from './index.js';

type Server = Awaited<ReturnType<typeof startFtrackLocal>>;
const MiB = 1024 * 1024;

describeStorageContract(
  it,
  async () => {
    const server = await startFtrackLocal({ port: 0 });
    const storage = new FtrackServerStorage({ serverUrl: server.url, apiUser: server.user, apiKey: server.apiKey, retryBaseDelayMs: 20 });
    return { storage, cleanup: () => server.close() };
    // ftrack-local runs in this process, so its request and file-write buffers count too;
    // a client holding the 40 MiB file would still exceed this.
  },
  { maxBufferGrowthBytes: 28 * MiB },
);

/**
 * Every request the storage makes, seen from the client side (real HTTP underneath: node:http's
 * ClientRequest, recorded when it first sends anything), with the actions of the JSON API calls
 * among them. It never uses fetch. Not node:http's diagnostics channel: Node 20 publishes
 * "request.start" only once a request has sent its whole body, which a dropped PUT never has.
 */
function recordRequests(): { calls: { method: string; url: string; actions: string[] }[]; restore(): void } {
  const originalFetch = globalThis.fetch;
  globalThis.fetch = () => Promise.reject(new Error('FtrackServerStorage used fetch'));
  const calls: { method: string; url: string; actions: string[] }[] = [];
  const seen = new WeakSet<ClientRequest>();
  const record = (request: ClientRequest, body: unknown) => {
    if (seen.has(request)) return;
    seen.add(request);
    const actions = typeof body === 'string' && request.path.startsWith('/api') ? (JSON.parse(body) as { action: string }[]).map((o) => o.action) : [];
    calls.push({ method: request.method, url: `${request.protocol}//${request.host}${request.path}`, actions });
  };
  const originalWrite = ClientRequest.prototype.write;
  const originalEnd = ClientRequest.prototype.end;
  ClientRequest.prototype.write = function (this: ClientRequest, ...args: unknown[]) {
    record(this, args[0]);
    return (originalWrite as (...a: unknown[]) => boolean).apply(this, args);
  } as ClientRequest['write'];
  ClientRequest.prototype.end = function (this: ClientRequest, ...args: unknown[]) {
    record(this, args[0]);
    return (originalEnd as (...a: unknown[]) => ClientRequest).apply(this, args);
  } as ClientRequest['end'];
  return {
    calls,
    restore: () => {
      globalThis.fetch = originalFetch;
      ClientRequest.prototype.write = originalWrite;
      ClientRequest.prototype.end = originalEnd;
    },
  };
}

describe('FtrackServerStorage against ftrack-local', () => {
  let server: Server;
  let work: string;
  let source: string;
  let sourceSha: string;
  const size = 21 * MiB + 12345; // 6 parts of 4 MiB

  beforeAll(async () => {
    server = await startFtrackLocal({ port: 0 });
    work = await mkdtemp(join(tmpdir(), 'ftrack-server-storage-'));
    source = join(work, 'plate.mov');
    const data = randomBytes(size);
    sourceSha = createHash('sha256').update(data).digest('hex');
    await writeFile(source, data);
  });
  afterAll(async () => {
    await server?.close();
    await rm(work, { recursive: true, force: true });
  });

  const options = (extra: Partial<FtrackServerStorageOptions> = {}): FtrackServerStorageOptions => ({
    serverUrl: server.url,
    apiUser: server.user,
    apiKey: server.apiKey,
    partSize: 4 * MiB,
    retryBaseDelayMs: 20,
    ...extra,
  });
  const ctx = (): StorageContext => ({ componentId: randomUUID(), componentName: 'plate', extension: 'mov' });

  it('uploads in parts, in parallel, and the server assembles the exact bytes', async () => {
    const storage = new FtrackServerStorage(options());
    const recorder = recordRequests();
    const context = ctx();
    try {
      const stored = await storage.put(source, context);
      expect(stored).toEqual({ resourceIdentifier: context.componentId, checksum: { algorithm: 'sha256', hex: sourceSha }, size, created: true });
    } finally {
      recorder.restore();
    }
    const puts = recorder.calls.filter((c) => c.method === 'PUT');
    expect(puts).toHaveLength(6);
    expect(recorder.calls.flatMap((c) => c.actions)).toEqual(['get_upload_metadata', 'complete_multipart_upload']);
    const copy = join(work, `copy-${randomUUID()}.mov`);
    await storage.get(context.componentId, copy);
    expect(
      createHash('sha256')
        .update(await readFile(copy))
        .digest('hex'),
    ).toBe(sourceSha);
    expect(await storage.locationId()).toBe(SERVER_LOCATION_ID);
  });

  it('retries a part whose connection drops mid-way', async () => {
    const storage = new FtrackServerStorage(options());
    server.faults.set({ dropUploadAfterBytes: 1 * MiB });
    const recorder = recordRequests();
    const context = ctx();
    try {
      const stored = await storage.put(source, context);
      expect(stored.checksum.hex).toBe(sourceSha);
    } finally {
      recorder.restore();
      server.faults.clear();
    }
    // 6 parts + exactly one re-sent part.
    expect(recorder.calls.filter((c) => c.method === 'PUT')).toHaveLength(7);
    const copy = join(work, `drop-${randomUUID()}.mov`);
    await storage.get(context.componentId, copy);
    expect(
      createHash('sha256')
        .update(await readFile(copy))
        .digest('hex'),
    ).toBe(sourceSha);
  });

  it('resumes after an interrupted run: only the missing parts are sent again, the hash still covers the whole file', async () => {
    const journalDir = join(work, `journal-${randomUUID()}`);
    const context = ctx();
    // Run 1: one part at a time, stopped once the journal holds two confirmed parts.
    const first = new FtrackServerStorage(options({ journalDir, parallelParts: 1, bufferBytes: 1 * MiB }));
    const controller = new AbortController();
    const journalParts = async () => {
      const [name] = (await readdir(journalDir).catch(() => [])).filter((n) => n.endsWith('.json'));
      if (!name) return 0;
      const state = JSON.parse(await readFile(join(journalDir, name), 'utf8')) as { done: Record<string, string> };
      return Object.keys(state.done).length;
    };
    const stopper = setInterval(() => {
      void journalParts().then((n) => {
        if (n >= 2) controller.abort();
      });
    }, 5);
    const interrupted = await first.put(source, context, { signal: controller.signal }).catch((e: unknown) => e);
    clearInterval(stopper);
    expect(isEncodeError(interrupted, 'E_CANCELLED')).toBe(true);
    const doneBefore = await journalParts();
    expect(doneBefore).toBeGreaterThanOrEqual(2);
    expect(doneBefore).toBeLessThan(6);
    expect(await first.exists(context.componentId)).toBe(false);

    // Run 2: a new process would build a new storage from the same journal dir.
    const second = new FtrackServerStorage(options({ journalDir }));
    const recorder = recordRequests();
    let bytesSeen = 0;
    try {
      const stored = await second.put(source, context, { onProgress: (p) => (bytesSeen = p.bytes?.done ?? bytesSeen) });
      expect(stored.checksum.hex).toBe(sourceSha);
    } finally {
      recorder.restore();
    }
    expect(bytesSeen).toBe(size);
    expect(recorder.calls.filter((c) => c.method === 'PUT')).toHaveLength(6 - doneBefore);
    expect(recorder.calls.flatMap((c) => c.actions)).toEqual(['complete_multipart_upload']);
    expect(await readdir(journalDir)).toEqual([]);
    const copy = join(work, `resumed-${randomUUID()}.mov`);
    await second.get(context.componentId, copy);
    expect(
      createHash('sha256')
        .update(await readFile(copy))
        .digest('hex'),
    ).toBe(sourceSha);
  });

  it('reads the file once: bytes reported equal the file size with no retries', async () => {
    const storage = new FtrackServerStorage(options());
    const job = {
      componentId: randomUUID(),
      path: source,
      fileName: 'plate.mov',
      size,
      mtimeMs: 0,
      algorithm: 'sha256' as const,
      onBytes: () => undefined,
    };
    const result = await storage.upload(job);
    expect(result.bytesRead).toBe(size);
    expect([...(result.partsSent ?? [])].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(result.partsResumed).toEqual([]);
  });

  it('wrong API key: E_FTRACK_AUTH naming server and user, never the key', async () => {
    const storage = new FtrackServerStorage(options({ apiKey: 'wrong-key-5ecret' }));
    const error = await storage.put(source, ctx()).catch((e: unknown) => e);
    expect(isEncodeError(error, 'E_FTRACK_AUTH')).toBe(true);
    const text = JSON.stringify({ message: (error as Error).message, details: (error as { details?: unknown }).details });
    expect(text).toContain(server.url);
    expect(text).toContain(server.user);
    expect(text).not.toContain('wrong-key-5ecret');
    const existsError = await storage.exists(randomUUID()).catch((e: unknown) => e);
    expect(isEncodeError(existsError, 'E_FTRACK_AUTH')).toBe(true);
    expect(String((existsError as Error).message)).not.toContain('wrong-key-5ecret');
  });

  it('registerFtrackServerStorage registers TOKENS.StorageAccessor', () => {
    const child = container.createChildContainer();
    const storage = registerFtrackServerStorage(child, options());
    expect(child.resolve(TOKENS.StorageAccessor)).toBe(storage);
    expect(storage.resourceIdentifierFor(ctx())).toMatch(/^[0-9a-f-]{36}$/);
  });
});
