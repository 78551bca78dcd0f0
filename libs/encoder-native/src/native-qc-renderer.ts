import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EncodeError,
  toNumber,
  type EncodePlan,
  type PlannedOutput,
  type QcFindings,
  type QcRenderer,
  type QcRequest,
  type RunOptions,
} from '@ftrack-encode/core';
import {
  ALL_FRAMES,
  buildContactSheetArgs,
  buildQualityInvocation,
  buildStillsInvocation,
  contactSheetFrames,
  contactSheetLayout,
  parsePsnrStats,
  parseSsimStats,
  type FfmpegInvocation,
} from '@ftrack-encode/ffmpeg';
import { requireFfmpeg } from './require-ffmpeg.js';
import type { NativeEncoderOptions } from './native-options.js';
import { runFfmpeg } from './run-ffmpeg.js';

/** The QC report on the local ffmpeg: a contact sheet, every frame's SSIM/PSNR, middle-frame stills and scopes. */
export class NativeQcRenderer implements QcRenderer {
  constructor(private readonly options: NativeEncoderOptions = {}) {}

  async render(plan: EncodePlan, outputs: { planned: PlannedOutput; path: string }[], request: QcRequest, options: RunOptions = {}): Promise<QcFindings> {
    const videos = outputs.filter((o) => o.planned.spec.kind === 'video');
    const first = videos[0];
    if (!first) throw new EncodeError('E_USAGE', 'The QC report needs a video output; this profile makes none.');
    const { ffmpeg } = await requireFfmpeg(this.options);
    const run = (args: string[]) => runFfmpeg(ffmpeg, args, options.signal ? { signal: options.signal } : {});
    const commands: string[][] = [];
    const scratch = await mkdtemp(join(tmpdir(), 'ftrack-encode-qc-'));
    const prepare = async (invocation: FfmpegInvocation) => {
      // Both passes read the source through the same links in the same scratch dir.
      for (const link of invocation.links) {
        await symlink(link.target, link.path).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'EEXIST') throw error;
        });
      }
      for (const file of invocation.files) await writeFile(file.path, file.contents, 'utf8');
    };
    try {
      const frameCount = Math.min(...videos.map((v) => v.planned.frameCount));
      const frames = contactSheetFrames(first.planned.frameCount, toNumber(first.planned.frameRate), request.frames);
      const layout = contactSheetLayout(frames.length, first.planned.width, first.planned.height);
      const sheetArgs = buildContactSheetArgs(first.path, frames, layout, join(request.dir, 'contact-sheet.png'));
      commands.push([ffmpeg, ...sheetArgs]);
      await run(sheetArgs);

      const targets = videos.map((o, i) => ({ ...o, ssimStats: join(scratch, `${i}.ssim.log`), psnrStats: join(scratch, `${i}.psnr.log`) }));
      const metrics = buildQualityInvocation(plan, targets, ALL_FRAMES, { concatListPath: join(scratch, 'frames.ffconcat'), workDir: scratch });
      await prepare(metrics);
      commands.push([ffmpeg, ...metrics.args]);
      await run(metrics.args);

      const middleFrame = Math.floor((frameCount - 1) / 2);
      const still = (i: number, side: string) => ({
        frame: `${i}-${side}-frame.png`,
        waveform: `${i}-${side}-waveform.png`,
        vectorscope: `${i}-${side}-vectorscope.png`,
      });
      const inDir = (s: ReturnType<typeof still>) => ({
        frame: join(request.dir, s.frame),
        waveform: join(request.dir, s.waveform),
        vectorscope: join(request.dir, s.vectorscope),
      });
      const stillTargets = videos.map((o, i) => ({ ...o, source: inDir(still(i, 'source')), review: inDir(still(i, 'review')) }));
      const stills = buildStillsInvocation(plan, stillTargets, middleFrame, { concatListPath: join(scratch, 'stills.ffconcat'), workDir: scratch });
      await prepare(stills);
      commands.push([ffmpeg, ...stills.args]);
      await run(stills.args);

      const findings = await Promise.all(
        targets.map(async (target, i) => {
          const [ssim, psnr] = await Promise.all([
            readFile(target.ssimStats, 'utf8').then(parseSsimStats),
            readFile(target.psnrStats, 'utf8').then(parsePsnrStats),
          ]);
          return { name: target.planned.name, ssim, psnr, source: still(i, 'source'), review: still(i, 'review') };
        }),
      );
      return { contactSheet: { file: 'contact-sheet.png', output: first.planned.name, frames, ...layout }, middleFrame, outputs: findings, commands };
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
}
