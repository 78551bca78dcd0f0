// Real signals to the built CLI during encode, upload and registration: E_CANCELLED on stdout (--json),
// exit 128+signal, no partial file in --out, no publish scratch directory in TMPDIR, nothing registered,
// nothing orphaned — and a re-run right after succeeds (the publish lock was released).
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import { storedFiles } from '../../support/ftrack.js';
import { listTree, publishArgs, type Harness, type RowContext } from '../harness.js';
import type { ReliabilityCase } from '../table.js';

type Signal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';
type Stage = 'encode' | 'publish encode' | 'upload' | 'registration';

const EXIT: Record<Signal, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

async function partialIn(dir: string): Promise<boolean> {
  return (await listTree(dir)).some((f) => f.includes('.partial'));
}

async function uploadsInFlight(h: Harness): Promise<number> {
  return (await storedFiles(h.server)).filter((f) => basename(f).startsWith('.tmp-')).length;
}

interface Scenario {
  args: string[];
  versionId?: string;
  /** Arms the fault (if any) and resolves once the run is in the stage. */
  reach(run: ReturnType<Harness['spawn']>): Promise<void>;
}

function scenario(h: Harness, ctx: RowContext, stage: Stage, versionId: string): Scenario {
  switch (stage) {
    case 'encode':
      return {
        // 10 s 640x360 into a proxy: seconds of encoding after the first .partial appears.
        args: ['encode', h.clips.long, '--out', ctx.out, '--profile', 'proxy', '--json'],
        reach: (run) => h.waitWhileRunning(run, 'the encode wrote a .partial file in --out', () => partialIn(ctx.out)),
      };
    case 'publish encode':
      return {
        args: publishArgs(h.clips.long, versionId, '--profile', 'proxy'),
        versionId,
        reach: (run) => h.waitWhileRunning(run, 'the encode wrote a .partial file in the scratch dir', () => partialIn(ctx.tmp)),
      };
    case 'upload':
      h.server.faults.set({ storageBytesPerSecond: 8 * 1024 });
      return {
        args: publishArgs(h.clips.medium, versionId),
        versionId,
        reach: (run) => h.waitWhileRunning(run, 'an upload was in flight', async () => (await uploadsInFlight(h)) > 0),
      };
    case 'registration':
      // Held 3 s: the signal lands while the call is in flight; the call then completes.
      h.server.faults.set({ apiLatency: [{ entityType: 'ComponentLocation', ms: 3000, times: 1 }] });
      return {
        args: publishArgs(h.clips.small, versionId),
        versionId,
        reach: (run) => h.waitWhileRunning(run, 'the registration call was held by the server', () => h.server.faults.heldApiCalls() === 1),
      };
  }
}

/** After the run: held calls released (dropped: their client is gone), dead uploads discarded. */
async function settle(h: Harness): Promise<void> {
  h.server.faults.releaseHeld();
  await h.waitFor('held calls to end', () => h.server.faults.heldApiCalls() === 0);
  await h.waitFor('the server to drop half-received uploads', async () => (await uploadsInFlight(h)) === 0);
  h.server.faults.clear();
}

function signalRow(stage: Stage, signal: Signal): ReliabilityCase {
  return {
    name: `${signal} during ${stage}`,
    fault: `${signal} sent to the CLI ${stage === 'upload' ? 'while storage is throttled to 8 KiB/s and a file is in flight' : stage === 'registration' ? 'while the server holds the registration call' : 'once a .partial output exists'}`,
    expected: 'E_CANCELLED',
    state: `exit ${EXIT[signal]}; nothing registered/orphaned; no .partial in --out; no scratch in TMPDIR; re-run succeeds`,
    timeoutMs: 180_000,
    run: async (h) => {
      const ctx = await h.context(`${signal}-${stage}`);
      const versionId = await h.newVersion();
      const s = scenario(h, ctx, stage, versionId);
      const run = h.spawn(s.args, ctx);
      await s.reach(run);
      run.child.kill(signal);
      const result = await h.exitWithin(run, signal).finally(() => settle(h));
      h.expectError(result, 'E_CANCELLED', { exit: EXIT[signal] });
      await h.expectNoTrace(ctx, s.versionId);
      // The same command again: runs to the end (a held lock would make it wait or be skipped).
      const rerun = await h.cli(s.args, ctx);
      expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0);
      if (s.versionId) {
        expect(h.expectSuccess(rerun).skipped, 'the re-run published (nothing was registered before)').toBe(false);
        await h.expectHealthy(s.versionId);
      }
      await h.expectNoScratch(ctx);
    },
  };
}

