import type { Progress } from '@ftrack-encode/core';

/** One `-progress` block, normalised. */
export interface FfmpegProgress {
  frame?: number;
  outTimeSeconds?: number;
  /** Relative to real time (1 = real time). */
  speed?: number;
  /** 0..100; held below 100 until ffmpeg reports `progress=end`. */
  percent?: number;
  etaSeconds?: number;
  done: boolean;
}

/** An ffmpeg progress block as the ports' encode-stage Progress (absent values stay absent). */
export function toEncodeProgress(p: FfmpegProgress): Progress {
  return {
    stage: 'encode',
    ...(p.percent === undefined ? {} : { percent: p.percent }),
    ...(p.frame === undefined ? {} : { frame: p.frame }),
    ...(p.speed === undefined ? {} : { speed: p.speed }),
    ...(p.etaSeconds === undefined ? {} : { etaSeconds: p.etaSeconds }),
  };
}

export interface ProgressParserOptions {
  /** Expected output duration (seconds): percent = out_time / duration. */
  expectedDurationSeconds?: number;
  /** Expected frames: used when the duration is unknown or time is N/A (sequences). */
  expectedFrames?: number;
  /** Prefer frames over time (image sequences, where out_time may be N/A for image outputs). */
  preferFrames?: boolean;
}

const HOLD_BELOW = 99.9;

function num(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim().replace(/x$/, '');
  if (trimmed === '' || trimmed === 'N/A') return undefined;
  const n = Number(trimmed);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Parses ffmpeg's `-progress pipe:1` output (key=value lines, each block ending with
 * `progress=continue|end`). Feed it chunks split anywhere; it returns the blocks completed.
 * Shared by the native and wasm backends (wasm logs carry the same lines).
 */
export class ProgressParser {
  private buffer = '';
  private block: Record<string, string> = {};
  private lastPercent = 0;

  constructor(private readonly options: ProgressParserOptions = {}) {}

  push(chunk: string | Uint8Array): FfmpegProgress[] {
    this.buffer += typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk);
    const lines = this.buffer.split(/\r?\n/);
    this.buffer = lines.pop() ?? '';
    const out: FfmpegProgress[] = [];
    for (const line of lines) {
      const eq = line.indexOf('=');
      if (eq <= 0) continue;
      const key = line.slice(0, eq).trim();
      const value = line.slice(eq + 1).trim();
      this.block[key] = value;
      if (key === 'progress') {
        out.push(this.complete(value === 'end'));
        this.block = {};
      }
    }
    return out;
  }

  /** Flush a trailing line without newline (end of stream). */
  end(): FfmpegProgress[] {
    if (this.buffer === '') return [];
    const rest = this.buffer;
    this.buffer = '';
    return this.push(`${rest}\n`);
  }

  private complete(done: boolean): FfmpegProgress {
    const b = this.block;
    const frame = num(b['frame']);
    const outTimeUs = num(b['out_time_us']) ?? num(b['out_time_ms']);
    const outTimeSeconds = outTimeUs === undefined ? undefined : Math.max(0, outTimeUs / 1e6);
    const speed = num(b['speed']);
    const { expectedDurationSeconds: duration, expectedFrames: frames, preferFrames } = this.options;
    let percent: number | undefined;
    const byFrames = frame !== undefined && frames ? (frame / frames) * 100 : undefined;
    const byTime = outTimeSeconds !== undefined && duration ? (outTimeSeconds / duration) * 100 : undefined;
    percent = preferFrames ? (byFrames ?? byTime) : (byTime ?? byFrames);
    if (done) percent = 100;
    else if (percent !== undefined) percent = Math.min(HOLD_BELOW, Math.max(this.lastPercent, percent));
    if (percent !== undefined) this.lastPercent = percent;
    let etaSeconds: number | undefined;
    if (done) etaSeconds = 0;
    else if (percent !== undefined && percent > 0 && speed && speed > 0 && duration) {
      etaSeconds = (((100 - percent) / 100) * duration) / speed;
    }
    return {
      ...(frame === undefined ? {} : { frame }),
      ...(outTimeSeconds === undefined ? {} : { outTimeSeconds }),
      ...(speed === undefined ? {} : { speed }),
      ...(percent === undefined ? {} : { percent }),
      ...(etaSeconds === undefined ? {} : { etaSeconds }),
      done,
    };
  }
}
