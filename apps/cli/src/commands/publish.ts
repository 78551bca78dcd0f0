import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  EncodeError,
  PublishReview,
  isEncodeError,
  redactSecrets,
  type Config,
  type EncodeMediaResult,
  type RegistrationKey,
  type Logger,
  type PublishReviewResult,
} from '@ftrack-encode/core';
import { backendChoices, backendHelp, createScope, profileCatalog, storageHelp, type Scope } from '@ftrack-encode/composition';
import { farmSettings } from '@ftrack-encode/encoder-farm/descriptor';
import { openFtrackTarget, type FtrackTarget } from '../ftrack/ftrack-target.js';
import { processSignals } from '../process-signals.js';
import {
  addEncodeRunOptions,
  addOutputOptions,
  addSourceOptions,
  cancelOnSignals,
  segmentsFor,
  setup,
  sourceConfigFlags,
  type CommonFlags,
  type EncodeRunFlags,
  type SourceFlags,
} from './shared-options.js';
import { printCommands } from './encode.js';
import { parseFrames } from './qc.js';
import { requireQcRenderer, writeQcReport } from '../qc/write-report.js';
import type { Terminal } from '../output/terminal.js';
import { logStage, withStageTimings } from '../output/stage-timings.js';

export interface PublishFlags extends CommonFlags, SourceFlags, EncodeRunFlags {
  version?: string;
  component?: string;
  location?: string;
  rehash?: boolean;
  /** Write the visual QC report of the encode here before storing. */
  report?: string;
  frames?: number;
  /** Keep the embedded server running after the publish (demo on a terminal). */
  serve?: boolean;
  port?: number;
}

export interface PublishOutcome {
  result: PublishReviewResult;
  reviewUrl: string;
  target: FtrackTarget;
  /** The QC report's index.html (publish --report). */
  report?: string;
}

export function publishResultJson(outcome: PublishOutcome) {
  const { result } = outcome;
  return {
    versionId: result.versionId,
    skipped: result.skipped,
    components: result.components.map((c) => ({ id: c.id, name: c.name, location: result.locationName, checksum: c.checksum, size: c.size })),
    reviewUrl: outcome.reviewUrl,
    ...(outcome.report ? { report: outcome.report } : {}),
  };
}

/** Source in ftrack (--component, or --version without an input): download it through its location. */
async function fetchSourceFromFtrack(flags: PublishFlags, scope: Scope, scratch: string): Promise<{ path: string; versionId: string }> {
  const ftrack = scope.ftrack as NonNullable<Scope['ftrack']>;
  const ref = flags.component ? { componentId: flags.component } : { versionId: flags.version as string };
  const source = await ftrack.registry.findSourceComponent(ref);
  const versionId = flags.version ?? source.versionId;
  if (!versionId) throw new EncodeError('E_USAGE', `Component ${source.componentId} is not on a version; give --version.`);
  for (const location of source.locations) {
    try {
      const accessor = await scope.location(location.locationName);
      const path = join(scratch, `${source.name}${source.fileType}`);
      await accessor.get(location.resourceIdentifier, path, { signal: cancelOnSignals() });
      return { path, versionId };
    } catch (error) {
      if (isEncodeError(error, 'E_CANCELLED')) throw error;
      continue; // not a location this machine can read; try the next
    }
  }
  throw new EncodeError('E_SOURCE_NOT_ACCESSIBLE', `Component ${source.componentId} (${source.name}) is in no location this machine can read.`, {
    hint: 'Upload it to ftrack.server or configure its disk location in "locations".',
    details: { locations: source.locations.map((l) => l.locationName) },
  });
}