/**
 * Once the registration call is sent it is not interrupted (README, docs/publish.md): a signal that
 * lands while it is in flight lets it finish and the outcome is reported as it is — here, success.
 */
function signalDuringRegistration(signal: Signal): ReliabilityCase {
  return {
    name: `${signal} during registration`,
    fault: `${signal} sent while the server holds the registration call (3 s)`,
    expected: 'success',
    state: 'the sent registration completes: healthy, one ComponentLocation each, no orphan, no scratch; re-run skipped',
    run: async (h) => {
      const ctx = await h.context(`${signal}-registration`);
      const versionId = await h.newVersion();
      const s = scenario(h, ctx, 'registration', versionId);
      const run = h.spawn(s.args, ctx);
      await s.reach(run);
      run.child.kill(signal);
      const result = await h.exitWithin(run, signal).finally(() => settle(h));
      await h.expectHealthy(versionId, ['ftrackreview-mp4', 'ftrackreview-webm', 'thumbnail']);
      await h.expectNoNewOrphans();
      await h.expectNoScratch(ctx);
      expect(h.expectSuccess(result).skipped).toBe(false);
      await h.expectRerunSkipped(s.args, ctx, versionId);
    },
  };
}

export const signalCases: ReliabilityCase[] = [
  signalRow('encode', 'SIGINT'),
  signalRow('encode', 'SIGTERM'),
  signalRow('publish encode', 'SIGINT'),
  signalRow('publish encode', 'SIGTERM'),
  signalRow('upload', 'SIGINT'),
  signalRow('upload', 'SIGTERM'),
  signalRow('upload', 'SIGHUP'),
  signalDuringRegistration('SIGINT'),
  signalDuringRegistration('SIGTERM'),
  {
    name: 'a second SIGINT exits at once',
    fault: 'SIGINT while the server holds the registration (and every later query), then SIGINT again',
    expected: 'E_CANCELLED',
    state:
      'exit 130 without waiting for the held calls, scratch removed; nothing registered; a re-run adopts the identical file it left and ends healthy, no orphan',
    timeoutMs: 180_000,
    run: async (h) => {
      const ctx = await h.context('second-sigint');
      const versionId = await h.newVersion();
      const args = publishArgs(h.clips.small, versionId);
      h.server.faults.set({ apiLatency: [{ entityType: 'ComponentLocation', ms: 600_000, times: 1 }] });
      const run = h.spawn(args, ctx);
      await h.waitWhileRunning(run, 'the registration call was held', () => h.server.faults.heldApiCalls() === 1);
      // From now on every query (a read-back, a lookup) is held too: cleanup cannot finish on its own.
      h.server.faults.set({ apiLatency: [{ action: 'query', ms: 600_000 }] });
      let exited = false;
      void run.result.then(() => (exited = true));
      run.child.kill('SIGINT');
      await sleep(500); // let the first signal start the cleanup
      if (!exited) run.child.kill('SIGINT');
      const result = await h.exitWithin(run, 'the second SIGINT');
      expect(h.server.faults.heldApiCalls(), 'it did not wait for the held calls').toBeGreaterThan(0);
      h.expectError(result, 'E_CANCELLED', { exit: 130, json: false });
      await h.expectNoScratch(ctx);
      await settle(h);
      await h.expectNothingRegistered(versionId);
      // Encodes are byte-identical (bitexact muxing), so the file the emergency exit left holds the
      // very bytes the re-run makes: the re-run adopts it instead of calling it a conflict.
      const rerun = h.expectSuccess(await h.cli(args, ctx));
      expect(rerun.skipped).toBe(false);
      await h.expectHealthy(versionId);
      await h.expectNoNewOrphans();
    },
  },
];
