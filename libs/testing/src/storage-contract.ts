// Contract every StorageAccessor passes (keyv-style, the same shape as the encoder contract):
// an adapter's test is `describeStorageContract(it, async () => ({ storage, cleanup }), caps)`;
// capabilities tune sizes, never skip behaviour.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, type TestAPI } from 'vitest';
import { isEncodeError, type StorageAccessor, type StorageContext } from '@ftrack-encode/core';

export interface StorageUnderTest {
  storage: StorageAccessor;
  cleanup(): Promise<void>;
}

export interface StorageContractCapabilities {
  /** Size of the large-file case; 40 MiB unless told. */
  largeFileBytes?: number;
  /** Largest growth of Buffer memory allowed while the large file is stored; half the file unless told. */
  maxBufferGrowthBytes?: number;
  /** Size of the file cancelled mid-put; 12 MiB unless told. */
  abortFileBytes?: number;
}

const MiB = 1 << 20;

/**
 * Live Buffer memory after a full GC: garbage from streaming (already-sent chunks) would
 * otherwise swamp the measurement; a whole file held in memory stays visible.
 */
function liveBufferBytes(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  // Twice: V8 may release the backing stores of collected buffers only after the first
  // collection has returned (seen: 27 of 40 MiB still counted, once in several runs).
  gc();
  gc();
  return process.memoryUsage().arrayBuffers;
}

function context(overrides: Partial<StorageContext> = {}): StorageContext {
  return {
    componentId: randomUUID(),
    componentName: 'ftrackreview-mp4',
    extension: 'mp4',
    project: 'contract',
    sequence: 'sq010',
    shot: 'sh010',
    // Unique per call: structured locations derive the identifier from these names.
    asset: `comp-${randomUUID().slice(0, 8)}`,
    version: 3,
    ...overrides,
  };
}

