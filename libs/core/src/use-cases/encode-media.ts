import { inject, injectable } from 'tsyringe';
import type { EncodeProfile } from '../domain/encode-profile.js';
import { outputColour, type EncodePlan, type EncodedOutput, type HashAlgorithm, type PlannedOutput, type ProducedFile } from '../domain/encode-plan.js';
import type { GapPolicy, MediaSource } from '../domain/media-source.js';
import type { Encoder } from '../ports/encoder.js';
import type { MediaProbe } from '../ports/media-probe.js';
import type { Hasher } from '../ports/hasher.js';
import type { FileSystem } from '../ports/file-system.js';
import type { Logger } from '../ports/logger.js';
import type { ProgressListener } from '../ports/progress.js';
import { TOKENS } from '../tokens.js';
import { describeColourPipeline } from '../domain/colour.js';
import { formatRational, toNumber } from '../domain/rational.js';
import type { BurninValues } from '../domain/burnins.js';
import type { ColourPipeline } from '../domain/colour.js';
import { EncodeError, isEncodeError, throwIfCancelled, toEncodeError } from '../errors.js';
import { planEncode, profileSpecsFor } from '../plan/plan-encode.js';
import { validateOutputs } from './validate-outputs.js';
import { judgeQuality, qualityNotes, type QualityVerdict } from '../plan/quality-gate.js';
import type { QualityMeter } from '../ports/quality-meter.js';
import { checkImageSupport, checkLayer, mergeColourSettings, resolvePlanColour, resolveSequenceRate, withSequenceRate } from '../plan/resolve-source.js';
import type { ColourBaker } from '../ports/colour-baker.js';
import type { SourceSettings } from '../domain/source-settings.js';
import type { MediaInfo } from '../domain/media-info.js';
import type { FrameRange, SegmentsSetting } from '../domain/segments.js';
import { segmentationFor, type SegmentedPlan } from '../plan/segment-plan.js';
import { checkSegmentBoundaries, describeSegments, encodeInSegments } from './encode-segments.js';
import type { EncoderCapabilities } from '../ports/encoder.js';

export interface EncodeMediaOptions {
  outputDir: string;
  gapPolicy?: GapPolicy;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  hashAlgorithm?: HashAlgorithm;
  threads?: number;
  /** Plan only: return the command lines, encode nothing. */
  dryRun?: boolean;
  /** Keep outputs at their temp paths (publish stores them, then removes them). */
  commit?: boolean;
  /** How to interpret the source (colour, sequence rate, audio tracks); default: the injected SourceSettings. */
  sourceSettings?: SourceSettings;
  /** Values for burn-in tokens the source cannot tell: ftrack names ({project}, {shot}, {version} ...), {user}. */
  burninValues?: Record<string, string | number | undefined>;
  /** Compare each video output with the source on sampled frames (SSIM/PSNR); default on when a meter is registered. */
  qualityGate?: boolean;
  /** Split the source into this many frame-exact segments encoded in parallel, then joined (docs/segments.md); default the profile's, else 1. */
  segments?: SegmentsSetting;
  /** Fixed plan id (temp and segment file names): a run split over several processes plans the same files twice (farm publish flows). */
  planId?: string;
}

export interface EncodeMediaResult {
  plan: EncodePlan;
  encoderId: string;
  encoderVersion: string;
  /** Validated outputs (empty on dry runs). */
  outputs: EncodedOutput[];
  /** The quality gate's verdict per video output (empty when it did not run). */
  quality: QualityVerdict[];
  /** Command lines the encoder runs (dry runs and --json). */
  commands: string[][];
  /** The source frame ranges encoded in parallel (absent: one pass). */
  segments?: FrameRange[];
}

/**
 * probe -> plan -> encode -> validate -> commit. Never prints, knows no adapter.
 * On failure or cancel no output file remains (temp files are removed, nothing renamed).
 */
