// Faults on the registration call (one batch: components, ComponentLocations, metadata, thumbnail):
// refusals roll back completely; a lost response after the commit must end in success; a restart of
// the server between store and register; two publishes racing; a re-run that repairs what is missing.
import { join } from 'node:path';
import { expect } from 'vitest';
import type { FaultConfig } from '@ftrack-encode/ftrack-local';
import { plainSession, newSeededVersion } from '../../support/ftrack.js';
import { publishArgs, type Harness } from '../harness.js';
import { RestartableServer } from '../restartable-server.js';
import type { ReliabilityCase } from '../table.js';

const REVIEW_SET = ['ftrackreview-mp4', 'ftrackreview-webm', 'thumbnail'];

/** A refused registration: clean rollback, then a fault-free re-run publishes healthy review media. */
function refused(status: number): ReliabilityCase {
  return {
    name: `HTTP ${status} on the registration call`,
    fault: `the batch creating the ComponentLocations answers ${status} (nothing committed)`,
    expected: 'E_FTRACK_FAILED',
    state: 'nothing registered, uploaded files removed, no scratch; a re-run publishes once',
    run: async (h) => {
      const ctx = await h.context(`register-${status}`);
      const versionId = await h.newVersion();
      const args = publishArgs(h.clips.small, versionId);
      h.server.faults.set({ failApiCall: { entityType: 'ComponentLocation', status } });
      const failed = await h.cli(args, ctx);
      expect(h.server.faults.current().failApiCall, 'the registration call was the one that failed').toBeUndefined();
      h.expectError(failed, 'E_FTRACK_FAILED');
      await h.expectNoTrace(ctx, versionId);
      const retried = h.expectSuccess(await h.cli(args, ctx));
      expect(retried.skipped).toBe(false);
      await h.expectHealthy(versionId, REVIEW_SET);
      await h.expectRerunSkipped(args, ctx, versionId);
    },
  };
}

/** The registration commits but its answer is lost: the publish happened and must be reported as such. */
function lostAfterCommit(name: string, fault: FaultConfig, fired: string): ReliabilityCase {
  return {
    name,
    fault: `${fired}: committed, then the socket is destroyed without a response`,
    expected: 'success',
    state: 'fully registered: every component downloadable, bytes = checksum, one ComponentLocation each; re-run skipped',
    run: async (h) => {
      const ctx = await h.context(name);
      const versionId = await h.newVersion();
      const args = publishArgs(h.clips.small, versionId);
      h.server.faults.set(fault);
      const result = await h.cli(args, ctx);
      expect(h.server.faults.fired().join(' '), 'the response was dropped').toContain(fired);
      const published = h.expectSuccess(result);
      expect(published.skipped).toBe(false);
      const components = await h.expectHealthy(versionId, REVIEW_SET);
      expect(components.map((c) => c.id).sort()).toEqual(published.components.map((c) => c.id).sort());
      await h.expectNoNewOrphans();
      await h.expectNoScratch(ctx);
      await h.expectRerunSkipped(args, ctx, versionId);
    },
  };
}