export async function runPublish(
  input: string | undefined,
  flags: PublishFlags,
  io?: { terminal: Terminal; config: Config; logger: Logger },
): Promise<PublishOutcome> {
  const { config, terminal, logger } =
    io ??
    (await setup(flags, {
      ...(flags.backend ? { backend: flags.backend } : {}),
      ...(flags.gaps ? { gapPolicy: flags.gaps } : {}),
      ...sourceConfigFlags(flags),
    }));
  if (!input && !flags.version && !flags.component) {
    throw new EncodeError('E_USAGE', 'publish needs an <input>, or --version/--component to take the source from ftrack.');
  }
  if (flags.frames !== undefined && !flags.report) throw new EncodeError('E_USAGE', "--frames sets the QC report's contact sheet; give --report DIR too.");
  if (flags.report && config.backend === 'farm') {
    throw new EncodeError('E_USAGE', `publish --report needs a local encode; backend "${config.backend}" encodes elsewhere.`, {
      hint: 'Use --backend native, or run `ftrack-encode qc` on the source.',
    });
  }
  if (config.backend === 'farm') return publishOnFarm(input, flags, { config, terminal, logger });
  const serverSide = config.backend === 'ftrack';
  // ftrack's encode_media makes one mp4 and one image: its own profile unless one is named.
  const profile = profileCatalog(config).get(flags.profile ?? (serverSide ? 'ftrack-server' : config.profile));
  const signal = cancelOnSignals();
  const target = await openFtrackTarget(config, logger, flags.port !== undefined ? { port: flags.port } : {});
  let scope: Scope | undefined;
  let scratch: string | undefined;
  let forgetScratch: () => void = () => undefined;
  try {
    if (target.embedded) terminal.note(`ftrack: embedded ftrack-local at ${target.serverUrl} (set FTRACK_SERVER to publish to your ftrack)`);
    scope = await createScope(config, { logger, ftrack: target, location: flags.location ?? config.location });
    terminal.note(`backend: ${scope.backend} (${scope.reason})`);
    if (flags.report) requireQcRenderer(scope.container, scope.backend);
    scratch = await mkdtemp(join(tmpdir(), 'ftrack-encode-publish-'));
    const scratchDir = scratch;
    forgetScratch = processSignals.onForcedExit(() => rmSync(scratchDir, { recursive: true, force: true }));
    let source = input ? resolve(input) : undefined;
    let versionId = flags.version ?? target.embedded?.seed?.versionId;
    if (!source) ({ path: source, versionId } = await fetchSourceFromFtrack(flags, scope, scratch));
    if (!versionId) throw new EncodeError('E_USAGE', 'publish needs --version ID (the AssetVersion to attach review media to).');
    let report: string | undefined;
    const reportScope = scope;
    const result = await scope.container.resolve(PublishReview).run({
      input: source,
      versionId,
      profile,
      scratchDir: scratch,
      gapPolicy: config.gapPolicy,
      hashAlgorithm: config.hashAlgorithm,
      threads: flags.threads ?? config.threads,
      ...segmentsFor(flags.segments, profile.segments, config.segments),
      dryRun: Boolean(flags.dryRun),
      rehash: Boolean(flags.rehash),
      qualityGate: flags.qualityGate !== false,
      burninValues: { user: userInfo().username },
      signal,
      onProgress: withStageTimings(terminal.progress, logger),
      ...(flags.report
        ? {
            beforeStore: async (encoded: EncodeMediaResult, key: RegistrationKey) => {
              terminal.note(`writing the QC report into ${flags.report}`);
              report = await writeQcReport(
                reportScope.container,
                encoded,
                {
                  dir: flags.report!,
                  backend: reportScope.backend,
                  sourceChecksum: key.sourceChecksum,
                  ...(flags.frames !== undefined ? { frames: flags.frames } : {}),
                },
                { signal },
              );
            },
          }
        : {}),
    });
    logStage(logger, 'done');
    terminal.clearBar();
    const outcome = { result, reviewUrl: target.reviewUrl(versionId), target, ...(report ? { report } : {}) };
    if (flags.json) terminal.json(publishResultJson(outcome));
    else if (flags.dryRun) printCommands(terminal, result.commands);
    else {
      terminal.print(
        result.skipped ? `already published (${result.reason}); nothing to do` : `published ${result.components.length} components to version ${versionId}`,
      );
      for (const c of result.components) terminal.print(`  ${c.name.padEnd(24)} ${c.id}  ${c.size} bytes  ${c.checksum}`);
      terminal.print(`review: ${outcome.reviewUrl}`);
      if (report) terminal.print(`report: ${report}`);
    }
    return outcome;
  } finally {
    await scope?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
    forgetScratch();
    if (target.embedded && !flags.serve) await target.embedded.close();
  }
}

/**
 * --backend farm: the whole publish runs on a farm worker (which has its own ftrack credentials);
 * this process submits references only — the source path on shared storage or a component id.
 */