@injectable()
export class EncodeMedia {
  constructor(
    @inject(TOKENS.Encoder) private readonly encoder: Encoder,
    @inject(TOKENS.MediaProbe) readonly probe: MediaProbe,
    @inject(TOKENS.Hasher) readonly hasher: Hasher,
    @inject(TOKENS.FileSystem) readonly fs: FileSystem,
    @inject(TOKENS.Logger) private readonly logger: Logger,
    @inject(TOKENS.SourceSettings, { isOptional: true }) private readonly settings?: SourceSettings,
    @inject(TOKENS.ColourBaker, { isOptional: true }) private readonly baker?: ColourBaker,
    @inject(TOKENS.QualityMeter, { isOptional: true }) private readonly meter?: QualityMeter,
  ) {}

  async run(input: string | MediaSource, profile: EncodeProfile, options: EncodeMediaOptions): Promise<EncodeMediaResult> {
    const { signal, onProgress } = options;
    onProgress?.({ stage: 'locate', message: typeof input === 'string' ? input : 'source' });
    const source = typeof input === 'string' ? await this.probe.locate(input, { gapPolicy: options.gapPolicy ?? 'error' }) : input;
    throwIfCancelled(signal);
    onProgress?.({ stage: 'probe' });
    const [probed, capabilities] = await Promise.all([
      this.probe.probe(source, { ...(signal ? { signal } : {}), audioLevels: true }),
      this.encoder.capabilities(),
    ]);
    const run = options.sourceSettings ?? this.settings ?? {};
    // The profile's colour block fills what config and flags leave open.
    const settings = mergeColourSettings(run, profile.colour);
    const warnings: string[] = [];
    let info: MediaInfo = probed;
    if (source.kind === 'sequence') {
      const rate = resolveSequenceRate(probed, source, settings);
      info = withSequenceRate(probed, rate);
      if (rate.warning) warnings.push(rate.warning);
    }
    const silent = info.audio.map((a, i) => (a.silent ? i + 1 : 0)).filter((n) => n > 0);
    if (silent.length > 0 && !settings.audioTracks)
      warnings.push(
        `Audio track${silent.length > 1 ? 's' : ''} ${silent.join(', ')} ${silent.length > 1 ? 'are' : 'is'} silent: left out of the review audio.`,
      );
    if (info.variableFrameRate)
      warnings.push(
        `Variable frame rate source: conformed to ${info.frameRate.num}/${info.frameRate.den} fps (${info.frameCount} frames; frames duplicated or dropped).`,
      );
    checkImageSupport(info);
    checkLayer(info, settings.layer);
    const { colour, outputs: outputColours } = await resolvePlanColour(info, source, profile, profileSpecsFor(profile, info), run, this.baker, signal);
    const plan = planEncode({
      source,
      info,
      profile,
      outputDir: options.outputDir,
      gapPolicy: options.gapPolicy ?? 'error',
      capabilities,
      ...(options.planId ? { planId: options.planId } : {}),
      threads: options.threads ?? 0,
      colour,
      outputColours,
      ...(settings.audioTracks ? { audioTracks: settings.audioTracks } : {}),
      ...(settings.layer ? { layer: settings.layer } : {}),
      warnings,
      // The encode captures the gate's reference frames, so the gate need not decode the source again.
      qualityGate: options.qualityGate !== false && this.meter !== undefined,
      ...(profile.burnins || profile.slate ? { burnins: burninValuesFor(source, info, colour, options.burninValues) } : {}),
    });
    const segmented = this.segmentation(plan, capabilities, options.segments ?? profile.segments);
    for (const warning of plan.warnings ?? []) this.logger.warn(warning);
    const commands = segmented ? await describeSegments(this.encoder, segmented) : await this.encoder.describe(plan);
    const base = { plan, encoderId: capabilities.id, encoderVersion: capabilities.version, commands, ...(segmented ? { segments: segmented.ranges } : {}) };
    if (options.dryRun) return { ...base, outputs: [], quality: [] };
    await this.fs.ensureWritableDir(options.outputDir);
    throwIfCancelled(signal);

    let produced: ProducedFile[] = [];
    try {
      const run = { ...(signal ? { signal } : {}), ...(onProgress ? { onProgress } : {}) };
      produced = segmented
        ? await encodeInSegments({ encoder: this.encoder, fs: this.fs, logger: this.logger }, segmented, run)
        : await this.encoder.encode(plan, run);
      throwIfCancelled(signal);
      const validated = await validateOutputs(this, plan.outputs, produced, options);
      if (segmented && this.meter) await checkSegmentBoundaries(this.meter, segmented, validated, run);
      const quality = options.qualityGate === false ? [] : await this.qualityGate(plan, validated, options);
      const outputs = validated.map((output, i) => {
        const verdict = quality.find((q) => q.output === output.name);
        return { ...output, notes: { ...planNotes(plan, plan.outputs[i]!), ...(verdict ? qualityNotes(verdict) : {}) } };
      });
      if (options.commit === false) return { ...base, outputs, quality };
      await this.commit(plan, outputs, options.outputDir);
      this.logger.info('encoded', { profile: profile.name, outputs: outputs.map((o) => o.path) });
      return { ...base, outputs, quality };
    } catch (error) {
      await this.discard(plan);
      throw toEncodeError(error, 'E_ENCODER_FAILED', signal);
    }
  }

