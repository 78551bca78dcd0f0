import type { EncodePlan, PlannedOutput } from '../domain/encode-plan.js';
import type { RunOptions } from './progress.js';

/** Pictures of one frame, as file names inside the report directory. */
export interface QcStill {
  frame: string;
  waveform: string;
  vectorscope: string;
}

/** What the QC report shows of one video output. */
export interface QcOutputFindings {
  name: string;
  /** SSIM (All) of every frame against the source as it should look, in frame order. */
  ssim: number[];
  /** PSNR (dB, Infinity when identical) of every frame. */
  psnr: number[];
  /** The middle frame: the source through this output's chain, and the decoded output. */
  source: QcStill;
  review: QcStill;
}

export interface QcFindings {
  contactSheet: { file: string; output: string; frames: number[]; columns: number; rows: number; tileWidth: number; tileHeight: number };
  /** 0-based frame the stills show. */
  middleFrame: number;
  outputs: QcOutputFindings[];
  /** The exact ffmpeg argv of each QC pass (binary first). */
  commands: string[][];
}

export interface QcRequest {
  /** Directory the PNGs are written into (it exists). */
  dir: string;
  /** Contact-sheet frames; default one per second. */
  frames?: number;
}

/** The visual QC report's pictures and per-frame scores of encoded outputs (spawns the encoder's tool). */
export interface QcRenderer {
  render(plan: EncodePlan, outputs: { planned: PlannedOutput; path: string }[], request: QcRequest, options?: RunOptions): Promise<QcFindings>;
}