async function publishOnFarm(
  input: string | undefined,
  flags: PublishFlags,
  io: { config: Config; terminal: Terminal; logger: Logger },
): Promise<PublishOutcome> {
  const { config, terminal, logger } = io;
  if (!flags.version) throw new EncodeError('E_USAGE', 'publish --backend farm needs --version ID (workers publish to your ftrack, not an embedded one).');
  const profile = profileCatalog(config).get(flags.profile ?? config.profile);
  const { FarmClient } = await import('@ftrack-encode/encoder-farm');
  const farm = farmSettings(config);
  const client = new FarmClient({ redisUrl: farm.redisUrl, prefix: farm.queuePrefix, logger });
  try {
    const source = input
      ? { kind: 'path' as const, input: resolve(input) }
      : flags.component
        ? { kind: 'component' as const, componentId: flags.component }
        : undefined;
    if (!source) throw new EncodeError('E_USAGE', 'publish --backend farm needs <input> (on shared storage) or --component ID.');
    terminal.note(`backend: farm (${redactSecrets(farm.redisUrl)})`);
    const result = await client.run(
      {
        kind: 'publish',
        source,
        versionId: flags.version,
        profile,
        location: flags.location ?? config.location,
        gapPolicy: config.gapPolicy,
        hashAlgorithm: config.hashAlgorithm,
        // A count or auto: the daemon that takes the job splits it into one job per segment (a BullMQ flow).
        ...segmentsFor(flags.segments, profile.segments, config.segments),
      },
      { signal: cancelOnSignals(), onProgress: terminal.progress },
    );
    if (result.kind !== 'publish') throw new EncodeError('E_JOB_FAILED', 'The farm returned an encode result for a publish job.');
    const serverUrl = config.ftrack.serverUrl ?? '';
    const outcome: PublishOutcome = {
      result: {
        versionId: result.versionId,
        skipped: result.skipped,
        locationName: result.locationName,
        components: result.components,
        commands: [],
        key: result.key,
        ...(result.reason ? { reason: result.reason } : {}),
      },
      reviewUrl: `${serverUrl.replace(/\/+$/, '')}/#entityId=${result.versionId}&entityType=assetversion&itemId=projects`,
      target: { serverUrl, apiUser: config.ftrack.apiUser ?? '', apiKey: '', reviewUrl: () => '' },
    };
    terminal.clearBar();
    if (flags.json) terminal.json(publishResultJson(outcome));
    else
      terminal.print(`${result.skipped ? 'already published' : `published ${result.components.length} components`} to version ${result.versionId} on the farm`);
    return outcome;
  } finally {
    await client.close();
  }
}

export function registerPublishCommand(program: Command, run: (action: () => Promise<unknown>, flags: CommonFlags) => Promise<void>): void {
  addOutputOptions(
    addSourceOptions(
      addEncodeRunOptions(
        program
          .command('publish')
          .summary('encode review media and register it on an ftrack AssetVersion')
          .description(
            'resolve → probe → plan → skip if already registered (same source checksum + profile) → encode →\n' +
              'validate → store → register (one batched ftrack call) → announce. Nothing is left half registered:\n' +
              'a failure removes what was stored. With no FTRACK_SERVER, publishes to the embedded ftrack-local\n' +
              '(its seeded demo version when --version is not given). Without <input>, the source is taken from\n' +
              'ftrack: --component ID, or the largest non-review component of --version.',
          )
          .argument('[input]', 'movie file or image sequence pattern')
          .option('--version <id>', 'AssetVersion id to publish to')
          .option('--component <id>', 'source component in ftrack (instead of <input>)')
          .option('-p, --profile <name>', 'encode profile', undefined)
          .option('-l, --location <name>', 'ftrack.server or a location from the config\'s "locations"', undefined)
          .option('-b, --backend <backend>', backendChoices('publish'))
          .option('-n, --dry-run', 'resolve and plan; print the ffmpeg command lines; register nothing')
          .option('--rehash', 'read the source again even if its checksum is cached (by path, size, mtime, inode)')
          .option('--report <dir>', 'write the visual QC report of the encode into <dir> before storing (see `qc --help`)')
          .option('--frames <n>', 'with --report: contact sheet frames (default: one per second)', parseFrames),
      ),
    ),
  )
    .addHelpText('after', `\n${backendHelp('publish')}\n\n${storageHelp()}`)
    .action(async (input: string | undefined, flags: PublishFlags) => run(() => runPublish(input, flags), flags));
}
