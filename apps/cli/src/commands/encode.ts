import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  EncodeError,
  EncodeMedia,
  describeColourPipeline,
  formatChecksum,
  formatRational,
  sourceLabel,
  type EncodeMediaResult,
  type EncodePlan,
  type HashAlgorithm,
} from '@ftrack-encode/core';
import { formatCommandLine } from '@ftrack-encode/ffmpeg';
import { backendChoices, backendHelp, createScope, encoderById, profileCatalog, type Scope } from '@ftrack-encode/composition';
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
import type { Terminal } from '../output/terminal.js';
import { logStage, withStageTimings } from '../output/stage-timings.js';

export interface EncodeFlags extends CommonFlags, SourceFlags, EncodeRunFlags {
  out?: string;
  hash?: HashAlgorithm;
}

export function encodeResultJson(result: EncodeMediaResult, backend: string) {
  return {
    source: sourceLabel(result.plan.source),
    profile: result.plan.profileName,
    profileHash: result.plan.profileHash,
    backend,
    encoder: { id: result.encoderId, version: result.encoderVersion },
    outputs: result.outputs.map((o) => ({
      name: o.name,
      path: o.path,
      checksum: formatChecksum(o.checksum),
      size: o.size,
      codec: o.info.codec,
      width: o.info.width,
      height: o.info.height,
      frames: o.info.frameCount,
      frameRate: formatRational(o.info.frameRate),
    })),
    planned: result.plan.outputs.map((o) => ({
      name: o.name,
      path: o.path,
      width: o.width,
      height: o.height,
      frames: o.frameCount,
      frameRate: formatRational(o.frameRate),
      // An output with its own colour block: the pipeline its pictures go through.
      ...(o.colour ? { colour: { ...o.colour, summary: describeColourPipeline(o.colour) } } : {}),
    })),
    ...(result.plan.colour ? { colour: { ...result.plan.colour, summary: describeColourPipeline(result.plan.colour) } } : {}),
    warnings: result.plan.warnings ?? [],
    skipped: result.plan.skipped,
    quality: result.quality.map((q) => ({
      output: q.output,
      ssim: q.ssim,
      psnr: Number.isFinite(q.psnr) ? q.psnr : null,
      minSsim: q.minSsim,
      frames: q.frames,
    })),
    commands: result.commands,
    ...(result.segments ? { segments: result.segments } : {}),
  };
}

export function printCommands(terminal: Terminal, commands: string[][]): void {
  for (const command of commands) terminal.print(formatCommandLine(command));
}

/** The plan's colour pipeline, then each output's own where it has one. */
export function noteColour(terminal: Terminal, plan: EncodePlan): void {
  if (plan.colour) terminal.note(`colour: ${describeColourPipeline(plan.colour)}`);
  for (const o of plan.outputs) if (o.colour) terminal.note(`colour of ${o.name}: ${describeColourPipeline(o.colour)}`);
}

/** Extra work around an encode (the QC report), inside its scope. */
export interface EncodeHooks {
  /** Before encoding: refuse early what `after` could not do with this scope. */
  ready?: (scope: Scope) => void;
  /** On the finished encode; what it returns joins the --json result. */
  after: (result: EncodeMediaResult, scope: Scope) => Promise<Record<string, unknown>>;
}

export async function runEncode(input: string, flags: EncodeFlags, hooks?: EncodeHooks): Promise<EncodeMediaResult & { backend: string }> {
  const { config, terminal, logger } = await setup(flags, {
    ...(flags.backend ? { backend: flags.backend } : {}),
    ...(flags.gaps ? { gapPolicy: flags.gaps } : {}),
    ...(flags.threads !== undefined ? { threads: flags.threads } : {}),
    ...(flags.hash ? { hashAlgorithm: flags.hash } : {}),
    ...sourceConfigFlags(flags),
  });
  const profile = profileCatalog(config).get(flags.profile ?? config.profile);
  if (encoderById(config.backend)?.capabilities.publishOnly) {
    throw new EncodeError('E_USAGE', `Backend "${config.backend}" is only available for publish.`, { hint: `Use --backend ${backendChoices('encode')}.` });
  }
  const scope = await createScope(config, { logger });
  terminal.note(`backend: ${scope.backend} (${scope.reason})`);
  let extra: Record<string, unknown> = {};
  try {
    hooks?.ready?.(scope);
  } catch (error) {
    await scope.close();
    throw error;
  }
  const result = await scope.container
    .resolve(EncodeMedia)
    .run(resolve(input), profile, {
      outputDir: resolve(flags.out ?? '.'),
      gapPolicy: config.gapPolicy,
      hashAlgorithm: config.hashAlgorithm,
      threads: config.threads,
      ...segmentsFor(flags.segments, profile.segments, config.segments),
      dryRun: Boolean(flags.dryRun),
      qualityGate: flags.qualityGate !== false,
      burninValues: { user: userInfo().username },
      signal: cancelOnSignals(),
      onProgress: withStageTimings(terminal.progress, logger),
    })
    .then(async (encoded) => {
      if (hooks && !flags.dryRun) extra = await hooks.after(encoded, scope);
      return encoded;
    })
    .finally(() => scope.close());
  logStage(logger, 'done');
  const backend = scope.backend;
  terminal.clearBar();
  if (flags.json) terminal.json({ ...encodeResultJson(result, backend), ...extra });
  else if (flags.dryRun) {
    noteColour(terminal, result.plan);
    printCommands(terminal, result.commands);
  } else {
    for (const o of result.outputs)
      terminal.print(`${o.name.padEnd(24)} ${o.path}  ${o.info.width}x${o.info.height} ${o.info.frameCount}f ${formatChecksum(o.checksum)}`);
    for (const s of result.plan.skipped) terminal.note(`skipped ${s.name}: ${s.reason}`);
    noteColour(terminal, result.plan);
    for (const w of result.plan.warnings ?? []) terminal.note(`warning: ${w}`);
    for (const [key, value] of Object.entries(extra)) terminal.print(`${key}: ${String(value)}`);
  }
  return { ...result, backend };
}

export function registerEncodeCommand(program: Command, run: (action: () => Promise<unknown>, flags: CommonFlags) => Promise<void>): void {
  addOutputOptions(
    addSourceOptions(
      addEncodeRunOptions(
        program
          .command('encode')
          .summary('encode a movie or image sequence into review media')
          .description(
            'Encode a movie or image sequence with a profile: one decode feeds every output, each output is\n' +
              'validated (decodes, exact frame count, size, codec, faststart) and checksummed, then moved into\n' +
              '--out. Sequences: shot.%04d.exr, shot.####.exr, shot.@@@@.exr or shot.#.exr (# repeated = digits).\n' +
              'Scene-linear EXR and log DPX get a display transform (an OCIO view with --ocio-config or $OCIO,\n' +
              'else a built-in sRGB curve); see docs/colour.md and `probe` for how a source will be read.',
          )
          .argument('<input>', 'movie file or image sequence pattern')
          .option('-p, --profile <name>', 'encode profile (see `profiles list`)')
          .option('-o, --out <dir>', 'output directory', '.')
          .option('-b, --backend <backend>', backendChoices('encode'))
          .option('--hash <algorithm>', 'output checksum: sha256 | md5 | sha1')
          .option('-n, --dry-run', 'print the exact ffmpeg command lines and encode nothing'),
      ),
    ),
  )
    .addHelpText('after', `\n${backendHelp('encode')}`)
    .action(async (input: string, flags: EncodeFlags) => run(() => runEncode(input, flags), flags));
}