  /** The plan cut into segments when asked and possible (segmentationFor); undefined for one pass. */
  private segmentation(plan: EncodePlan, capabilities: EncoderCapabilities, setting: SegmentsSetting | undefined): SegmentedPlan | undefined {
    const workers = this.encoder.runStep ? capabilities.segments?.workers : undefined;
    const segmented = segmentationFor(plan, setting, { id: capabilities.id, workers, cores: capabilities.segments?.cores });
    if (segmented && this.meter === undefined) (plan.warnings ??= []).push('No quality meter here: the segment joins are not compared with the source.');
    return segmented;
  }

  /**
   * Before anything is stored: every video output against the source as it should look, on
   * sampled frames, in one extra pass. Below its threshold -> E_QUALITY naming the worst frames.
   */
  private async qualityGate(plan: EncodePlan, outputs: EncodedOutput[], options: EncodeMediaOptions): Promise<QualityVerdict[]> {
    const videos = plan.outputs.filter((p) => p.spec.kind === 'video');
    const frames = plan.qualityFrames;
    if (!this.meter || videos.length === 0 || !frames) return [];
    options.onProgress?.({ stage: 'validate', message: `quality gate: SSIM/PSNR on ${frames.length} frames` });
    const targets = videos.map((planned) => {
      const { path, info } = outputs.find((o) => o.name === planned.name)!;
      return { planned, path, info };
    });
    const scores = await this.meter.measure(plan, targets, frames, options.signal ? { signal: options.signal } : {});
    await this.removeReferences(plan);
    const verdicts = videos.map((planned) => judgeQuality(planned, scores.get(planned.name) ?? []));
    const failed = verdicts.filter((v) => !v.pass);
    if (failed.length > 0) {
      const describe = (v: QualityVerdict) =>
        `${v.output} SSIM ${v.ssim.toFixed(4)} < ${v.minSsim}${v.minPsnr !== undefined ? ` or PSNR ${v.psnr.toFixed(1)} < ${v.minPsnr} dB` : ''} (worst frames ${v.worst.map((w) => `${w.frame}: ${w.ssim.toFixed(3)}`).join(', ')})`;
      throw new EncodeError('E_QUALITY', `The review media does not match the source: ${failed.map(describe).join('; ')}.`, {
        hint: 'Lower the crf / raise the bitrate of that output, or set its minSsim in the profile; --no-quality-gate skips the check.',
        details: { quality: failed },
      });
    }
    return verdicts;
  }

