// Faults while review files go up to ftrack.server: dropped connections, lost responses after the
// server stored the bytes, and a process killed mid-upload. Each ends in one healthy registration.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { expect } from 'vitest';
import type { FaultConfig } from '@ftrack-encode/ftrack-local';
import { storedFiles } from '../../support/ftrack.js';
import { publishArgs, type Harness, type RowContext } from '../harness.js';
import type { ReliabilityCase } from '../table.js';

const REVIEW_SET = ['ftrackreview-mp4', 'ftrackreview-webm', 'thumbnail'];
/** 8 KiB parts: the review files of the 2 s clip go up in several parts. */
const MULTIPART = { FTRACK_ENCODE_PART_SIZE: String(8 * 1024) };

async function uploadsInFlight(h: Harness): Promise<string[]> {
  return (await storedFiles(h.server)).filter((f) => basename(f).startsWith('.tmp-'));
}

async function journals(ctx: RowContext): Promise<string[]> {
  const dir = join(ctx.tmp, 'ftrack-encode-upload-journals');
  return existsSync(dir) ? (await readdir(dir)).filter((f) => f.endsWith('.json')) : [];
}

/** Parts confirmed in the upload journals of a row's TMPDIR. */
async function confirmedParts(ctx: RowContext): Promise<number> {
  let count = 0;
  for (const name of await journals(ctx)) {
    try {
      const state = JSON.parse(await readFile(join(ctx.tmp, 'ftrack-encode-upload-journals', name), 'utf8')) as { done?: Record<string, string> };
      count += Object.keys(state.done ?? {}).length;
    } catch {
      // being rewritten; look again
    }
  }
  return count;
}

/** A publish under one fault that must still succeed: healthy, nothing orphaned, a re-run changes nothing. */
async function publishThrough(
  h: Harness,
  name: string,
  fault: FaultConfig,
  options: { multipart?: boolean; expectFired: string; stderr?: RegExp },
): Promise<void> {
  const ctx = await h.context(name);
  const versionId = await h.newVersion();
  const args = publishArgs(h.clips.medium, versionId);
  const env = options.multipart ? MULTIPART : {};
  h.server.faults.set(fault);
  const result = await h.cli(args, ctx, env);
  expect(h.server.faults.fired().join(' '), 'the fault took effect').toContain(options.expectFired);
  const published = h.expectSuccess(result);
  expect(published.skipped).toBe(false);
  if (options.stderr) expect(result.stderr).toMatch(options.stderr);
  await h.expectHealthy(versionId, REVIEW_SET);
  await h.expectNoNewOrphans();
  await h.expectNoScratch(ctx);
  await h.expectRerunSkipped(args, ctx, versionId);
}

/** A refused (nothing done) upload call is retried: the publish succeeds as if nothing happened. */
function transientApiFailure(action: string, status: number, multipart: boolean): ReliabilityCase {
  return {
    name: `HTTP ${status} on ${action}`,
    fault: `${multipart ? '8 KiB parts; ' : ''}the first ${action} call answers ${status} (not executed)`,
    expected: 'success',
    state: 'the call is retried; registered once, healthy; no orphan; re-run skipped',
    run: async (h) => {
      const ctx = await h.context(`${action}-${status}`);
      const versionId = await h.newVersion();
      const args = publishArgs(h.clips.medium, versionId);
      h.server.faults.set({ failApiCall: { action, status } });
      const result = await h.cli(args, ctx, multipart ? MULTIPART : {});
      expect(h.server.faults.current().failApiCall, `a ${action} call was refused`).toBeUndefined();
      expect(h.expectSuccess(result).skipped).toBe(false);
      await h.expectHealthy(versionId, REVIEW_SET);
      await h.expectNoNewOrphans();
      await h.expectRerunSkipped(args, ctx, versionId);
    },
  };
}

