import { Config, type ConfigInput } from './config-schema.js';
import { EncodeError } from '../errors.js';
import type { SourceSettings } from '../domain/source-settings.js';

type Env = Record<string, string | undefined>;

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const current = out[key];
    out[key] =
      value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object' && !Array.isArray(current)
        ? deepMerge(current as Record<string, unknown>, value as Record<string, unknown>)
        : value;
  }
  return out;
}

/** ftrack's own environment names, plus ours. */
export function configFromEnv(env: Env): ConfigInput {
  return {
    ...(env['FFMPEG_PATH'] ? { ffmpegPath: env['FFMPEG_PATH'] } : {}),
    ...(env['FFPROBE_PATH'] ? { ffprobePath: env['FFPROBE_PATH'] } : {}),
    ftrack: {
      ...(env['FTRACK_SERVER'] ? { serverUrl: env['FTRACK_SERVER'] } : {}),
      ...(env['FTRACK_API_USER'] ? { apiUser: env['FTRACK_API_USER'] } : {}),
      ...(env['FTRACK_API_KEY'] ? { apiKey: env['FTRACK_API_KEY'] } : {}),
    },
    // OpenColorIO's own variable: the studio config every DCC already uses.
    ...(env['OCIO'] ? { colour: { ocioConfig: env['OCIO'] } } : {}),
  };
}

/** Merge file < env < flags and validate; a bad field fails with its path. */
export function resolveConfig(layers: { file?: unknown; fileName?: string; env?: Env; flags?: ConfigInput }): Config {
  const file = (layers.file ?? {}) as Record<string, unknown>;
  const merged = deepMerge(deepMerge(file, configFromEnv(layers.env ?? {}) as Record<string, unknown>), (layers.flags ?? {}) as Record<string, unknown>);
  const result = Config.safeParse(merged);
  if (result.success) return result.data;
  const where = layers.fileName ?? 'config';
  const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new EncodeError('E_CONFIG_INVALID', `Invalid configuration (${where}): ${issues.join('; ')}`, {
    hint: 'Fix the field named above in the config file, environment or flags.',
    details: { issues },
  });
}

/** What EncodeMedia needs to interpret sources, from the resolved config. */
export function sourceSettingsFrom(config: Config): SourceSettings {
  const c = config.colour;
  return {
    ...(c.inputColourspace ? { inputColourspace: c.inputColourspace } : {}),
    ...(c.ocioConfig ? { ocioConfig: c.ocioConfig } : {}),
    ...(c.display ? { display: c.display } : {}),
    ...(c.view ? { view: c.view } : {}),
    ...(c.shaperSpace ? { shaperSpace: c.shaperSpace } : {}),
    ...(c.cubeSize ? { cubeSize: c.cubeSize } : {}),
    rules: config.sourceRules.map((r) => ({
      pattern: r.pattern,
      ...(r.colourspace ? { colourspace: r.colourspace } : {}),
      ...(r.frameRate ? { frameRate: r.frameRate } : {}),
    })),
    ...(config.fps ? { frameRate: config.fps } : {}),
    ...(config.sequenceFrameRate ? { defaultSequenceFrameRate: config.sequenceFrameRate } : {}),
    ...(config.audioTracks?.length ? { audioTracks: config.audioTracks } : {}),
    ...(config.exrLayer ? { layer: config.exrLayer } : {}),
  };
}
