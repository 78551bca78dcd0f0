import { mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EncodePlan, type FrameQuality, type MeasuredOutput, type QualityMeter, type RunOptions } from '@ftrack-encode/core';
import { buildQualityInvocation, frameScores, qualityTargets, type QualityTarget } from '@ftrack-encode/ffmpeg';
import { requireFfmpeg } from './require-ffmpeg.js';
import type { NativeEncoderOptions } from './native-options.js';
import { runFfmpeg } from './run-ffmpeg.js';

const fileSize = (path: string) => stat(path).then((s) => s.size);

/**
 * The targets' processes: each output whose reference the encode captured in a process of its own
 * (they run side by side: the cores are idle once the encode is over), and the outputs whose
 * reference is made from the source together in one, which decodes the source once for all of them.
 */
export function qualityGroups(targets: readonly QualityTarget[]): QualityTarget[][] {
  const fromSource = targets.filter((t) => !t.reference);
  return [...targets.filter((t) => t.reference).map((t) => [t]), ...(fromSource.length > 0 ? [fromSource] : [])];
}

/** The quality gate on the local ffmpeg: per-frame SSIM and PSNR stats files read back. */
export class NativeQualityMeter implements QualityMeter {
  constructor(private readonly options: NativeEncoderOptions = {}) {}

  async measure(plan: EncodePlan, outputs: MeasuredOutput[], frames: number[], options: RunOptions = {}): Promise<Map<string, FrameQuality[]>> {
    const { ffmpeg } = await requireFfmpeg(this.options);
    const dir = await mkdtemp(join(tmpdir(), 'ftrack-encode-quality-'));
    try {
      const targets = await qualityTargets(outputs, dir, fileSize);
      // Every process ends before the scratch dir goes, even when one of them failed.
      const runs = await Promise.allSettled(
        qualityGroups(targets).map(async (group, g) => {
          const invocation = buildQualityInvocation(plan, group, frames, { concatListPath: join(dir, `frames-${g}.ffconcat`), workDir: dir });
          for (const link of invocation.links) await symlink(link.target, link.path);
          for (const file of invocation.files) await writeFile(file.path, file.contents, 'utf8');
          await runFfmpeg(ffmpeg, invocation.args, options.signal ? { signal: options.signal } : {});
        }),
      );
      const failed = runs.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
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