export const registrationCases: ReliabilityCase[] = [
  refused(500),
  refused(502),
  refused(503),
  lostAfterCommit('lost response after a committed registration', { dropApiResponse: { entityType: 'ComponentLocation' } }, 'drop-api-response'),
  {
    name: 'lost registration response, read-back refused once too',
    fault: 'registration held, then committed and left unanswered; the first query after it (the read-back) answers 503',
    expected: 'success',
    state: 'a transient failure of the read-back never undoes a registration: healthy, one ComponentLocation each',
    run: async (h) => {
      const ctx = await h.context('lost-then-503');
      const versionId = await h.newVersion();
      const args = publishArgs(h.clips.small, versionId);
      h.server.faults.set({ apiLatency: [{ entityType: 'ComponentLocation', ms: 600_000, times: 1 }] });
      const run = h.spawn(args, ctx);
      await h.waitWhileRunning(run, 'the registration call was held', () => h.server.faults.heldApiCalls() === 1);
      // Armed while the call is held: on release it commits, its answer is dropped, the next query fails.
      h.server.faults.set({ dropApiResponse: { entityType: 'ComponentLocation' }, failApiCall: { action: 'query', status: 503 } });
      h.server.faults.releaseHeld();
      const result = await h.exitWithin(run, 'the registration was released');
      expect(h.server.faults.fired().join(' ')).toContain('drop-api-response');
      await h.expectHealthy(versionId, REVIEW_SET);
      await h.expectNoNewOrphans();
      expect(h.expectSuccess(result).skipped).toBe(false);
      await h.expectRerunSkipped(args, ctx, versionId);
    },
  },
  {
    name: 'lost registration response, then a second publish of the same',
    fault: 'registration committed and unanswered; the same publish run again right after',
    expected: 'success',
    state: 'the second run adds nothing: one ComponentLocation per component, every file downloadable',
    run: async (h) => {
      const ctx = await h.context('lost-then-rerun');
      const versionId = await h.newVersion();
      const args = publishArgs(h.clips.small, versionId);
      h.server.faults.set({ dropApiResponse: { entityType: 'ComponentLocation' } });
      const first = await h.cli(args, ctx);
      expect(h.server.faults.fired().join(' ')).toContain('drop-api-response');
      const second = h.expectSuccess(await h.cli(args, ctx));
      await h.expectHealthy(versionId, REVIEW_SET);
      await h.expectNoNewOrphans();
      expect(second.skipped, 'the second run found the first one registered').toBe(true);
      h.expectSuccess(first);
    },
  },
  {
    name: 'registered file deleted from storage, re-run repairs',
    fault: 'after a good publish, the mp4 file is removed from ftrack.server storage',
    expected: 'success',
    state: 're-run stores only the missing file, adds no second ComponentLocation; all downloadable',
    run: async (h) => {
      const ctx = await h.context('repair');
      const versionId = await h.newVersion();
      const args = publishArgs(h.clips.small, versionId);
      const published = h.expectSuccess(await h.cli(args, ctx));
      const mp4 = published.components.find((c) => c.name === 'ftrackreview-mp4')!;
      const removed = await fetch(
        `${h.server.url}/component/remove?${new URLSearchParams({ id: mp4.id, username: h.server.user, apiKey: h.server.apiKey }).toString()}`,
      );
      expect(removed.status).toBe(200);
      const before = await h.locationRows(versionId);
      const repaired = h.expectSuccess(await h.cli(args, ctx));
      expect(repaired.skipped).toBe(false);
      expect(await h.locationRows(versionId), 'same components, same ComponentLocations').toEqual(before);
      await h.expectHealthy(versionId, REVIEW_SET);
      await h.expectNoNewOrphans();
      await h.expectRerunSkipped(args, ctx, versionId);
    },
  },
  {
    name: 'slow registration (3 s held) still succeeds',
    fault: 'the registration batch is held 3 s before it runs',
    expected: 'success',
    state: 'registered once, healthy; re-run skipped',
    run: async (h) => {
      const ctx = await h.context('slow-register');
      const versionId = await h.newVersion();
      const args = publishArgs(h.clips.small, versionId);
      h.server.faults.set({ apiLatency: [{ entityType: 'ComponentLocation', ms: 3000, times: 1 }] });
      h.expectSuccess(await h.cli(args, ctx));
      expect(h.server.faults.fired().join(' ')).toContain('api-latency');
      await h.expectHealthy(versionId, REVIEW_SET);
      await h.expectRerunSkipped(args, ctx, versionId);
    },
  },
  {
    name: 'server restart between store and register',
    fault: 'files stored; registration held, then the server is restarted (connections cut, same data)',
    expected: 'E_FTRACK_FAILED',
    state: 'nothing registered, stored files removed after the restart; a re-run publishes once',
    timeoutMs: 180_000,
    run: async (h) => {
      const restartable = await RestartableServer.start(join(h.work, 'restartable'));
      try {
        const session = await plainSession(restartable.credentials);
        const ctx = await h.context('restart', restartable.credentials);
        const versionId = await newSeededVersion(session, restartable.server);
        const args = publishArgs(h.clips.small, versionId);
        restartable.server.faults.set({ apiLatency: [{ entityType: 'ComponentLocation', ms: 600_000, times: 1 }] });
        const run = h.spawn(args, ctx);
        await h.waitWhileRunning(run, 'the registration reached the server', () => restartable.server.faults.heldApiCalls() === 1);
        await restartable.restart();
        const failed = await run.result;
        const view = await h.on(restartable.server, session);
        h.expectError(failed, 'E_FTRACK_FAILED');
        await view.expectNothingRegistered(versionId);
        expect(await view.orphans(), 'nothing stored without a registration').toEqual([]);
        await view.expectNoScratch(ctx);
        h.expectSuccess(await h.cli(args, ctx));
        await view.expectHealthy(versionId, REVIEW_SET);
        await view.expectRerunSkipped(args, ctx, versionId);
      } finally {
        await restartable.close();
      }
    },
  },
  {
    name: 'the same publish twice at once (one machine)',
    fault: 'two CLI processes, same source/version/TMPDIR, started together',
    expected: 'success',
    state: 'exactly one registration (the other run skipped); one ComponentLocation each',
    run: async (h) => {
      const ctx = await h.context('concurrent');
      const versionId = await h.newVersion();
      const args = publishArgs(h.clips.small, versionId);
      const [a, b] = await Promise.all([h.cli(args, ctx), h.cli(args, ctx)]);
      const results = [h.expectSuccess(a), h.expectSuccess(b)];
      expect(results.map((r) => r.skipped).sort()).toEqual([false, true]);
      expect(results[0]!.components.map((c) => c.id).sort()).toEqual(results[1]!.components.map((c) => c.id).sort());
      await h.expectHealthy(versionId, REVIEW_SET);
      await h.expectNoNewOrphans();
    },
  },
  {
    name: 'the same publish twice at once (two machines)',
    fault: 'two CLI processes with separate TMPDIRs (no shared lock), same source and version',
    expected: 'success',
    state: 'both report the same components; one ComponentLocation each, every file downloadable, no orphan',
    run: async (h) => {
      const [one, two] = [await h.context('two-machines-a'), await h.context('two-machines-b')];
      const versionId = await h.newVersion();
      const args = publishArgs(h.clips.small, versionId);
      const [a, b] = await Promise.all([h.cli(args, one), h.cli(args, two)]);
      // The state first (the promise that matters most), then what each run reported.
      await h.expectHealthy(versionId, REVIEW_SET);
      await h.expectNoNewOrphans();
      const results = [h.expectSuccess(a), h.expectSuccess(b)];
      expect(results[0]!.components.map((c) => c.id).sort()).toEqual(results[1]!.components.map((c) => c.id).sort());
      await h.expectRerunSkipped(args, one, versionId);
    },
  },
  {
    name: 'two different sources published at once to one version',
    fault: 'clip A and clip B published concurrently to the same version',
    expected: 'success',
    state: 'both registered (6 components), each healthy, one ComponentLocation each',
    run: async (h) => {
      const ctx = await h.context('two-sources');
      const versionId = await h.newVersion();
      const [a, b] = await Promise.all([h.cli(publishArgs(h.clips.small, versionId), ctx), h.cli(publishArgs(h.clips.other, versionId), ctx)]);
      h.expectSuccess(a);
      h.expectSuccess(b);
      await h.expectHealthy(versionId, [...REVIEW_SET, ...REVIEW_SET]);
      await h.expectNoNewOrphans();
    },
  },
];