/** Streams `bytes` of random data to a file (never one big Buffer) and returns its sha256. */
async function writeRandomFile(path: string, bytes: number): Promise<string> {
  const hash = createHash('sha256');
  const out = createWriteStream(path);
  for (let written = 0; written < bytes;) {
    const chunk = randomBytes(Math.min(MiB, bytes - written));
    hash.update(chunk);
    written += chunk.length;
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return hash.digest('hex');
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export function describeStorageContract(it: TestAPI, makeStorage: () => Promise<StorageUnderTest>, capabilities: StorageContractCapabilities = {}): void {
  const largeFileBytes = capabilities.largeFileBytes ?? 40 * MiB;
  const maxBufferGrowth = capabilities.maxBufferGrowthBytes ?? largeFileBytes / 2;
  const abortFileBytes = capabilities.abortFileBytes ?? 12 * MiB;

  describe('StorageAccessor contract', () => {
    let sut: StorageUnderTest;
    let work: string;

    beforeAll(async () => {
      sut = await makeStorage();
      work = await mkdtemp(join(tmpdir(), 'storage-contract-'));
    });
    afterAll(async () => {
      await sut?.cleanup();
      if (work) await rm(work, { recursive: true, force: true });
    });

    async function smallFile(text: string, fileName = `${randomUUID()}.bin`): Promise<string> {
      const path = join(work, fileName);
      await writeFile(path, text);
      return path;
    }

    it('has a location name and a location id', async () => {
      expect(sut.storage.locationName).toMatch(/\S/);
      expect(await sut.storage.locationId()).toMatch(/\S/);
    });

    it('put then get round-trips the bytes, with the sha256 checksum and size', async () => {
      const ctx = context();
      const payload = `review media ${randomUUID()}\n`.repeat(100);
      const source = await smallFile(payload);
      const expectedIdentifier = sut.storage.resourceIdentifierFor(ctx);
      expect(await sut.storage.exists(expectedIdentifier)).toBe(false);

      const stored = await sut.storage.put(source, ctx);
      expect(stored.resourceIdentifier).toBe(expectedIdentifier);
      expect(stored.size).toBe(Buffer.byteLength(payload));
      expect(stored.checksum).toEqual({ algorithm: 'sha256', hex: createHash('sha256').update(payload).digest('hex') });
      expect(await sut.storage.exists(stored.resourceIdentifier)).toBe(true);

      const copy = join(work, `copy-${randomUUID()}.bin`);
      await sut.storage.get(stored.resourceIdentifier, copy);
      expect(await sha256Of(copy)).toBe(stored.checksum.hex);
    });

    it('gives the same identifier for the same context, without storing anything', () => {
      const ctx = context();
      expect(sut.storage.resourceIdentifierFor(ctx)).toBe(sut.storage.resourceIdentifierFor({ ...ctx }));
    });

    it('exists and remove: removing twice is fine, a removed file is gone', async () => {
      const stored = await sut.storage.put(await smallFile('remove me'), context());
      expect(await sut.storage.exists(stored.resourceIdentifier)).toBe(true);
      await sut.storage.remove(stored.resourceIdentifier);
      expect(await sut.storage.exists(stored.resourceIdentifier)).toBe(false);
      await sut.storage.remove(stored.resourceIdentifier);
      const copy = join(work, `gone-${randomUUID()}.bin`);
      await expect(sut.storage.get(stored.resourceIdentifier, copy)).rejects.toSatisfy((e: unknown) => isEncodeError(e));
      await expect(stat(copy)).rejects.toThrow();
    });

    it('never replaces different bytes: E_STORAGE_CONFLICT, and the first file is intact', async () => {
      const ctx = context();
      const first = await sut.storage.put(await smallFile('first version'), ctx);
      expect(first.created).toBe(true);
      const error = await sut.storage.put(await smallFile('second, longer version'), ctx).catch((e: unknown) => e);
      expect(isEncodeError(error, 'E_STORAGE_CONFLICT'), String(error)).toBe(true);
      const copy = join(work, `kept-${randomUUID()}.bin`);
      await sut.storage.get(first.resourceIdentifier, copy);
      expect(await sha256Of(copy)).toBe(createHash('sha256').update('first version').digest('hex'));
    });

    it('the same bytes again (a re-run) succeed without writing: created is false', async () => {
      const ctx = context();
      const first = await sut.storage.put(await smallFile('same bytes'), ctx);
      const again = await sut.storage.put(await smallFile('same bytes'), ctx);
      expect(again).toEqual({ ...first, created: false });
      // A rollback of the re-run removes nothing it did not write; the identifier still resolves.
      expect(await sut.storage.exists(first.resourceIdentifier)).toBe(true);
    });

    it('stores identifiers with spaces and unicode', async () => {
      const ctx = context({ project: 'Proj Ü 東京', shot: 'sh 010 é', asset: `comp layer ${randomUUID().slice(0, 4)}`, componentName: 'ftrackreview mp4 ü' });
      const stored = await sut.storage.put(await smallFile('ünïcödé', 'ünï cödé.mp4'), ctx);
      expect(stored.resourceIdentifier).toBe(sut.storage.resourceIdentifierFor(ctx));
      expect(await sut.storage.exists(stored.resourceIdentifier)).toBe(true);
      const copy = join(work, `ü copy ${randomUUID()}.bin`);
      await sut.storage.get(stored.resourceIdentifier, copy);
      expect(await sha256Of(copy)).toBe(createHash('sha256').update('ünïcödé').digest('hex'));
    });

    it('is atomic: cancelling mid-put rejects and leaves nothing at the identifier', async () => {
      const source = join(work, `abort-${randomUUID()}.bin`);
      await writeRandomFile(source, abortFileBytes);
      const ctx = context();
      const identifier = sut.storage.resourceIdentifierFor(ctx);
      const controller = new AbortController();
      let abortedAt: number | undefined;
      const put = sut.storage.put(source, ctx, {
        signal: controller.signal,
        onProgress: (p) => {
          // Cancel once some bytes moved but well before the end.
          if (abortedAt === undefined && p.bytes && p.bytes.done > 0 && p.bytes.done < p.bytes.total) {
            abortedAt = p.bytes.done;
            controller.abort();
          }
        },
      });
      const error = await put.then(
        () => undefined,
        (e: unknown) => e,
      );
      // A put that failed before any progress: show its own error, it says what is wrong.
      if (abortedAt === undefined && error) throw error;
      expect(abortedAt, 'put must report byte progress before it finishes').toBeDefined();
      expect(isEncodeError(error, 'E_CANCELLED')).toBe(true);
      expect(await sut.storage.exists(identifier)).toBe(false);
    });

    it('stores a large file with bounded memory and round-trips it', async () => {
      const source = join(work, `large-${randomUUID()}.bin`);
      const expected = await writeRandomFile(source, largeFileBytes);
      const baseline = liveBufferBytes();
      let peak = baseline;
      const sampler = setInterval(() => {
        peak = Math.max(peak, liveBufferBytes());
      }, 100);
      let progressEvents = 0;
      const stored = await sut.storage
        .put(source, context({ componentName: 'large' }), { onProgress: () => void (progressEvents += 1) })
        .finally(() => clearInterval(sampler));
      expect(stored.size).toBe(largeFileBytes);
      expect(stored.checksum.hex).toBe(expected);
      expect(progressEvents).toBeGreaterThan(1);
      expect(peak - baseline, `Buffer memory grew by ${((peak - baseline) / MiB).toFixed(1)} MiB during put`).toBeLessThan(maxBufferGrowth);
      const copy = join(work, `large-copy-${randomUUID()}.bin`);
      await sut.storage.get(stored.resourceIdentifier, copy);
      expect(await sha256Of(copy)).toBe(expected);
    });

    it('leaves no temp files beside the downloads', async () => {
      const names = await readdir(work);
      expect(names.filter((n) => n.endsWith('.partial') || n.startsWith('.'))).toEqual([]);
    });
  });
}
