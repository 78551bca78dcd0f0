import {
  BUILTIN_DISPLAYS,
  BUILTIN_INPUT_SPACES,
  builtinCurve,
  interpretInput,
  isSceneReferred,
  matchSourceRule,
  type BuiltinDisplay,
  type ColourPipeline,
} from '../domain/colour.js';
import type { MediaInfo } from '../domain/media-info.js';
import type { MediaSource } from '../domain/media-source.js';
import type { SourceSettings } from '../domain/source-settings.js';
import { formatRational, parseRational, type Rational } from '../domain/rational.js';
import type { ColourBaker, OcioConfigInfo } from '../ports/colour-baker.js';
import type { ColourBlock, EncodeProfile, OutputSpec } from '../domain/encode-profile.js';
import { stableHash } from '../domain/stable-hash.js';
import { EncodeError, isEncodeError } from '../errors.js';

const DEFAULT_CUBE_SIZE = 33;

function listed(names: readonly string[]): string {
  return names.map((n) => `"${n}"`).join(', ');
}

function unknownName(kind: string, name: string, valid: readonly string[], where: string): EncodeError {
  return new EncodeError('E_PROFILE_INVALID', `Unknown ${kind} "${name}" (${where}). Valid: ${listed(valid)}.`, {
    hint: `Use one of the ${kind}s listed.`,
    details: { [kind.replace(/\s+/g, '_')]: name, valid },
  });
}

/** A config colourspace that makes a good 1D shaper for linear input (ociobakelut --shaperspace). */
function findShaper(config: OcioConfigInfo): string | undefined {
  const role = config.roles['compositing_log'] ?? config.roles['color_timing'];
  if (role) return role;
  return config.colourspaces.find((c) => /acescct/i.test(c)) ?? config.colourspaces.find((c) => /acescc|log/i.test(c));
}

function looksLinear(space: string, config: OcioConfigInfo): boolean {
  const resolved = config.roles[space] ?? space;
  return space === 'scene-linear' || resolved === config.roles['scene_linear'] || /lin|acescg|aces2065|ap0|ap1/i.test(resolved);
}

/** Built-in space -> the OCIO role that means the same thing. */
const ROLE_FOR_BUILTIN: Partial<Record<string, string>> = { 'scene-linear': 'scene_linear', 'cineon-log': 'compositing_log' };

async function ocioPipeline(
  input: ColourPipeline['input'],
  settings: SourceSettings,
  baker: ColourBaker,
  signal: AbortSignal | undefined,
): Promise<ColourPipeline> {
  const config = await baker.inspect(settings.ocioConfig!, signal ? { signal } : {});
  const warnings: string[] = [];
  const displays = config.displays.map((d) => d.name);
  const displayName = settings.display ?? config.defaultDisplay ?? displays[0];
  const display = config.displays.find((d) => d.name === displayName);
  if (!display || !displayName) throw unknownName('display', displayName ?? '(none)', displays, config.path);
  const viewName = settings.view ?? display.views[0];
  if (!viewName || !display.views.includes(viewName))
    throw unknownName('view', viewName ?? '(none)', display.views, `display "${displayName}" of ${config.path}`);
  const names = [...config.colourspaces, ...Object.keys(config.roles)];
  let inputSpace: string;
  if ((BUILTIN_INPUT_SPACES as readonly string[]).includes(input.space) && !names.includes(input.space)) {
    const role = ROLE_FOR_BUILTIN[input.space];
    if (!role || !config.roles[role]) {
      // Display-referred video (bt709, srgb...) is already a display picture: nothing to transform.
      if (!isSceneReferred(input.space)) return { input, transform: { method: 'none', display: displayName, view: viewName }, warnings };
      throw new EncodeError('E_PROFILE_INVALID', `The OCIO config ${config.path} has no "${role}" role for a ${input.space} source (${input.reason}).`, {
        hint: `Name the source's colourspace with --input-colourspace (one of ${listed(config.colourspaces)}) or a config source rule.`,
        details: { valid: config.colourspaces },
      });
    }
    inputSpace = role;
  } else {
    if (!names.includes(input.space)) throw unknownName('colourspace', input.space, config.colourspaces, `${input.reason}; OCIO config ${config.path}`);
    inputSpace = input.space;
  }
  let shaperSpace = settings.shaperSpace;
  if (shaperSpace && !names.includes(shaperSpace)) throw unknownName('shaper colourspace', shaperSpace, config.colourspaces, config.path);
  if (!shaperSpace && looksLinear(inputSpace, config)) {
    shaperSpace = findShaper(config);
    if (!shaperSpace)
      warnings.push(
        `The OCIO config has no log colourspace to use as a shaper for linear input "${inputSpace}": shadows lose precision (set colour.shaperSpace).`,
      );
  }
  const lut = await baker.bake(
    { config, inputSpace, display: displayName, view: viewName, ...(shaperSpace ? { shaperSpace } : {}), cubeSize: settings.cubeSize ?? DEFAULT_CUBE_SIZE },
    signal ? { signal } : {},
  );
  return {
    input,
    transform: {
      method: 'ocio',
      display: displayName,
      view: viewName,
      ocio: { configPath: config.path, configHash: config.hash, inputSpace, ...(shaperSpace ? { shaperSpace } : {}) },
      lut,
    },
    warnings,
  };
}

