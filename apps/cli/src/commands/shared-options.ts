import type { Command } from 'commander';
import { EncodeError, type Config, type ConfigInput, type GapPolicy, type SegmentsSetting } from '@ftrack-encode/core';
import { StreamLogger } from '@ftrack-encode/node-platform';
import { loadAppConfig } from '@ftrack-encode/composition';
import { Terminal } from '../output/terminal.js';
import { processSignals } from '../process-signals.js';

export interface CommonFlags {
  json?: boolean;
  quiet?: boolean;
  config?: string;
  verbose?: boolean;
}

export function addOutputOptions(command: Command): Command {
  return command
    .option('--json', 'print one machine-readable JSON result on stdout (errors too)')
    .option('-q, --quiet', 'no progress, only results and errors')
    .option('-v, --verbose', 'debug logging on stderr (encode/publish: when each stage began, ms after start)')
    .option('--config <file>', 'config file (default ./ftrack-encode.config.json or $FTRACK_ENCODE_CONFIG)');
}

/** How to read the source: colour, sequence rate, audio tracks, EXR layer (encode and publish). */
export interface SourceFlags {
  inputColourspace?: string;
  ocioConfig?: string;
  display?: string;
  view?: string;
  fps?: string;
  layer?: string;
  audioTracks?: number[];
}

export function addSourceOptions(command: Command): Command {
  return command
    .option(
      '--input-colourspace <name>',
      'read the source as this colourspace (built-in: bt709, bt601, bt2020, srgb, scene-linear, cineon-log; or an OCIO colourspace)',
    )
    .option('--ocio-config <file>', 'OpenColorIO config for the display transform (default $OCIO or colour.ocioConfig)')
    .option('--display <name>', 'display: an OCIO display, or without OCIO srgb | bt1886 (default srgb)')
    .option('--view <name>', 'OCIO view of the display (default: its first view)')
    .option('--fps <rate>', 'image sequence rate: 24, 25, 23.976, 24000/1001 (default: the EXR/DPX header, then 24)', parseRateOption)
    .option('--layer <name>', 'EXR layer to encode (default: the RGBA of the first part)')
    .option('--audio-tracks <list>', 'audio tracks to mix, 1-based: 1,2 (default: all)', parseTrackList);
}

function parseRateOption(value: string): string {
  if (!/^\d+(\.\d+)?(\/\d+)?$/.test(value.trim()) || Number(value.split('/')[0]) <= 0) {
    throw new EncodeError('E_USAGE', `--fps takes a rate such as 24, 25, 23.976 or 24000/1001; got "${value}".`);
  }
  return value.trim();
}

function parseTrackList(value: string): number[] {
  const tracks = value.split(',').map((t) => Number(t.trim()));
  if (tracks.length === 0 || tracks.some((n) => !Number.isInteger(n) || n < 1))
    throw new EncodeError('E_USAGE', `--audio-tracks takes 1-based numbers such as 1,2; got "${value}".`);
  return tracks;
}

/** Source flags as config fields (flags win over the file and the environment). */
export function sourceConfigFlags(flags: SourceFlags): ConfigInput {
  const colour = {
    ...(flags.inputColourspace ? { inputColourspace: flags.inputColourspace } : {}),
    ...(flags.ocioConfig ? { ocioConfig: flags.ocioConfig } : {}),
    ...(flags.display ? { display: flags.display } : {}),
    ...(flags.view ? { view: flags.view } : {}),
  };
  return {
    ...(Object.keys(colour).length ? { colour } : {}),
    ...(flags.fps ? { fps: flags.fps } : {}),
    ...(flags.layer ? { exrLayer: flags.layer } : {}),
    ...(flags.audioTracks ? { audioTracks: flags.audioTracks } : {}),
  };
}

export async function setup(flags: CommonFlags, configFlags: ConfigInput = {}): Promise<{ config: Config; terminal: Terminal; logger: StreamLogger }> {
  const terminal = new Terminal({ json: Boolean(flags.json), quiet: Boolean(flags.quiet) });
  const config = await loadAppConfig({ ...(flags.config ? { path: flags.config } : {}), flags: configFlags });
  const logger = new StreamLogger({ level: flags.verbose ? 'debug' : 'warn', json: Boolean(flags.json) });
  return { config, terminal, logger };
}

export function parseIntOption(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new EncodeError('E_USAGE', `${name} must be a non-negative integer, got "${value}".`);
    return n;
  };
}

/** `--segments N|auto`: a positive count or auto. */
export function parseSegmentsOption(value: string): SegmentsSetting {
  if (value === 'auto') return 'auto';
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new EncodeError('E_USAGE', `--segments must be auto or a whole number 1..64, got "${value}".`);
  return n;
}

/** The run's segments: the flag, else the profile's, else the config's default. */
export function segmentsFor(...settings: (SegmentsSetting | undefined)[]): { segments?: SegmentsSetting } {
  const segments = settings.find((s) => s !== undefined);
  return segments === undefined ? {} : { segments };
}

export const SEGMENTS_HELP =
  'split the source into N frame-exact segments encoded in parallel, then joined (auto: by cores, on the farm by daemons seen, and length; docs/segments.md)';

/** What `encode` and `publish` both say about the encode itself. */
export interface EncodeRunFlags {
  profile?: string;
  backend?: string;
  dryRun?: boolean;
  /** Commander's --no-quality-gate. */
  qualityGate?: boolean;
  gaps?: GapPolicy;
  threads?: number;
  segments?: SegmentsSetting;
}

/** The encode options `encode` and `publish` share (the profile, backend and dry run each explain in their own words). */
export function addEncodeRunOptions(command: Command): Command {
  return command
    .option('--gaps <policy>', 'missing frames in a sequence: error | hold | black')
    .option('--threads <n>', 'threads per encode (0 = ffmpeg decides)', parseIntOption('--threads'))
    .option('--segments <n|auto>', SEGMENTS_HELP, parseSegmentsOption)
    .option('--no-quality-gate', 'skip comparing each video output with the source (SSIM/PSNR on sampled frames)');
}

/** Aborted by Ctrl-C / SIGTERM / SIGHUP so the use case can clean up (temp files, half uploads). */
export function cancelOnSignals(): AbortSignal {
  return processSignals.signal;
}
