import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { EncodeError } from '@ftrack-encode/core';
import { composeJobDeps } from '@ftrack-encode/composition';
import type { JobResult } from '@ftrack-encode/encoder-farm';
import { openFtrackTarget } from '../ftrack/ftrack-target.js';
import { addOutputOptions, cancelOnSignals, setup, type CommonFlags } from './shared-options.js';

interface RunJobFlags extends CommonFlags {
  spec: string;
  scratch?: string;
}

/**
 * The farm's unit of work without Redis: Deadline, OpenCue or any farm manager runs
 * `ftrack-encode run-job --spec job.json` on a render node; the JSON is the same JobSpec a
 * BullMQ job carries (references only, no credentials: the node's own FTRACK_* env is used).
 */
export async function runJob(flags: RunJobFlags): Promise<JobResult> {
  const { config, terminal, logger } = await setup(flags);
  const spec = JSON.parse(
    await readFile(resolve(flags.spec), 'utf8').catch((error: unknown) => {
      throw new EncodeError('E_USAGE', `Cannot read job spec ${flags.spec}: ${String(error)}`);
    }),
  ) as unknown;
  const { runJobSpec } = await import('@ftrack-encode/encoder-farm');
  const needsFtrack =
    typeof spec === 'object' &&
    spec !== null &&
    ((spec as { kind?: string }).kind === 'publish' || (spec as { source?: { kind?: string } }).source?.kind === 'component');
  const target = needsFtrack ? await openFtrackTarget(config, logger, {}) : undefined;
  const scratchDir = flags.scratch ? resolve(flags.scratch) : await mkdtemp(join(tmpdir(), 'ftrack-encode-run-job-'));
  let jobDeps: Awaited<ReturnType<typeof composeJobDeps>> | undefined;
  try {
    // The same wiring as a daemon worker: native encoder, a scope per publish, this machine's file lock.
    jobDeps = await composeJobDeps(config, { logger, scratchDir, threads: config.threads, ...(target ? { ftrack: target } : {}) });
    const result = await runJobSpec(spec as Parameters<typeof runJobSpec>[0], jobDeps.deps, { signal: cancelOnSignals(), onProgress: terminal.progress });
    terminal.clearBar();
    if (flags.json) terminal.json(result);
    else
      terminal.print(
        result.kind === 'encode'
          ? result.outputs.map((o) => `${o.name.padEnd(24)} ${o.path} ${o.checksum}`).join('\n')
          : result.kind === 'step'
            ? result.outputs.join('\n')
            : `publish ${result.skipped ? 'skipped' : 'done'}: ${result.components.length} components on ${result.versionId}`,
      );
    return result;
  } finally {
    await jobDeps?.close();
    if (!flags.scratch) await rm(scratchDir, { recursive: true, force: true });
    if (target?.embedded) await target.embedded.close();
  }
}

export function registerRunJobCommand(program: Command, run: (action: () => Promise<unknown>, flags: CommonFlags) => Promise<void>): void {
  addOutputOptions(
    program
      .command('run-job')
      .summary('run one farm job spec (JSON) on this machine, without Redis')
      .description(
        'Runs the same unit of work as a farm daemon job, for other farm managers (Deadline, OpenCue):\n' +
          '{"kind":"encode","plan":...,"sourceChecksum":...} or {"kind":"publish","source":{"kind":"path","input":...}\n' +
          '| {"kind":"component","componentId":...},"versionId":...,"profile":...}. Exit code = the error code table.',
      )
      .requiredOption('--spec <file>', 'job spec JSON file')
      .option('--scratch <dir>', 'scratch directory (default: a temp dir, removed afterwards)'),
  ).action(async (flags: RunJobFlags) => run(() => runJob(flags), flags));
}
