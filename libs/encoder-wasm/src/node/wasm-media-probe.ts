import { stat } from 'node:fs/promises';
import {
  EncodeError,
  rational,
  sequenceFrameCount,
  sequenceFramePath,
  throwIfCancelled,
  type LocateOptions,
  type MediaInfo,
  type MediaProbe,
  type MediaSource,
  type ProbeOptions,
  type Rational,
} from '@ftrack-encode/core';
import { audioLevelArgs, parseProbe, probeArgs, scanAudioLevels } from '@ftrack-encode/ffmpeg';
import { explainUnreadableImage, locateSource, mediaInfoFromHeaders, mp4MoovBeforeMdatInFile, readImageHeader } from '@ftrack-encode/ffmpeg/node';
import { failureSummary } from '../shared/log-errors.js';
import { inputPathInCore, INPUT_ROOT, relativePosix } from '../shared/memfs-paths.js';
import type { WasmCore } from './wasm-core.js';
import { readOnlyRun, type ExecInput } from './wasm-core-worker.js';

export interface WasmMediaProbeOptions {
  /** Rate given to image sequences (a frame file has none). Default 24/1. */
  sequenceFrameRate?: Rational;
}

const PROBE_JSON = '/probe/out.json';

/**
 * MediaProbe without a native ffprobe: the ffprobe compiled into @ffmpeg/core, run in the same
 * worker as the encoder, reading the file from disk (never copied into memory).
 * Limits: frame counts come from packets (-count_packets), like the native probe; a sequence is
 * probed from its first frame and gets `sequenceFrameRate`.
 */
export class WasmMediaProbe implements MediaProbe {
  constructor(
    private readonly core: WasmCore,
    private readonly options: WasmMediaProbeOptions = {},
  ) {}

  locate(input: string, options?: LocateOptions): Promise<MediaSource> {
    return locateSource(input, options);
  }

  async probe(source: MediaSource, options: ProbeOptions = {}): Promise<MediaInfo> {
    throwIfCancelled(options.signal);
    if (options.encodedOutput && source.kind === 'file') {
      const info = await mediaInfoFromHeaders(source.path);
      if (info) return info;
    }
    if (source.kind === 'file') {
      let info = await this.probeFile(source.path, options.signal);
      if (options.audioLevels && info.audio.length > 0) info = { ...info, audio: await this.withLevels(source.path, info, options.signal) };
      if (!/(^|,)(mov|mp4)(,|$)/.test(info.format)) return info;
      const moov = await mp4MoovBeforeMdatInFile(source.path);
      return moov === undefined ? info : { ...info, moovBeforeMdat: moov };
    }
    const missing = new Set(source.missing);
    let first = source.first;
    while (missing.has(first) && first < source.last) first++;
    const frame = await this.probeFile(sequenceFramePath(source, first), options.signal);
    const rate = this.options.sequenceFrameRate ?? rational(24, 1);
    const frameCount = sequenceFrameCount(source);
    return {
      ...frame,
      format: 'image2',
      frameRate: rate,
      frameRateFrom: 'default',
      frameCount,
      duration: (frameCount * rate.den) / rate.num,
      firstFrame: source.first,
      audio: [],
      isStill: false,
    };
  }

  /** volumedetect in the core over every audio track (the file read from disk): silent tracks are marked. */
  private withLevels(path: string, info: MediaInfo, signal: AbortSignal | undefined): Promise<MediaInfo['audio']> {
    return scanAudioLevels(info.audio, info.duration, async (window) => {
      const args = audioLevelArgs(inputPathInCore(path), info.audio.length, window).slice(2); // the core adds -nostdin itself
      const result = await this.core.run(readOnlyRun('ffmpeg', args, { mounts: inputMount(path), captureLog: true }), signal ? { signal } : {});
      return result.ret === 0 ? result.log.join('\n') : undefined;
    });
  }

  private async probeFile(path: string, signal: AbortSignal | undefined): Promise<MediaInfo> {
    await stat(path).catch((error: unknown) => {
      throw new EncodeError('E_SOURCE_NOT_FOUND', `${path} does not exist or cannot be read.`, { cause: error, details: { path } });
    });
    const result = await this.core.run(
      // -o: the JSON goes to a file; the core's log stream mixes ffprobe's output with debug lines.
      readOnlyRun('ffprobe', ['-o', PROBE_JSON, ...probeArgs(inputPathInCore(path))], { mounts: inputMount(path), collect: [PROBE_JSON] }),
      signal ? { signal } : {},
    );
    const text = result.collected[PROBE_JSON];
    let json: unknown;
    try {
      json = JSON.parse(text ?? '');
    } catch {
      throw new EncodeError('E_SOURCE_UNREADABLE', `${path} could not be probed: ${failureSummary(result.log)}`, { details: { path } });
    }
    let info: MediaInfo;
    try {
      info = parseProbe(json, { path });
    } catch (error) {
      return explainUnreadableImage(path, error);
    }
    if (info.codec !== 'exr' && info.codec !== 'dpx') return info;
    // EXR/DPX headers (rate, timecode, transfer, layers) are read from disk, as the native probe does.
    const header = await readImageHeader(path);
    return header ? { ...info, imageHeader: header, ...(header.timecode && !info.timecode ? { timecode: header.timecode } : {}) } : info;
  }
}

/** The one file a probe reads, mounted read-only at its place under the core's input root. */
function inputMount(path: string): ExecInput['mounts'] {
  return [{ mountPoint: INPUT_ROOT, files: [{ name: relativePosix(path), diskPath: path }] }];
}
