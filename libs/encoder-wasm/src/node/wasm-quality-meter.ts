import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EncodeError, type EncodePlan, type FrameQuality, type MeasuredOutput, type QualityMeter, type RunOptions } from '@ftrack-encode/core';
import { buildQualityInvocation, frameScores, qualityTargets } from '@ftrack-encode/ffmpeg';
import { inputFiles, layoutInCore } from './core-layout.js';
import type { WasmCore } from './wasm-core.js';

/**
 * The quality gate inside ffmpeg.wasm, for machines with no ffmpeg: the same one-pass invocation
 * as native; the encoded outputs are mounted read-only beside the source, the stats files come
 * back out of MEMFS.
 */
export class WasmQualityMeter implements QualityMeter {
  constructor(private readonly core: WasmCore) {}

  async measure(plan: EncodePlan, outputs: MeasuredOutput[], frames: number[], options: RunOptions = {}): Promise<Map<string, FrameQuality[]>> {
    const dir = await mkdtemp(join(tmpdir(), 'ftrack-encode-quality-'));
    try {
      const fileSize = (path: string) => stat(path).then((s) => s.size);
      const targets = await qualityTargets(outputs, dir, fileSize);
      const built = buildQualityInvocation(plan, targets, frames, { concatListPath: join(dir, 'frames.ffconcat'), workDir: dir });
      // The encoded files (and captured references) are read like the LUTs: mounted and renamed into the core.
      const read = targets.flatMap((t) => [t.path, ...(t.reference ? [t.reference] : [])]);
      const invocation = { ...built, readFiles: [...(built.readFiles ?? []), ...read] };
      // The source is an input only when some reference is made from it.
      const inputs = targets.every((t) => t.reference) ? [] : await inputFiles(plan.source);
      for (const path of read) inputs.push({ path, size: await fileSize(path) });
      const result = await this.core.run(
        { ...layoutInCore(plan, invocation, inputs), progress: false, captureLog: true },
        options.signal ? { signal: options.signal } : {},
      );
      if (result.ret !== 0) throw new EncodeError('E_ENCODER_FAILED', `ffmpeg.wasm could not measure the outputs (exit ${result.ret}).`);
      const scores = new Map<string, FrameQuality[]>();
      for (const target of targets) {
        const [ssim, psnr] = await Promise.all([readFile(target.ssimStats, 'utf8'), readFile(target.psnrStats, 'utf8')]);
        scores.set(target.planned.name, frameScores(target.planned.name, frames, ssim, psnr));
      }
      return scores;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