/**
 * Interpretation + display transform for one source. With an OCIO config the transform is baked
 * (once, cached) by the ColourBaker; without one the built-in curves apply, with a warning that
 * names the assumption. Unknown names fail with E_PROFILE_INVALID listing the valid ones.
 */
export async function resolveColourPipeline(
  info: MediaInfo,
  source: MediaSource,
  settings: SourceSettings = {},
  baker?: ColourBaker,
  signal?: AbortSignal,
): Promise<ColourPipeline> {
  const input = interpretInput(info, source, settings);
  if (settings.ocioConfig) {
    if (!baker) {
      throw new EncodeError('E_UNSUPPORTED', 'An OCIO config was given, but this process cannot bake OCIO transforms.', {
        hint: 'Run where OpenColorIO tools are installed (apt-get install opencolorio-tools).',
      });
    }
    return ocioPipeline(input, settings, baker, signal);
  }
  const display = settings.display ?? 'srgb';
  if (!(BUILTIN_DISPLAYS as readonly string[]).includes(display)) {
    throw new EncodeError('E_PROFILE_INVALID', `Unknown display "${display}": without an OCIO config the displays are ${listed(BUILTIN_DISPLAYS)}.`, {
      hint: 'Give an OCIO config (--ocio-config, colour.ocioConfig or $OCIO) for studio displays and views.',
      details: { display, valid: BUILTIN_DISPLAYS },
    });
  }
  if (settings.view) {
    throw new EncodeError('E_PROFILE_INVALID', `A view ("${settings.view}") needs an OCIO config; the built-in displays have none.`, {
      hint: 'Give an OCIO config (--ocio-config, colour.ocioConfig or $OCIO), or drop --view.',
      details: { view: settings.view, valid: [] },
    });
  }
  if (!(BUILTIN_INPUT_SPACES as readonly string[]).includes(input.space)) {
    throw unknownName('colourspace', input.space, BUILTIN_INPUT_SPACES, `${input.reason}; no OCIO config, so only built-in names`);
  }
  if (!isSceneReferred(input.space)) return { input, transform: { method: 'none', display }, warnings: hdrWarning(info) };
  const curve = builtinCurve(input.space as 'scene-linear' | 'cineon-log', display as BuiltinDisplay);
  return {
    input,
    transform: { method: 'builtin', display, builtin: curve },
    warnings: [
      `No OCIO config: ${input.space} (${input.reason}) is shown with the built-in ${curve} transform, assuming Rec.709/sRGB primaries. Give an OCIO config for a studio view.`,
    ],
  };
}

