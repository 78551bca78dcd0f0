import { mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EncodePlan, type FrameQuality, type PlannedOutput, type QualityMeter, type RunOptions } from '@ftrack-encode/core';
import { buildQualityInvocation, frameScores, qualityTargets } from '@ftrack-encode/ffmpeg';
import { requireFfmpeg } from './require-ffmpeg.js';
import type { NativeEncoderOptions } from './native-options.js';
import { runFfmpeg } from './run-ffmpeg.js';

const fileSize = (path: string) => stat(path).then((s) => s.size);

/** The quality gate on the local ffmpeg: one pass, per-frame SSIM and PSNR stats files read back. */
export class NativeQualityMeter implements QualityMeter {
  constructor(private readonly options: NativeEncoderOptions = {}) {}

  async measure(
    plan: EncodePlan,
    outputs: { planned: PlannedOutput; path: string }[],
    frames: number[],
    options: RunOptions = {},
  ): Promise<Map<string, FrameQuality[]>> {
    const { ffmpeg } = await requireFfmpeg(this.options);
    const dir = await mkdtemp(join(tmpdir(), 'ftrack-encode-quality-'));
    try {
      const targets = await qualityTargets(outputs, dir, fileSize);
      const invocation = buildQualityInvocation(plan, targets, frames, { concatListPath: join(dir, 'frames.ffconcat'), workDir: dir });
      for (const link of invocation.links) await symlink(link.target, link.path);
      for (const file of invocation.files) await writeFile(file.path, file.contents, 'utf8');
      await runFfmpeg(ffmpeg, invocation.args, options.signal ? { signal: options.signal } : {});
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
