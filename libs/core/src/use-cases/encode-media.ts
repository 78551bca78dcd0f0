import { inject, injectable } from 'tsyringe';
import type { EncodeProfile } from '../domain/encode-profile.js';
import type { EncodePlan, EncodedOutput, HashAlgorithm, PlannedOutput, ProducedFile } from '../domain/encode-plan.js';
import type { GapPolicy, MediaSource } from '../domain/media-source.js';
import type { Encoder } from '../ports/encoder.js';
import type { MediaProbe } from '../ports/media-probe.js';
import type { Hasher } from '../ports/hasher.js';
import type { FileSystem } from '../ports/file-system.js';
import type { Logger } from '../ports/logger.js';
import type { ProgressListener } from '../ports/progress.js';
import { TOKENS } from '../tokens.js';
import { describeColourPipeline } from '../domain/colour.js';
import { formatRational } from '../domain/rational.js';
import { EncodeError, throwIfCancelled, toEncodeError } from '../errors.js';
import { planEncode } from '../plan/plan-encode.js';
import { checkImageSupport, checkLayer, resolveColourPipeline, resolveSequenceRate, withSequenceRate } from '../plan/resolve-source.js';
import type { ColourBaker } from '../ports/colour-baker.js';
import type { SourceSettings } from '../domain/source-settings.js';
import type { MediaInfo } from '../domain/media-info.js';
import { checkOutput } from '../plan/validate-output.js';

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
}

export interface EncodeMediaResult {
  plan: EncodePlan;
  encoderId: string;
  encoderVersion: string;
  /** Validated outputs (empty on dry runs). */
  outputs: EncodedOutput[];
  /** Command lines the encoder runs (dry runs and --json). */
  commands: string[][];
}

/**
 * probe -> plan -> encode -> validate -> commit. Never prints, knows no adapter.
 * On failure or cancel no output file remains (temp files are removed, nothing renamed).
 */
@injectable()
export class EncodeMedia {
  constructor(
    @inject(TOKENS.Encoder) private readonly encoder: Encoder,
    @inject(TOKENS.MediaProbe) private readonly probe: MediaProbe,
    @inject(TOKENS.Hasher) private readonly hasher: Hasher,
    @inject(TOKENS.FileSystem) private readonly fs: FileSystem,
    @inject(TOKENS.Logger) private readonly logger: Logger,
    @inject(TOKENS.SourceSettings, { isOptional: true }) private readonly settings?: SourceSettings,
    @inject(TOKENS.ColourBaker, { isOptional: true }) private readonly baker?: ColourBaker,
  ) {}

