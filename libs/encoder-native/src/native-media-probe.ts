import { inject, injectable } from 'tsyringe';
import {
  EncodeError,
  rational,
  sequenceFrameCount,
  sequenceFramePath,
  sourceLabel,
  type LocateOptions,
  type MediaInfo,
  type MediaProbe,
  type MediaSource,
  type ProbeOptions,
} from '@ftrack-encode/core';
import { audioLevelArgs, LEVEL_WINDOW_SECONDS, parseProbe, probeArgs, scanAudioLevels, type LevelScan } from '@ftrack-encode/ffmpeg';
import { explainUnreadableImage, locateSource, mediaInfoFromHeaders, mp4MoovBeforeMdatInFile, readImageHeader } from '@ftrack-encode/ffmpeg/node';
import { requireFfmpeg } from './require-ffmpeg.js';
import { tailLines } from './run-ffmpeg.js';
import { runCaptured } from './captured-run.js';
import { NATIVE_ENCODER_OPTIONS, type NativeEncoderOptions } from './native-options.js';

/** MediaProbe on ffprobe: exact frame counts (-count_packets), rational rates, moov position. */
@injectable()
export class NativeMediaProbe implements MediaProbe {
  constructor(@inject(NATIVE_ENCODER_OPTIONS) private readonly options: NativeEncoderOptions) {}

  locate(input: string, options?: LocateOptions): Promise<MediaSource> {
    return locateSource(input, options);
  }

  async probe(source: MediaSource, options: ProbeOptions = {}): Promise<MediaInfo> {
    if (options.encodedOutput && source.kind === 'file') {
      const info = await mediaInfoFromHeaders(source.path);
      if (info) return info;
    }
    if (!options.audioLevels || source.kind !== 'file') return this.read(source, options);
    // Most sources have at most one audio track: its level scan runs while ffprobe reads the file
    // (two processes at once, not one after the other); stopped when the guess was wrong.
    const guess = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, guess.signal]) : guess.signal;
    const speculative = this.levelScan(source.path, 1, signal)({ seconds: LEVEL_WINDOW_SECONDS });
    const settled = speculative.catch(() => undefined); // a stopped guess is no failure
    try {
      const info = await this.read(source, options);
      if (info.audio.length !== 1) guess.abort();
      if (info.audio.length === 0) return info;
      const scan = this.levelScan(source.path, info.audio.length, options.signal);
      const audio = await scanAudioLevels(info.audio, info.duration, scan, info.audio.length === 1 ? speculative : undefined);
      return { ...info, audio };
    } finally {
      guess.abort();
      await settled;
    }
  }

  /** volumedetect over every audio track (LevelScan): a track whose loudest sample is under -80 dBFS is silent. */
  private levelScan(path: string, tracks: number, signal: AbortSignal | undefined): LevelScan {
    return async (window) => {
      const { ffmpeg } = await requireFfmpeg(this.options);
      const result = await runCaptured(ffmpeg, audioLevelArgs(path, tracks, window), signal ? { signal } : {});
      if (result.cancelled) throw new EncodeError('E_CANCELLED', 'Cancelled while measuring audio levels.');
      return result.exitCode === 0 ? result.stderr : undefined;
    };
  }

  private async read(source: MediaSource, options: ProbeOptions): Promise<MediaInfo> {
    const { ffprobe } = await requireFfmpeg(this.options);
    const path = source.kind === 'file' ? source.path : sequenceFramePath(source, source.first);
    const result = await runCaptured(
      ffprobe,
      probeArgs(path, { countPackets: options.countFrames !== false }),
      options.signal ? { signal: options.signal } : {},
    );
    if (result.cancelled) throw new EncodeError('E_CANCELLED', 'Cancelled while probing.');
    if (result.exitCode !== 0) {
      const reason = tailLines(result.stderr, 3).join(' | ') || result.startError || `ffprobe exited with ${result.exitCode}`;
      throw new EncodeError('E_SOURCE_UNREADABLE', `${sourceLabel(source)} is not media ffmpeg can read: ${reason}`, {
        hint: 'Check that the file is a complete movie or image (not truncated, not renamed from another type).',
        details: { path, stderr: tailLines(result.stderr, 20) },
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(result.stdout);
    } catch (error) {
      throw new EncodeError('E_SOURCE_UNREADABLE', `ffprobe gave no readable answer for ${path}.`, { cause: error });
    }
    if (source.kind === 'sequence') {
      const info = await withImageHeader(await parsed(json, path, source.first), path);
      const frameRate = this.options.sequenceFrameRate ?? rational(24, 1);
      const frameCount = sequenceFrameCount(source);
      // Each frame is probed as a still; the sequence is a clip at the site's sequence rate (EncodeMedia
      // then resolves --fps, site rules and the header's own rate).
      return {
        ...info,
        format: 'image2',
        frameRate,
        frameRateFrom: 'default',
        frameCount,
        duration: (frameCount * frameRate.den) / frameRate.num,
        isStill: false,
      };
    }
    const info = await withImageHeader(await parsed(json, path), path);
    if (/(^|,)(mov|mp4)(,|$)/.test(info.format)) {
      const moovBeforeMdat = await mp4MoovBeforeMdatInFile(path);
      if (moovBeforeMdat !== undefined) return { ...info, moovBeforeMdat };
    }
    return info;
  }
}

/** EXR/DPX: what the header says (rate, timecode, transfer, layers) that ffprobe does not. */
async function withImageHeader(info: MediaInfo, path: string): Promise<MediaInfo> {
  if (info.codec !== 'exr' && info.codec !== 'dpx') return info;
  const header = await readImageHeader(path);
  if (!header) return info;
  return { ...info, imageHeader: header, ...(header.timecode && !info.timecode ? { timecode: header.timecode } : {}) };
}

/** parseProbe, with an image's own header explaining what ffprobe cannot read (deep EXR). */
async function parsed(json: unknown, path: string, firstFrame?: number): Promise<MediaInfo> {
  try {
    return parseProbe(json, { path, ...(firstFrame === undefined ? {} : { firstFrame }) });
  } catch (error) {
    return explainUnreadableImage(path, error);
  }
}
