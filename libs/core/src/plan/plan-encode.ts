import { resolveBurninText, type BurninValues, type ResolvedBurnins, type ResolvedSlate } from '../domain/burnins.js';
import type { EncodeProfile, OutputSpec } from '../domain/encode-profile.js';
import type { EncodePlan, PlannedOutput } from '../domain/encode-plan.js';
import type { GapPolicy, MediaSource } from '../domain/media-source.js';
import type { MediaInfo } from '../domain/media-info.js';
import type { EncoderCapabilities } from '../ports/encoder.js';
import { describeColourPipeline, type ColourPipeline } from '../domain/colour.js';
import { EncodeError } from '../errors.js';
import { stableHash } from '../domain/stable-hash.js';
import { formatRational, toNumber } from '../domain/rational.js';
import { displaySize, outputSize } from './output-size.js';
import { qualitySampleFrames } from './quality-gate.js';
import { renderName, sourceBaseName, versionToken } from './naming.js';

export interface PlanInput {
  source: MediaSource;
  info: MediaInfo;
  profile: EncodeProfile;
  outputDir: string;
  gapPolicy?: GapPolicy;
  capabilities?: EncoderCapabilities;
  threads?: number;
  planId?: string;
  colour?: ColourPipeline;
  /** Output name -> its own pipeline (outputs with a colour block: resolvePlanColour). */
  outputColours?: Record<string, ColourPipeline>;
  /** 1-based audio stream numbers to use (--audio-tracks); default all. */
  audioTracks?: number[];
  warnings?: string[];
  layer?: string;
  /** The quality gate will measure this plan: video outputs also write their sampled reference frames. */
  qualityGate?: boolean;
  /** Token values for the profile's burn-ins (ftrack names, user, date, colour ...). */
  burnins?: BurninValues;
}

const EXTENSIONS: Record<OutputSpec['container'], string> = { mp4: 'mp4', mov: 'mov', webm: 'webm', mkv: 'mkv', jpg: 'jpg', png: 'png' };

export function profileHash(profile: EncodeProfile): string {
  // How the work is split does not change what the outputs are: segments stay out of the key.
  const { segments, ...rendering } = profile;
  void segments;
  return stableHash(rendering);
}

function joinPath(dir: string, file: string): string {
  return dir.endsWith('/') || dir.endsWith('\\') ? `${dir}${file}` : `${dir}/${file}`;
}

/** WebM holds only Opus/Vorbis: an AAC request there means the default audio (Opus), then the backend's audio fallback. */
function adaptAudio(spec: OutputSpec, capabilities: EncoderCapabilities | undefined): OutputSpec {
  if (spec.kind !== 'video' || spec.audio.codec === 'none') return spec;
  const wanted = spec.container === 'webm' && spec.audio.codec === 'aac' ? 'opus' : spec.audio.codec;
  const codec = capabilities?.audioFallbacks?.[wanted] ?? wanted;
  return codec === spec.audio.codec ? spec : { ...spec, audio: { ...spec.audio, codec } };
}

/** Swap a codec the backend cannot encode for its declared fallback, or fail before any work. */
function adaptToBackend(declared: OutputSpec, capabilities: EncoderCapabilities | undefined): OutputSpec {
  const spec = adaptAudio(declared, capabilities);
  if (!capabilities || capabilities.codecs.includes(spec.codec)) return spec;
  const fallback = capabilities.fallbacks?.[spec.codec];
  if (fallback && spec.kind === 'video' && capabilities.codecs.includes(fallback)) {
    return { ...spec, codec: fallback as typeof spec.codec };
  }
  const reason = capabilities.unsupported.find((u) => u.codec === spec.codec)?.reason ?? 'not available in this build';
  throw new EncodeError('E_UNSUPPORTED', `Output "${spec.name}" needs ${spec.codec}, which the ${capabilities.id} backend cannot encode: ${reason}.`, {
    hint: 'Pick another backend (--backend native) or a profile without this codec.',
    details: { output: spec.name, codec: spec.codec, backend: capabilities.id },
  });
}

function frameIndexFor(spec: OutputSpec, frameCount: number): number | undefined {
  if (spec.kind !== 'image') return undefined;
  if (spec.frame === 'first') return 0;
  if (spec.frame === 'middle') return Math.max(0, Math.floor((frameCount - 1) / 2));
  return Math.min(spec.frame, Math.max(0, frameCount - 1));
}