  async run(input: string | MediaSource, profile: EncodeProfile, options: EncodeMediaOptions): Promise<EncodeMediaResult> {
    const { signal, onProgress } = options;
    onProgress?.({ stage: 'locate', message: typeof input === 'string' ? input : 'source' });
    const source = typeof input === 'string' ? await this.probe.locate(input, { gapPolicy: options.gapPolicy ?? 'error' }) : input;
    throwIfCancelled(signal);
    onProgress?.({ stage: 'probe' });
    const [probed, capabilities] = await Promise.all([this.probe.probe(source, { ...(signal ? { signal } : {}), audioLevels: true }), this.encoder.capabilities()]);
    const run = options.sourceSettings ?? this.settings ?? {};
    // The profile's colour block fills what config and flags leave open.
    const settings: SourceSettings = { ...(profile.colour ?? {}), ...Object.fromEntries(Object.entries(run).filter(([, v]) => v !== undefined)) };
    const warnings: string[] = [];
    let info: MediaInfo = probed;
    if (source.kind === 'sequence') {
      const rate = resolveSequenceRate(probed, source, settings);
      info = withSequenceRate(probed, rate);
      if (rate.warning) warnings.push(rate.warning);
    }
    const silent = info.audio.map((a, i) => (a.silent ? i + 1 : 0)).filter((n) => n > 0);
    if (silent.length > 0 && !settings.audioTracks) warnings.push(`Audio track${silent.length > 1 ? 's' : ''} ${silent.join(', ')} ${silent.length > 1 ? 'are' : 'is'} silent: left out of the review audio.`);
    if (info.variableFrameRate) warnings.push(`Variable frame rate source: conformed to ${info.frameRate.num}/${info.frameRate.den} fps (${info.frameCount} frames; frames duplicated or dropped).`);
    checkImageSupport(info);
    checkLayer(info, settings.layer);
    const colour = await resolveColourPipeline(info, source, settings, this.baker, signal);
    const plan = planEncode({
      source,
      info,
      profile,
      outputDir: options.outputDir,
      gapPolicy: options.gapPolicy ?? 'error',
      capabilities,
      threads: options.threads ?? 0,
      colour,
      ...(settings.audioTracks ? { audioTracks: settings.audioTracks } : {}),
      ...(settings.layer ? { layer: settings.layer } : {}),
      warnings,
    });
    for (const warning of plan.warnings ?? []) this.logger.warn(warning);
    const commands = await this.encoder.describe(plan);
    const base = { plan, encoderId: capabilities.id, encoderVersion: capabilities.version, commands };
    if (options.dryRun) return { ...base, outputs: [] };
    await this.fs.ensureWritableDir(options.outputDir);
    throwIfCancelled(signal);

    let produced: ProducedFile[] = [];
    try {
      produced = await this.encoder.encode(plan, { ...(signal ? { signal } : {}), ...(onProgress ? { onProgress } : {}) });
      throwIfCancelled(signal);
      const outputs = await this.validate(plan, produced, options);
      if (options.commit === false) return { ...base, outputs };
      for (const output of outputs) {
        const planned = plan.outputs.find((o) => o.name === output.name);
        if (!planned) continue;
        await this.fs.rename(output.path, planned.path);
        output.path = planned.path;
      }
      this.logger.info('encoded', { profile: profile.name, outputs: outputs.map((o) => o.path) });
      return { ...base, outputs };
    } catch (error) {
      await this.discard(plan);
      throw toEncodeError(error, 'E_ENCODER_FAILED');
    }
  }

  /** Remove every temp file of a plan; used on any failure. */
  async discard(plan: EncodePlan): Promise<void> {
    await Promise.all(plan.outputs.map((o) => this.fs.remove(o.tempPath).catch(() => undefined)));
  }

  /** Every output probed, checked and checksummed; outputs are independent, so all at once. */
  private async validate(plan: EncodePlan, produced: ProducedFile[], options: EncodeMediaOptions): Promise<EncodedOutput[]> {
    let checked = 0;
    options.onProgress?.({ stage: 'validate', percent: 0 });
    return Promise.all(
      plan.outputs.map(async (planned) => {
        const output = await this.validateOne(plan, planned, produced, options);
        options.onProgress?.({ stage: 'validate', item: planned.name, percent: (++checked / plan.outputs.length) * 100 });
        return output;
      }),
    );
  }

  private async validateOne(plan: EncodePlan, planned: PlannedOutput, produced: ProducedFile[], options: EncodeMediaOptions): Promise<EncodedOutput> {
    throwIfCancelled(options.signal);
    const file = produced.find((p) => p.name === planned.name);
    if (!file) throw new EncodeError('E_OUTPUT_INVALID', `The encoder produced no "${planned.name}" output.`, { details: { output: planned.name, check: 'exists' } });
    const [info, checksum, size] = await Promise.all([
      this.probe.probe({ kind: 'file', path: file.path }).catch((error: unknown) => {
        throw new EncodeError('E_OUTPUT_INVALID', `Output "${planned.name}" does not decode: ${toEncodeError(error).message}`, {
          details: { output: planned.name, check: 'decodes' },
          cause: error,
        });
      }),
      this.hasher.hashFile(file.path, options.hashAlgorithm ?? 'sha256'),
      this.fs.size(file.path),
    ]);
    const failed = checkOutput(planned, info);
    if (failed.length > 0) {
      throw new EncodeError('E_OUTPUT_INVALID', `Output "${planned.name}" failed ${failed.map((f) => `${f.check} (${f.message})`).join(', ')}.`, {
        details: { output: planned.name, checks: failed },
      });
    }
    return { name: planned.name, path: file.path, spec: planned.spec, info, checksum, size, notes: planNotes(plan, planned) };
  }
}

/** What made an output, as flat strings for component metadata (see EncodedOutput.notes). */
export function planNotes(plan: EncodePlan, planned: PlannedOutput): Record<string, string> {
  const notes: Record<string, string> = {};
  const colour = plan.colour;
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