  /**
   * Temp names -> final names. All or none: when a move fails (a full disk, a directory that went
   * read-only), the outputs already moved are removed again and the run fails E_OUTPUT_UNWRITABLE.
   */
  private async commit(plan: EncodePlan, outputs: EncodedOutput[], outputDir: string): Promise<void> {
    const moved: string[] = [];
    try {
      for (const output of outputs) {
        const planned = plan.outputs.find((o) => o.name === output.name);
        if (!planned) continue;
        await this.fs.rename(output.path, planned.path);
        moved.push(planned.path);
        output.path = planned.path;
      }
    } catch (error) {
      await Promise.all(moved.map((path) => this.fs.remove(path).catch(() => undefined)));
      if (isEncodeError(error)) throw error;
      throw new EncodeError('E_OUTPUT_UNWRITABLE', `Could not move the outputs into ${outputDir}: ${error instanceof Error ? error.message : String(error)}`, {
        hint: 'Check free space and permissions of --out; nothing was left there.',
        cause: error,
      });
    }
  }

  /** Remove every temp file of a plan; used on any failure. */
  async discard(plan: EncodePlan): Promise<void> {
    await Promise.all([...plan.outputs.map((o) => this.fs.remove(o.tempPath).catch(() => undefined)), this.removeReferences(plan)]);
  }

  /** The quality gate's reference frames: read once by the gate, never kept. */
  private async removeReferences(plan: EncodePlan): Promise<void> {
    await Promise.all(plan.outputs.map((o) => (o.qualityReference ? this.fs.remove(o.qualityReference).catch(() => undefined) : undefined)));
  }
}

/** Burn-in tokens the source and the run know; the caller's values (ftrack, user) win. */
function burninValuesFor(
  source: MediaSource,
  info: MediaInfo,
  colour: ColourPipeline | undefined,
  given: Record<string, string | number | undefined> = {},
): BurninValues {
  return {
    values: {
      date: new Date().toISOString().slice(0, 10),
      ...(colour ? { colour: describeColourPipeline(colour) } : {}),
      ...(info.timecode ? { start_timecode: info.timecode } : {}),
      ...given,
    },
    perFrame: {
      firstFrame: source.kind === 'sequence' ? source.first : 0,
      ...(info.timecode ? { timecode: info.timecode } : {}),
      rate: toNumber(info.frameRate),
    },
  };
}

/** What made an output, as flat strings for component metadata (see EncodedOutput.notes). */
export function planNotes(plan: EncodePlan, planned: PlannedOutput): Record<string, string> {
  const notes: Record<string, string> = {};
  const colour = outputColour(plan, planned);
  if (colour) {
    notes['colour'] = describeColourPipeline(colour);
    notes['colour_input'] = colour.input.space;
    notes['colour_input_from'] = `${colour.input.from}: ${colour.input.reason}`;
    notes['colour_display'] = colour.transform.display;
    notes['colour_method'] = colour.transform.builtin ? `builtin ${colour.transform.builtin}` : colour.transform.method;
    if (colour.transform.view) notes['colour_view'] = colour.transform.view;
    if (colour.transform.ocio) {
      notes['ocio_config_hash'] = colour.transform.ocio.configHash;
      notes['ocio_input_space'] = colour.transform.ocio.inputSpace;
    }
    if (colour.transform.lut) notes['colour_lut_hash'] = colour.transform.lut.hash;
  }
  notes['frame_rate_source'] = plan.info.frameRateFrom ?? 'stream';
  if (plan.source.kind === 'sequence') notes['first_frame'] = String(plan.source.first);
  if (plan.info.timecode) notes['timecode'] = plan.info.timecode;
  if (plan.info.variableFrameRate) notes['conformed_to'] = `${formatRational(plan.info.frameRate)} fps (variable frame rate source)`;
  if (plan.info.rotation) notes['rotation'] = String(plan.info.rotation);
  if (planned.withAudio && plan.audioTracks) notes['audio_tracks'] = plan.audioTracks.map((t) => t + 1).join(',');
  return notes;
}
