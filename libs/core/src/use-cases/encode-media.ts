import { inject, injectable } from 'tsyringe';
import type { EncodeProfile } from '../domain/encode-profile.js';
import type { EncodePlan, EncodedOutput, HashAlgorithm, ProducedFile } from '../domain/encode-plan.js';
import type { GapPolicy, MediaSource } from '../domain/media-source.js';
import type { Encoder } from '../ports/encoder.js';
import type { MediaProbe } from '../ports/media-probe.js';
import type { Hasher } from '../ports/hasher.js';
import type { FileSystem } from '../ports/file-system.js';
import type { Logger } from '../ports/logger.js';
import type { ProgressListener } from '../ports/progress.js';
import { TOKENS } from '../tokens.js';
import { EncodeError, throwIfCancelled, toEncodeError } from '../errors.js';
import { planEncode } from '../plan/plan-encode.js';
import { validateOutputs } from './validate-outputs.js';

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
    @inject(TOKENS.MediaProbe) readonly probe: MediaProbe,
    @inject(TOKENS.Hasher) readonly hasher: Hasher,
    @inject(TOKENS.FileSystem) readonly fs: FileSystem,
    @inject(TOKENS.Logger) private readonly logger: Logger,
  ) {}

  async run(input: string | MediaSource, profile: EncodeProfile, options: EncodeMediaOptions): Promise<EncodeMediaResult> {
    const { signal, onProgress } = options;
    onProgress?.({ stage: 'locate', message: typeof input === 'string' ? input : 'source' });
    const source = typeof input === 'string' ? await this.probe.locate(input, { gapPolicy: options.gapPolicy ?? 'error' }) : input;
    throwIfCancelled(signal);
    onProgress?.({ stage: 'probe' });
    const [info, capabilities] = await Promise.all([this.probe.probe(source, signal ? { signal } : {}), this.encoder.capabilities()]);
    const plan = planEncode({
      source,
      info,
      profile,
      outputDir: options.outputDir,
      gapPolicy: options.gapPolicy ?? 'error',
      capabilities,
      threads: options.threads ?? 0,
    });
    const commands = await this.encoder.describe(plan);
    const base = { plan, encoderId: capabilities.id, encoderVersion: capabilities.version, commands };
    if (options.dryRun) return { ...base, outputs: [] };
    await this.fs.ensureWritableDir(options.outputDir);
    throwIfCancelled(signal);

    let produced: ProducedFile[] = [];
    try {
      produced = await this.encoder.encode(plan, { ...(signal ? { signal } : {}), ...(onProgress ? { onProgress } : {}) });
      throwIfCancelled(signal);
      const outputs = await validateOutputs(this, plan.outputs, produced, options);
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
      throw toEncodeError(error, 'E_ENCODER_FAILED', signal);
    }
  }

  /** Remove every temp file of a plan; used on any failure. */
  async discard(plan: EncodePlan): Promise<void> {
    await Promise.all(plan.outputs.map((o) => this.fs.remove(o.tempPath).catch(() => undefined)));
  }
}
