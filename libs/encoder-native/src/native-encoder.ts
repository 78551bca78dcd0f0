import { mkdir, readFile, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject, injectable } from 'tsyringe';
import {
  EncodeError,
  type EncodePlan,
  type Encoder,
  type EncoderCapabilities,
  type ProducedFile,
  type RunOptions,
  type SegmentStep,
} from '@ftrack-encode/core';
import { buildEncodeInvocation, buildStepInvocation, muxedVideoPackets, toEncodeProgress, type FfmpegInvocation } from '@ftrack-encode/ffmpeg';
import { readCapabilities } from './capabilities.js';
import type { FfmpegPaths } from './find-ffmpeg.js';
import { requireFfmpeg } from './require-ffmpeg.js';
import { NATIVE_ENCODER_OPTIONS, type NativeEncoderOptions } from './native-options.js';
import { runFfmpeg } from './run-ffmpeg.js';

/** Encoder on a local ffmpeg binary: one process, one decode, every output (segments: one process each). */
@injectable()
export class NativeEncoder implements Encoder {
  readonly id = 'native';
  private paths: Promise<FfmpegPaths> | undefined;
  private caps: Promise<EncoderCapabilities> | undefined;

  constructor(@inject(NATIVE_ENCODER_OPTIONS) private readonly options: NativeEncoderOptions) {}

  binaries(): Promise<FfmpegPaths> {
    this.paths ??= requireFfmpeg(this.options);
    this.paths.catch(() => (this.paths = undefined));
    return this.paths;
  }

  capabilities(): Promise<EncoderCapabilities> {
    // Segments run as one process each: as many at once as the machine has cores, sharing them.
    const cores = availableParallelism();
    this.caps ??= this.binaries().then(async (p) => ({ ...(await readCapabilities(p.ffmpeg)), segments: { workers: cores, cores } }));
    this.caps.catch(() => (this.caps = undefined));
    return this.caps;
  }

  async describe(plan: EncodePlan): Promise<string[][]> {
    const { ffmpeg } = await this.binaries();
    return [[ffmpeg, ...(await this.invocation(plan)).args]];
  }

  async encode(plan: EncodePlan, options: RunOptions = {}): Promise<ProducedFile[]> {
    if (options.signal?.aborted) throw new EncodeError('E_CANCELLED', 'Cancelled before encoding started.');
    const invocation = await this.invocation(plan);
    const packets = await this.run(invocation, this.workDir(plan.id), { ...options, preferFrames: plan.source.kind === 'sequence' });
    return invocation.outputs.map((o) => ({ name: o.name, path: o.path, ...(packets.has(o.path) ? { videoPackets: packets.get(o.path) } : {}) }));
  }

  /** The audio pass and the joins of a segment-parallel encode (its segments are plain `encode` calls). */
  async runStep(step: SegmentStep, options: RunOptions = {}): Promise<void> {
    if (options.signal?.aborted) throw new EncodeError('E_CANCELLED', 'Cancelled before encoding started.');
    await this.run(this.stepInvocation(step), this.stepWorkDir(step), { ...(options.signal ? { signal: options.signal } : {}) });
  }

  async describeStep(step: SegmentStep): Promise<string[][]> {
    const { ffmpeg } = await this.binaries();
    return [[ffmpeg, ...this.stepInvocation(step).args]];
  }

  private stepInvocation(step: SegmentStep): FfmpegInvocation {
    return buildStepInvocation(step, this.stepWorkDir(step), { progress: true });
  }

  private stepWorkDir(step: SegmentStep): string {
    return this.workDir(step.kind === 'audio' ? `${step.plan.id}-audio` : `${step.plan.id}-join-${step.join.output.name}`);
  }

  /**
   * One ffmpeg process for an invocation; on any failure or cancel none of its outputs is left.
   * Returns the video frames each output holds, as ffmpeg counted them while muxing: validation
   * then reads only the headers back instead of every packet of the file.
   */
  private async run(invocation: FfmpegInvocation, workDir: string, options: RunOptions & { preferFrames?: boolean }): Promise<Map<string, number>> {
    const { signal, onProgress } = options;
    const { ffmpeg } = await this.binaries();
    const reportPath = join(workDir, 'ffmpeg-report.log');
    try {
      await this.prepare(invocation, workDir);
      onProgress?.({ stage: 'encode', percent: 0, frame: 0 });
      await runFfmpeg(ffmpeg, invocation.args, {
        reportPath,
        ...(signal ? { signal } : {}),
        ...(this.options.forceKillAfterMs === undefined ? {} : { forceKillAfterMs: this.options.forceKillAfterMs }),
        progress: {
          expectedDurationSeconds: invocation.expectedDurationSeconds,
          expectedFrames: invocation.expectedFrames,
          preferFrames: Boolean(options.preferFrames),
          onProgress: (p) => onProgress?.(toEncodeProgress(p)),
        },
      });
      for (const output of invocation.outputs) {
        const size = await stat(output.path).then(
          (s) => s.size,
          () => 0,
        );
        if (size === 0)
          throw new EncodeError('E_ENCODER_FAILED', `ffmpeg finished but wrote no "${output.name}" output.`, { details: { output: output.name } });
      }
      return muxedVideoPackets(await readFile(reportPath, 'utf8').catch(() => ''));
    } catch (error) {
      // A cancelled ffmpeg still writes a valid partial file: remove every output, whatever happened.
      await Promise.all(invocation.outputs.map((o) => unlink(o.path).catch(() => undefined)));
      throw error;
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }

  private async invocation(plan: EncodePlan): Promise<FfmpegInvocation> {
    const threads = plan.threads > 0 ? plan.threads : (this.options.threads ?? 0);
    const hardware = this.options.hardware && (await this.capabilities()).hardware.includes(this.options.hardware) ? this.options.hardware : undefined;
    return buildEncodeInvocation(
      { ...plan, threads },
      {
        progress: true,
        concatListPath: join(this.workDir(plan.id), 'frames.ffconcat'),
        ...(hardware ? { hardware } : {}),
      },
    );
  }

  /** Per-plan (per-step) scratch dir (deterministic, so --dry-run shows the same command that runs). */
  private workDir(id: string): string {
    return join(tmpdir(), `ftrack-encode-${id}`);
  }

  private async prepare(invocation: FfmpegInvocation, workDir: string): Promise<void> {
    await mkdir(workDir, { recursive: true }); // the report log at least
    for (const link of invocation.links) await symlink(link.target, link.path);
    for (const file of invocation.files) await writeFile(file.path, file.contents, 'utf8');
  }
}