/** Values every burn-in and slate can use, for one output's size (and its own colour pipeline). */
function tokenValues(input: PlanInput, size: { width: number; height: number }, colour?: ColourPipeline): BurninValues {
  const first = input.source.kind === 'sequence' ? input.source.first : 0;
  const frames = input.info.frameCount;
  return {
    values: {
      fps: formatRational(input.info.frameRate),
      resolution: `${size.width}x${size.height}`,
      first_frame: first,
      last_frame: first + frames - 1,
      frames,
      ...input.burnins?.values,
      ...(colour ? { colour: describeColourPipeline(colour) } : {}),
    },
    perFrame: input.burnins?.perFrame ?? { firstFrame: first, rate: toNumber(input.info.frameRate) },
  };
}

/** The profile's slate for one video output (default: every video output), lines filled. */
function slateFor(
  profile: EncodeProfile,
  spec: OutputSpec,
  size: { width: number; height: number },
  input: PlanInput,
  missing: Set<string>,
): ResolvedSlate | undefined {
  const block = profile.slate;
  if (!block || spec.kind !== 'video' || (block.outputs && !block.outputs.includes(spec.name))) return undefined;
  const values = tokenValues(input, size, input.outputColours?.[spec.name]);
  const lines = block.lines.map((line) => {
    const { segments, missing: unknown } = resolveBurninText(line, values);
    for (const token of unknown) missing.add(token);
    // A slate is a still: per-frame tokens show the first frame.
    return segments.map((s) => (s.kind === 'text' ? s.text : s.kind === 'frame' ? String(s.start).padStart(s.pad, '0') : s.start)).join('');
  });
  return {
    frames: block.frames,
    lines,
    thumbnail: block.thumbnail,
    thumbnailFrame: Math.max(0, Math.floor((input.info.frameCount - 1) / 2)),
    ...(block.logo ? { logo: block.logo } : {}),
    ...(block.fontFile ? { fontFile: block.fontFile } : {}),
  };
}

/** The profile's burn-ins for one output (default: every video output), tokens filled for its size. */
function burninsFor(
  profile: EncodeProfile,
  spec: OutputSpec,
  size: { width: number; height: number },
  input: PlanInput,
  missing: Set<string>,
): ResolvedBurnins | undefined {
  const block = profile.burnins;
  if (!block) return undefined;
  const wanted = block.outputs ? block.outputs.includes(spec.name) : spec.kind === 'video';
  if (!wanted) return undefined;
  const values = tokenValues(input, size, input.outputColours?.[spec.name]);
  const { fields, outputs: _outputs, ...style } = block;
  return {
    ...style,
    fields: fields.map((field) => {
      const { segments, missing: unknown } = resolveBurninText(field.text, values);
      for (const token of unknown) missing.add(token);
      return {
        ...(field.position ? { position: field.position } : {}),
        ...(field.x !== undefined ? { x: field.x } : {}),
        ...(field.y !== undefined ? { y: field.y } : {}),
        segments,
      };
    }),
  };
}

/** The outputs a profile declares for this source: stillOutputs (default: its image outputs) for a still. */
export function profileSpecsFor(profile: EncodeProfile, info: Pick<MediaInfo, 'isStill'>): OutputSpec[] {
  return info.isStill ? (profile.stillOutputs ?? profile.outputs.filter((o) => o.kind === 'image')) : profile.outputs;
}