/** The fields of `settings` that are set: a run's config and flags, which win over any colour block. */
function setFields<T extends object>(settings: T): Partial<T> {
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * A run's settings over colour blocks: the later block wins field by field (an output's over its
 * profile's), and what the run's config and flags set wins over both.
 */
export function mergeColourSettings(run: SourceSettings, ...blocks: (ColourBlock | undefined)[]): SourceSettings {
  return Object.assign({}, ...blocks.map((b) => setFields(b ?? {})), setFields(run)) as SourceSettings;
}

export interface PlanColour {
  /** The profile's pipeline (outputs without a colour block of their own use it). */
  colour: ColourPipeline;
  /** Output name -> the pipeline of an output with its own colour block. */
  outputs: Record<string, ColourPipeline>;
}

/**
 * The profile's colour pipeline and each output's own: an output's `colour` block merged over the
 * profile's. Resolved once per distinct setting (an OCIO view is baked once, and cached); a bad
 * name in an output's block fails E_PROFILE_INVALID naming that output, before anything is written.
 */
export async function resolvePlanColour(
  info: MediaInfo,
  source: MediaSource,
  profile: Pick<EncodeProfile, 'colour'>,
  specs: readonly OutputSpec[],
  run: SourceSettings = {},
  baker?: ColourBaker,
  signal?: AbortSignal,
): Promise<PlanColour> {
  const resolved = new Map<string, Promise<ColourPipeline>>();
  const pipelineFor = (settings: SourceSettings): Promise<ColourPipeline> => {
    const key = stableHash({ inputColourspace: settings.inputColourspace, display: settings.display, view: settings.view });
    let pipeline = resolved.get(key);
    if (!pipeline) {
      pipeline = resolveColourPipeline(info, source, settings, baker, signal);
      resolved.set(key, pipeline);
    }
    return pipeline;
  };
  const colour = await pipelineFor(mergeColourSettings(run, profile.colour));
  const outputs: Record<string, ColourPipeline> = {};
  for (const spec of specs) {
    if (!spec.colour) continue;
    try {
      outputs[spec.name] = await pipelineFor(mergeColourSettings(run, profile.colour, spec.colour));
    } catch (error) {
      if (!isEncodeError(error)) throw error;
      throw new EncodeError(error.code, `Output "${spec.name}": ${error.message}`, {
        ...(error.hint ? { hint: error.hint } : {}),
        details: { ...error.details, output: spec.name },
        cause: error,
      });
    }
  }
  return { colour, outputs };
}

/** PQ/HLG video is shown as decoded: no tone mapping (say so rather than pretend). */
function hdrWarning(info: MediaInfo): string[] {
  const t = info.color.transfer;
  return t === 'smpte2084' || t === 'arib-std-b67'
    ? [`HDR source (${t === 'smpte2084' ? 'PQ' : 'HLG'}) is shown without tone mapping: highlights clip and colours look flat on an SDR review.`]
    : [];
}

export interface ResolvedRate {
  rate: Rational;
  from: NonNullable<MediaInfo['frameRateFrom']>;
  warning?: string;
}

function rateOption(text: string, where: string): Rational {
  try {
    return parseRational(text);
  } catch {
    throw new EncodeError('E_CONFIG_INVALID', `Invalid frame rate "${text}" (${where}): use 24, 25, 23.976 or 24000/1001.`, { details: { frameRate: text } });
  }
}

/** Image sequence rate: --fps, a config rule for the path, the EXR/DPX header, the config default, else 24 (warned). */
export function resolveSequenceRate(info: MediaInfo, source: MediaSource, settings: SourceSettings = {}): ResolvedRate {
  if (settings.frameRate) return { rate: rateOption(settings.frameRate, '--fps'), from: 'flag' };
  const rule = matchSourceRule(source, settings.rules, 'frameRate');
  if (rule?.frameRate) return { rate: rateOption(rule.frameRate, `config rule "${rule.pattern}"`), from: 'config' };
  if (info.imageHeader?.frameRate) return { rate: info.imageHeader.frameRate, from: 'header' };
  if (settings.defaultSequenceFrameRate) return { rate: rateOption(settings.defaultSequenceFrameRate, 'config sequenceFrameRate'), from: 'config' };
  return {
    rate: { num: 24, den: 1 },
    from: 'default',
    warning: 'The sequence carries no frame rate and none was given (--fps or config): playing it at 24 fps.',
  };
}

/** MediaInfo of a sequence at its resolved rate (frame count stays; duration follows the rate). */
export function withSequenceRate(info: MediaInfo, resolved: ResolvedRate): MediaInfo {
  return { ...info, frameRate: resolved.rate, frameRateFrom: resolved.from, duration: (info.frameCount * resolved.rate.den) / resolved.rate.num };
}

export function describeRate(resolved: ResolvedRate): string {
  return `${formatRational(resolved.rate)} fps (${resolved.from})`;
}

/** Pictures ffmpeg cannot decode are refused up front with the reason, never encoded as garbage. */
export function checkImageSupport(info: MediaInfo): void {
  if (info.imageHeader?.deep) {
    throw new EncodeError('E_UNSUPPORTED', 'Deep OpenEXR (deepscanline/deeptile) has no flat picture, and ffmpeg cannot decode deep data.', {
      hint: 'Flatten it first, e.g. `oiiotool in.exr --flatten -o flat.exr`, or publish the flat beauty render.',
      details: { codec: info.codec, deep: true },
    });
  }
}

/** --layer must name a layer the EXR has (E_PROFILE_INVALID listing them), and only EXR has layers. */
export function checkLayer(info: MediaInfo, layer: string | undefined): void {
  if (!layer) return;
  if (info.codec !== 'exr') {
    throw new EncodeError('E_PROFILE_INVALID', `--layer ${layer} applies to OpenEXR sources; this source is ${info.codec}.`, { details: { layer, valid: [] } });
  }
  const layers = info.imageHeader?.layers ?? [];
  if (!layers.includes(layer)) {
    throw new EncodeError(
      'E_PROFILE_INVALID',
      `The EXR has no layer "${layer}". Valid: ${layers.length ? listed(layers) : '(none besides the RGBA of the first part)'}.`,
      {
        hint: 'Pick one of the layers listed, or drop --layer for the RGBA of the first part.',
        details: { layer, valid: layers },
      },
    );
  }
}
