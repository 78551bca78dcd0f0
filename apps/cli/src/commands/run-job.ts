import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { EncodeError, PublishReview, TOKENS, type ReviewRegistry, type StorageAccessor } from '@ftrack-encode/core';
import type { FarmJobDeps, JobResult } from '@ftrack-encode/encoder-farm';
import { createContainer, profileCatalog } from '../composition-root.js';
import { createPublishContainer, registerLocation } from '../ftrack/publish-container.js';
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
  const spec = JSON.parse(await readFile(resolve(flags.spec), 'utf8').catch((error: unknown) => {
    throw new EncodeError('E_USAGE', `Cannot read job spec ${flags.spec}: ${String(error)}`);
  })) as unknown;
  const container = await createContainer(config, 'native', logger);
  const { registerFtrack } = await import('@ftrack-encode/ftrack');
  const { runJobSpec } = await import('@ftrack-encode/encoder-farm');
  const scratchDir = flags.scratch ? resolve(flags.scratch) : await mkdtemp(join(tmpdir(), 'ftrack-encode-run-job-'));
  const catalog = profileCatalog(config);
  const deps: FarmJobDeps = {
    encoder: container.resolve(TOKENS.Encoder),
    probe: container.resolve(TOKENS.MediaProbe),
    hasher: container.resolve(TOKENS.Hasher),
    fs: container.resolve(TOKENS.FileSystem),
    logger,
    scratchDir,
    threads: config.threads,
    profile: (name) => catalog.get(name),
  };
  const needsFtrack = typeof spec === 'object' && spec !== null && ((spec as { kind?: string }).kind === 'publish' || (spec as { source?: { kind?: string } }).source?.kind === 'component');
  const target = needsFtrack ? await openFtrackTarget(config, logger, {}) : undefined;
  const closers: (() => Promise<void>)[] = [];
  if (target) {
    const session = { serverUrl: target.serverUrl, apiUser: target.apiUser, apiKey: target.apiKey };
    const lookups = registerFtrack(container.createChildContainer(), session);
    closers.push(lookups.close);
    deps.registry = lookups.registry as ReviewRegistry;
    deps.storage = async (name): Promise<StorageAccessor | undefined> =>
      registerLocation(container.createChildContainer(), config, target, name, lookups).catch(() => undefined);
    // The same wiring as `publish` on this machine: native encoder, own session, file lock.
    deps.runPublish = async (location, request) => {
      const wiring = await createPublishContainer(config, 'native', target, location ?? config.location, logger);
      try {
        return await wiring.container.resolve(PublishReview).run(request);
      } finally {
        await wiring.ftrack.close();
      }
    };
  }
  try {
    const result = await runJobSpec(spec as Parameters<typeof runJobSpec>[0], deps, { signal: cancelOnSignals(), onProgress: terminal.progress });
    terminal.clearBar();
    if (flags.json) terminal.json(result);
    else terminal.print(result.kind === 'encode' ? result.outputs.map((o) => `${o.name.padEnd(24)} ${o.path} ${o.checksum}`).join('\n') : `publish ${result.skipped ? 'skipped' : 'done'}: ${result.components.length} components on ${result.versionId}`);
    return result;
  } finally {
    for (const close of closers) await close().catch(() => undefined);
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