export const uploadCases: ReliabilityCase[] = [
  {
    name: 'connection dropped mid single-part upload',
    fault: 'socket destroyed after 1000 body bytes of the next PUT',
    expected: 'success',
    state: 'upload retried; all components registered once, downloadable; no .tmp file on the server',
    run: async (h) => {
      const fired = () => h.server.faults.current().dropUploadAfterBytes === undefined;
      const ctx = await h.context('drop-single');
      const versionId = await h.newVersion();
      const args = publishArgs(h.clips.medium, versionId);
      h.server.faults.set({ dropUploadAfterBytes: 1000 });
      const result = await h.cli(args, ctx);
      expect(fired(), 'an upload was dropped').toBe(true);
      h.expectSuccess(result);
      expect(result.stderr, 'the retry is logged').toMatch(/Retrying upload/);
      await h.expectHealthy(versionId, REVIEW_SET);
      await h.expectNoNewOrphans();
      await h.expectRerunSkipped(args, ctx, versionId);
    },
  },
  {
    name: 'connection dropped mid part of a multi-part upload',
    fault: '8 KiB parts; socket destroyed after 4000 bytes of the next PUT',
    expected: 'success',
    state: 'only the part is retried; registered once; no parts left in storage-parts',
    run: async (h) => {
      const ctx = await h.context('drop-multipart');
      const versionId = await h.newVersion();
      const args = publishArgs(h.clips.medium, versionId);
      h.server.faults.set({ dropUploadAfterBytes: 4000 });
      const run = h.spawn(args, ctx, MULTIPART);
      await h.waitWhileRunning(run, 'a multi-part upload reached the server', async () =>
        (await storedFiles(h.server)).some((f) => f.startsWith('storage-parts/')),
      );
      const result = await run.result;
      h.expectSuccess(result);
      expect(h.server.faults.current().dropUploadAfterBytes, 'a part upload was dropped').toBeUndefined();
      expect(result.stderr, 'the part, not the file, is retried').toMatch(/Retrying upload.*part \d+\/\d+/);
      await h.expectHealthy(versionId, REVIEW_SET);
      await h.expectNoNewOrphans();
      await h.expectRerunSkipped(args, ctx, versionId);
    },
  },
  {
    name: 'lost response of a single-part PUT (bytes stored)',
    fault: 'the PUT body is stored completely, then the socket is destroyed without a response',
    expected: 'success',
    state: 'registered once, bytes = recorded checksum; no orphan; re-run skipped',
    run: (h) => publishThrough(h, 'lost-put-response', { dropUploadResponse: {} }, { expectFired: 'drop-upload-response:single' }),
  },
  {
    name: 'lost response of a part PUT (part stored)',
    fault: '8 KiB parts; a part is stored, then its response is dropped',
    expected: 'success',
    state: 'part retried; registered once; no parts left',
    run: (h) => publishThrough(h, 'lost-part-response', { dropUploadResponse: { parts: true } }, { multipart: true, expectFired: 'drop-upload-response:part' }),
  },
  {
    name: 'lost response of complete_multipart_upload (committed)',
    fault: '8 KiB parts; complete_multipart_upload assembles the file, then the socket is destroyed',
    expected: 'success',
    state: 'the assembled file is used (or uploaded again); registered once; no parts, no orphan',
    run: (h) =>
      publishThrough(
        h,
        'lost-complete-response',
        { dropApiResponse: { action: 'complete_multipart_upload' } },
        { multipart: true, expectFired: 'drop-api-response:complete_multipart_upload' },
      ),
  },
  transientApiFailure('get_upload_metadata', 500, false),
  transientApiFailure('complete_multipart_upload', 503, true),
  {
    name: 'SIGKILL during a single-part upload, then re-run',
    fault: 'storage throttled to 8 KiB/s; kill -9 while the server receives a file',
    expected: 'success',
    state: 'killed run registers nothing, the half file is dropped; re-run registers once; a third run is skipped',
    run: async (h) => {
      const ctx = await h.context('kill-single');
      const versionId = await h.newVersion();
      const args = publishArgs(h.clips.medium, versionId);
      h.server.faults.set({ storageBytesPerSecond: 8 * 1024 });
      const run = h.spawn(args, ctx);
      await h.waitWhileRunning(run, 'an upload was in flight', async () => (await uploadsInFlight(h)).length > 0);
      run.child.kill('SIGKILL');
      expect((await run.result).signal).toBe('SIGKILL');
      h.server.faults.clear();
      await h.expectNothingRegistered(versionId);
      await h.waitFor('the server to drop the half upload', async () => (await uploadsInFlight(h)).length === 0);
      const rerun = h.expectSuccess(await h.cli(args, ctx));
      expect(rerun.skipped).toBe(false);
      await h.expectHealthy(versionId, REVIEW_SET);
      await h.expectNoNewOrphans();
      await h.expectRerunSkipped(args, ctx, versionId);
    },
  },
  {
    name: 'SIGKILL during a multi-part upload, then re-run resumes',
    fault: '8 KiB parts, storage 8 KiB/s; kill -9 once the journal confirmed a part',
    expected: 'success',
    state: 're-run completes the interrupted upload from its journal; journal and parts gone; registered once',
    run: async (h) => {
      const ctx = await h.context('kill-multipart');
      const versionId = await h.newVersion();
      const args = publishArgs(h.clips.medium, versionId);
      h.server.faults.set({ storageBytesPerSecond: 8 * 1024 });
      const run = h.spawn(args, ctx, MULTIPART);
      await h.waitWhileRunning(run, 'the upload journal confirmed a part', async () => (await confirmedParts(ctx)) > 0);
      run.child.kill('SIGKILL');
      expect((await run.result).signal).toBe('SIGKILL');
      h.server.faults.clear();
      expect(
        (await storedFiles(h.server)).some((f) => f.startsWith('storage-parts/')),
        'the killed run left a multi-part upload',
      ).toBe(true);
      await h.expectNothingRegistered(versionId);
      const rerun = h.expectSuccess(await h.cli(args, ctx, MULTIPART));
      expect(rerun.skipped).toBe(false);
      await h.expectHealthy(versionId, REVIEW_SET);
      expect(await journals(ctx), 'journal deleted').toEqual([]);
      await h.expectNoNewOrphans();
      await h.expectRerunSkipped(args, ctx, versionId);
    },
  },
];
