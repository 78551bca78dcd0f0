import { rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import {
  EncodeError,
  throwIfCancelled,
  toEncodeError,
  type EncodePlan,
  type Encoder,
  type EncoderCapabilities,
  type ProducedFile,
  type RunOptions,
  type SegmentStep,
} from '@ftrack-encode/core';
import { buildEncodeInvocation, buildStepInvocation, ProgressParser, toEncodeProgress, type FfmpegInvocation } from '@ftrack-encode/ffmpeg';
import { failureSummary } from '../shared/log-errors.js';
import { parseCodecListing, parseFilterListing, wasmCapabilities } from '../shared/wasm-capabilities.js';
import { inputFiles, layoutFilesInCore, layoutInCore, type InputFile } from './core-layout.js';
import { WasmCore } from './wasm-core.js';
import { cacheUnlessRejected } from '../shared/cache-unless-rejected.js';
import { CorePool } from '../shared/core-pool.js';
import { readOnlyRun, type ExecInput } from './wasm-core-worker.js';

export const DEFAULT_WASM_MEMORY_LIMIT = 1024 ** 3;

export interface WasmEncoderOptions {
  /**
   * Largest total input (bytes) accepted, else E_INPUT_TOO_LARGE before anything runs.
   * Default 1 GiB. Inputs are streamed from disk, but the single-thread core's heap stops at
   * 2 GiB and every output is held in memory until the run ends: this keeps well clear of that.
   */
  memoryLimitBytes?: number;
  /** `-threads` of wasm encodes. Default 1: the Node core is the single-thread build. */
  threads?: number;
  /** ffmpeg.wasm's own timeout per encode, ms (none by default). */
  timeoutMs?: number;
  /** Worker threads (one ffmpeg.wasm core each) segments run on at once. Default: the cores. */
  segmentWorkers?: number;
}

function formatBytes(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

/**
 * Encoder on ffmpeg.wasm (@ffmpeg/core) in a worker thread: the same argv the native backend
 * builds for the plan, with its paths moved into the core's file system.
 */
export class WasmNodeEncoder implements Encoder {
  readonly id = 'wasm';
  /** The build's codecs and filters, probed once (again after a failed probe). */
  private readonly probedBuild = cacheUnlessRejected(() => this.probeBuild());
  private readonly memoryLimit: number;
  private readonly threads: number;

  private readonly pool: CorePool<WasmCore>;

  /** `createCore` makes the extra cores segments run on (each its own worker thread). */
  constructor(
    private readonly core: WasmCore,
    private readonly options: WasmEncoderOptions = {},
    createCore: () => WasmCore = () => new WasmCore(),
  ) {
    this.memoryLimit = options.memoryLimitBytes ?? DEFAULT_WASM_MEMORY_LIMIT;
    this.threads = options.threads ?? 1;
    this.pool = new CorePool(options.segmentWorkers ?? availableParallelism(), createCore);
  }

  capabilities(): Promise<EncoderCapabilities> {
    return this.probedBuild();
  }

  async describe(plan: EncodePlan): Promise<string[][]> {
    return [['ffmpeg', ...this.invocation(plan).args]];
  }

  async encode(plan: EncodePlan, options: RunOptions = {}): Promise<ProducedFile[]> {
    throwIfCancelled(options.signal);
    // Size first: a too-large input is refused before the core is even loaded.
    const inputs = await this.checkedInputs(plan);
    await this.refuseUnsupported(plan);
    const invocation = this.invocation(plan);
    const layout = layoutInCore(plan, invocation, inputs);
    // A segment runs on a core of its own, beside the other segments; a whole plan on the main core.
    const run = (core: WasmCore) => this.execute(core, layout, invocation, options, plan.source.kind === 'sequence');
    await (plan.range ? this.pool.use(run) : run(this.core));
    return invocation.outputs.map((o) => ({ name: o.name, path: o.path }));
  }

  /** The audio pass and the joins of a segment-parallel encode. */
  async runStep(step: SegmentStep, options: RunOptions = {}): Promise<void> {
    throwIfCancelled(options.signal);
    const invocation = this.stepInvocation(step);
    const layout =
      step.kind === 'audio'
        ? layoutInCore(step.plan, invocation, await this.checkedInputs(step.plan))
        : layoutFilesInCore(invocation, [...step.join.parts.map((p) => p.path), ...(step.join.audio ? [step.join.audio] : [])]);
    const run = (core: WasmCore) => this.execute(core, layout, invocation, { ...(options.signal ? { signal: options.signal } : {}) }, false);
    // The audio runs beside the segments on the main core (idle while they run on the pool); joins on the pool.
    await (step.kind === 'audio' ? run(this.core) : this.pool.use(run));
  }

  async describeStep(step: SegmentStep): Promise<string[][]> {
    return [['ffmpeg', ...this.stepInvocation(step).args]];
  }

  private stepInvocation(step: SegmentStep): FfmpegInvocation {
    // The list only ever exists inside the core (under /work).
    return buildStepInvocation(step, step.plan.outputDir, { progress: true });
  }

  /** One command on one core: progress, one retry on a fresh core after a crash, no output left on failure. */
  private async execute(
    core: WasmCore,
    layout: Omit<ExecInput, 'progress' | 'captureLog'>,
    invocation: FfmpegInvocation,
    options: RunOptions,
    preferFrames: boolean,
  ): Promise<void> {
    const { signal, onProgress } = options;
    const parser = new ProgressParser({
      expectedDurationSeconds: invocation.expectedDurationSeconds,
      expectedFrames: invocation.expectedFrames,
      preferFrames,
    });
    onProgress?.({ stage: 'encode', percent: 0, message: 'ffmpeg.wasm' });
    let shown = 0;
    const removeOutputs = () => Promise.all(invocation.outputs.map((o) => rm(o.path, { force: true })));
    try {
      const run = () =>
        core.run(
          { ...layout, progress: true, captureLog: false, ...(this.options.timeoutMs ? { timeoutMs: this.options.timeoutMs } : {}) },
          {
            ...(signal ? { signal } : {}),
            onProgressLine: (line) => {
              for (const p of parser.push(`${line}\n`)) {
                const progress = toEncodeProgress(p);
                // After a retry the run starts over: progress never goes back.
                if (progress.percent !== undefined && progress.percent < shown) continue;
                shown = progress.percent ?? shown;
                onProgress?.(progress);
              }
            },
          },
        );
      // A long-lived ffmpeg.wasm core sometimes aborts (memory access out of bounds) on a command that
      // runs fine on a fresh one; the crashed core is thrown away, so one retry gets a fresh core.
      const result = await run().catch(async (error: unknown) => {
        if (signal?.aborted || !/^ffmpeg\.wasm crashed/.test(toEncodeError(error).message)) throw error;
        await removeOutputs();
        return run();
      });
      if (result.ret !== 0) {
        throw new EncodeError('E_ENCODER_FAILED', `ffmpeg.wasm failed (exit ${result.ret}): ${failureSummary(result.log)}`, {
          hint:
            result.ret === 1 && this.options.timeoutMs
              ? `The encode ran past the ${this.options.timeoutMs} ms timeout.`
              : 'Run the same plan with --backend native to compare.',
          details: { exitCode: result.ret },
        });
      }
      const written = new Set(result.written.map((w) => w.diskPath));
      const missing = invocation.outputs.filter((o) => !written.has(o.path));
      if (missing.length > 0) {
        throw new EncodeError('E_ENCODER_FAILED', `ffmpeg.wasm wrote no ${missing.map((o) => `"${o.name}"`).join(', ')}: ${failureSummary(result.log)}`);
      }
    } catch (error) {
      await removeOutputs();
      throw toEncodeError(error, 'E_ENCODER_FAILED');
    }
  }

  /** Stop the worker thread (it is unref'd when idle, so this is only for tidy shutdowns and tests). */
  async dispose(): Promise<void> {
    await Promise.all([this.core.dispose(), this.pool.dispose()]);
  }

  private invocation(plan: EncodePlan): FfmpegInvocation {
    // The concat list of a gapped sequence only ever exists inside the core (under /work).
    const concatListPath = `${plan.outputDir.replace(/[\\/]+$/, '')}/.${plan.id}.ffconcat`;
    return buildEncodeInvocation({ ...plan, threads: this.threads }, { progress: true, concatListPath });
  }

  /** A plan that reached us with a codec this build crashes on fails here, not mid-way. */
  private async refuseUnsupported(plan: EncodePlan): Promise<void> {
    const capabilities = await this.capabilities();
    for (const output of plan.outputs) {
      if (capabilities.codecs.includes(output.spec.codec)) continue;
      const reason = capabilities.unsupported.find((u) => u.codec === output.spec.codec)?.reason ?? 'not available in this build';
      throw new EncodeError('E_UNSUPPORTED', `Output "${output.name}" needs ${output.spec.codec}, which the wasm backend cannot encode: ${reason}.`, {
        hint: "Plan with this encoder's capabilities (fallbacks apply), or use --backend native.",
        details: { output: output.name, codec: output.spec.codec, backend: this.id },
      });
    }
  }

  private async checkedInputs(plan: EncodePlan): Promise<InputFile[]> {
    const inputs = await inputFiles(plan.source).catch((error: unknown) => {
      throw new EncodeError('E_SOURCE_NOT_FOUND', `Cannot read the source: ${toEncodeError(error).message}`, { cause: error });
    });
    const total = inputs.reduce((sum, f) => sum + f.size, 0);
    if (total > this.memoryLimit) {
      throw new EncodeError('E_INPUT_TOO_LARGE', `The source is ${formatBytes(total)}; the wasm backend takes at most ${formatBytes(this.memoryLimit)}.`, {
        hint: 'Use --backend native (no memory limit), or raise the wasm memory limit if the outputs are small.',
        details: { inputBytes: total, limitBytes: this.memoryLimit },
      });
    }
    return inputs;
  }

  private async probeBuild(): Promise<EncoderCapabilities> {
    const listing = async (flag: string): Promise<string[]> => (await this.core.run(readOnlyRun('ffmpeg', ['-hide_banner', flag], { captureLog: true }))).log;
    const [encoders, decoders, filters] = [await listing('-encoders'), await listing('-decoders'), await listing('-filters')];
    const versions = await this.core.versions();
    const capabilities = wasmCapabilities({
      id: this.id,
      version: `@ffmpeg/core ${versions.packageVersion} (${versions.ffmpeg.replace(/^ffmpeg version (\S+).*$/, 'ffmpeg $1')})`,
      encoders: parseCodecListing(encoders),
      decoders: parseCodecListing(decoders),
      filters: parseFilterListing(filters),
      maxInputBytes: this.memoryLimit,
    });
    // Segments run one per worker thread, each core single-threaded.
    return { ...capabilities, segments: { workers: this.pool.size } };
  }
}