/** Pure: which files to make from this source with this profile, and exactly how big. */
export function planEncode(input: PlanInput): EncodePlan {
  const { source, info, profile } = input;
  const id = input.planId ?? Math.random().toString(36).slice(2, 10);
  const specs = profileSpecsFor(profile, info);
  if (specs.length === 0) {
    throw new EncodeError('E_PROFILE_INVALID', `Profile "${profile.name}" has no outputs for a still image.`, {
      hint: 'Add image outputs (or stillOutputs) to the profile.',
    });
  }
  const audioTracks = selectAudioTracks(info, input.audioTracks);
  const base = sourceBaseName(source);
  const display = displaySize(info);
  const outputs: PlannedOutput[] = [];
  const skipped: EncodePlan['skipped'] = [];
  const missingTokens = new Set<string>();
  for (const declared of specs) {
    if (declared.kind === 'video' && declared.onlyWhenLargerThan) {
      const t = declared.onlyWhenLargerThan;
      if (display.width <= t.width && display.height <= t.height) {
        skipped.push({ name: declared.name, reason: `source is not larger than ${t.width}x${t.height}` });
        continue;
      }
    }
    const spec = adaptToBackend(declared, input.capabilities);
    const ext = EXTENSIONS[spec.container];
    const fileName = renderName(profile.naming, { source: base, version: versionToken(base), profile: profile.name, output: spec.name, ext });
    const { width, height } = outputSize(info, spec);
    const frameIndex = frameIndexFor(spec, info.frameCount);
    outputs.push({
      spec,
      name: spec.name,
      path: joinPath(input.outputDir, fileName),
      tempPath: joinPath(input.outputDir, `.${fileName}.${id}.partial.${ext}`),
      width,
      height,
      frameRate: info.frameRate,
      frameCount: spec.kind === 'video' ? info.frameCount : 1,
      ...(frameIndex === undefined ? {} : { frameIndex }),
      withAudio: spec.kind === 'video' && spec.audio.codec !== 'none' && audioTracks.length > 0,
      ...(input.qualityGate && spec.kind === 'video' ? { qualityReference: joinPath(input.outputDir, `.${fileName}.${id}.quality-reference.nut`) } : {}),
    });
    const planned = outputs[outputs.length - 1]!;
    const colour = input.outputColours?.[spec.name];
    if (colour) planned.colour = colour;
    const burnins = burninsFor(profile, spec, { width, height }, input, missingTokens);
    if (burnins) planned.burnins = burnins;
    const slate = slateFor(profile, spec, { width, height }, input, missingTokens);
    if (slate) {
      planned.slate = slate;
      planned.frameCount += slate.frames;
    }
  }
  const gated = outputs.some((o) => o.qualityReference);
  const paths = new Set(outputs.map((o) => o.path));
  if (paths.size !== outputs.length) {
    throw new EncodeError('E_PROFILE_INVALID', `Profile "${profile.name}" names two outputs the same file; put {output} in its naming template.`);
  }
  return {
    id,
    profileName: profile.name,
    profileHash: profileHash(profile),
    source,
    info,
    gapPolicy: input.gapPolicy ?? 'error',
    outputDir: input.outputDir,
    outputs,
    skipped,
    threads: input.threads ?? 0,
    ...(input.colour ? { colour: input.colour } : {}),
    audioTracks,
    ...(input.layer ? { layer: input.layer } : {}),
    // Picture frames: every video output has the source's (a slate comes on top).
    ...(gated ? { qualityFrames: qualitySampleFrames(info.frameCount) } : {}),
    warnings: [
      ...(input.warnings ?? []),
      // Each pipeline's warnings once, however many outputs use it.
      ...new Set([input.colour, ...outputs.map((o) => o.colour)].flatMap((c) => c?.warnings ?? [])),
      ...(missingTokens.size > 0 ? [`burn-in tokens with no value here, drawn empty: ${[...missingTokens].map((t) => `{${t}}`).join(', ')}`] : []),
    ],
  };
}

/** Audio streams to mix: the ones asked for (1-based), else every stream that has channels and sound. */
export function selectAudioTracks(info: MediaInfo, requested: number[] | undefined): number[] {
  // Silent tracks (measured by the probe) are left out unless asked for: silence is not review audio.
  const usable = info.audio.map((a, i) => ({ a, i })).filter(({ a }) => a.channels > 0 && !a.silent);
  if (!requested || requested.length === 0) return usable.map(({ i }) => i);
  const chosen: number[] = [];
  for (const n of requested) {
    if (!Number.isInteger(n) || n < 1 || n > info.audio.length) {
      throw new EncodeError('E_PROFILE_INVALID', `Audio track ${n} does not exist: the source has ${info.audio.length} audio track(s).`, {
        hint: info.audio.length ? `Use --audio-tracks with numbers 1..${info.audio.length}.` : 'Drop --audio-tracks: the source has no audio.',
        details: { requested, available: info.audio.length },
      });
    }
    if (!chosen.includes(n - 1)) chosen.push(n - 1);
  }
  return chosen;
}
