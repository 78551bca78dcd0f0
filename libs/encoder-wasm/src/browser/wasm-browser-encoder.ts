/// <reference lib="dom" />
import { FFmpeg, FFFSType } from '@ffmpeg/ffmpeg';
import {
  EncodeError,
  planEncode,
  profileSpecsFor,
  resolvePlanColour,
  rational,
  sequenceFrameCount,
  sequenceFramePath,
  throwIfCancelled,
  toEncodeError,
  type EncodePlan,
  type EncodeProfile,
  type Encoder,
  type EncoderCapabilities,
  type MediaInfo,
  type MediaSource,
  type Rational,
  type PlannedOutput,
  type ProducedFile,
  type RunOptions,
} from '@ftrack-encode/core';
import { buildEncodeInvocation, parseProbe, probeArgs, ProgressParser, toEncodeProgress } from '@ftrack-encode/ffmpeg';
import { failureSummary } from '../shared/log-errors.js';
import { sequenceFromFileNames } from './picked-sequence.js';
import { parseCodecListing, parseFilterListing, wasmCapabilities } from '../shared/wasm-capabilities.js';

/**
 * Where the app serves the ffmpeg.wasm files: ALWAYS our own assets, never a CDN
 * (without coreURL, @ffmpeg/ffmpeg fetches unpkg).
 *
 * Vite traps (measured, see docs/web.md):
 * - Import them with `?url`: `@ffmpeg/core?url`, `@ffmpeg/core/wasm?url`, `@ffmpeg/core-mt?url`,
 *   `@ffmpeg/core-mt/wasm?url`, `@ffmpeg/core-mt/worker?url` — or, more robust in `vite dev`,
 *   copy them to `public/ffmpeg/{st,mt}/` and pass those URLs: the dev server injects an
 *   import into the multi-thread core's classic worker, which then fails.
 * - `optimizeDeps.exclude: ['@ffmpeg/ffmpeg', '@ffmpeg/util']` and `worker.format: 'es'`.
 * - `build.assetsInlineLimit` must never inline anything named ffmpeg-core: the 2 kB mt worker
 *   as a data: URL makes every thread fail and load() hang.
 */
export interface WasmBrowserAssets {
  /** Single-thread @ffmpeg/core: ffmpeg-core.js and ffmpeg-core.wasm. */
  coreURL: string;
  wasmURL: string;
  /** Multi-thread @ffmpeg/core-mt, used only when the page is cross-origin isolated. */
  mt?: { coreURL: string; wasmURL: string; workerURL: string };
  /** @ffmpeg/ffmpeg's own worker module, when the bundler cannot find it (classWorkerURL). */
  classWorkerURL?: string;
}

export interface WasmBrowserEncoderOptions {
  assets: WasmBrowserAssets;
  /** -threads; default 1 single-thread, 2 multi-thread (the mt core is flaky above that). */
  threads?: number;
  /** Largest input accepted (bytes); default 1 GiB (outputs live in memory, see docs/web.md). */
  memoryLimitBytes?: number;
  /** Rate given to an image sequence of picked files (a frame file has none). Default 24/1. */
  sequenceFrameRate?: Rational;
}

export interface EncodedBlob {
  name: string;
  blob: Blob;
  planned: PlannedOutput;
}

/** Mount point of the picked File(s) (WORKERFS reads them in place, no copy: 2.4 GB files work). */
const INPUT_DIR = '/mnt';
/** Outputs live in MEMFS until read back as Blobs. */
const OUTPUT_DIR = '/out';
const PROBE_JSON = '/probe.json';
/** The ffconcat list of a sequence with gaps (gap policy hold/black). */
const CONCAT_LIST = '/input.ffconcat';
const PROGRESS_LINE = /^[a-z_]+=\S*$/;
const MIME: Record<string, string> = {
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  webm: 'video/webm',
  mkv: 'video/x-matroska',
  jpg: 'image/jpeg',
  png: 'image/png',
};

/**
 * Encoder on @ffmpeg/ffmpeg in the browser. Plans use core paths: the source is
 * `/mnt/<file name>` (see `sourceFor`) and outputs land under `/out`; `encode()` keeps
 * each output as a Blob, taken with `takeBlob(tempPath)`. `encodeFile()` does it all.
 * Several picked image files are one image sequence (`sourceForFiles`, `encodeFiles`).
 */
export class WasmBrowserEncoder implements Encoder {
  readonly id = 'wasm';
  private ffmpeg: FFmpeg | undefined;
  private loading: Promise<FFmpeg> | undefined;
  /** Mounted inputs by source path (a file's path, or a sequence's pattern). */
  private readonly files = new Map<string, File[]>();
  private readonly blobs = new Map<string, Blob>();
  private capabilitiesCache: Promise<EncoderCapabilities> | undefined;
  private logListener: ((line: string, type: string) => void) | undefined;
  readonly multiThread: boolean;
  private readonly threads: number;
  private readonly memoryLimit: number;

  constructor(private readonly options: WasmBrowserEncoderOptions) {
    // SharedArrayBuffer (threads) exists only with COOP same-origin + COEP require-corp.
    this.multiThread = Boolean(options.assets.mt) && globalThis.crossOriginIsolated === true;
    this.threads = options.threads ?? (this.multiThread ? 2 : 1);
    this.memoryLimit = options.memoryLimitBytes ?? 1024 ** 3;
  }

  /** The MediaSource for a picked File (the path is where it is mounted inside the core). */
  sourceFor(file: File): { kind: 'file'; path: string } {
    const path = `${INPUT_DIR}/${file.name}`;
    this.files.set(path, [file]);
    return { kind: 'file', path };
  }

  /** One File is a file source; several are the frames of one image sequence, mounted together. */
  sourceForFiles(files: readonly File[]): MediaSource {
    if (files.length === 1) return this.sourceFor(files[0]!);
    const source = sequenceFromFileNames(
      files.map((f) => f.name),
      INPUT_DIR,
    );
    this.files.set(source.pattern, [...files]);
    return source;
  }

  /** MediaInfo of picked files: a sequence is probed from its first frame, as a clip at sequenceFrameRate. */
  async probeFiles(files: readonly File[]): Promise<MediaInfo> {
    const source = this.sourceForFiles(files);
    if (source.kind === 'file') return this.probeFile(files[0]!);
    const frame = await this.probeAt(source.pattern, sequenceFramePath(source, source.first), source.originalPattern);
    const rate = this.options.sequenceFrameRate ?? rational(24, 1);
    const frameCount = sequenceFrameCount(source);
    return {
      ...frame,
      format: 'image2',
      frameRate: rate,
      frameCount,
      duration: (frameCount * rate.den) / rate.num,
      firstFrame: source.first,
      audio: [],
      isStill: false,
    };
  }

  /** encodeFile for one or several picked files (several = an image sequence). */
  async encodeFiles(files: readonly File[], profile: EncodeProfile, options: RunOptions & { info?: MediaInfo } = {}): Promise<EncodedBlob[]> {
    if (files.length === 1) return this.encodeFile(files[0]!, profile, options);
    const source = this.sourceForFiles(files);
    const info = options.info ?? (await this.probeFiles(files));
    // capabilities().sequences stays false (no pattern paths to locate in a page); picked frames are one.
    const capabilities = { ...(await this.capabilities()), sequences: true };
    // Built-in display transforms (EXR, log DPX) apply in the page too; OCIO needs the host's baker.
    const { colour, outputs: outputColours } = await resolvePlanColour(info, source, profile, profileSpecsFor(profile, info));
    const plan = planEncode({ source, info, profile, outputDir: OUTPUT_DIR, capabilities, threads: this.threads, colour, outputColours });
    return this.encodePlanToBlobs(plan, options);
  }

  /** MediaInfo from the ffprobe inside the core (frame counts from packets, like the native probe). */
  async probeFile(file: File): Promise<MediaInfo> {
    const source = this.sourceFor(file);
    return this.probeAt(source.path, source.path, file.name);
  }

  /** Probe, plan with this backend's capabilities (VP9 -> VP8), encode: the outputs as Blobs. */
  async encodeFile(file: File, profile: EncodeProfile, options: RunOptions & { info?: MediaInfo } = {}): Promise<EncodedBlob[]> {
    const source = this.sourceFor(file);
    const info = options.info ?? (await this.probeFile(file));
    const { colour, outputs: outputColours } = await resolvePlanColour(info, source, profile, profileSpecsFor(profile, info));
    const plan = planEncode({
      source,
      info,
      profile,
      outputDir: OUTPUT_DIR,
      capabilities: await this.capabilities(),
      threads: this.threads,
      colour,
      outputColours,
    });
    return this.encodePlanToBlobs(plan, options);
  }

  private async encodePlanToBlobs(plan: EncodePlan, options: RunOptions): Promise<EncodedBlob[]> {
    const produced = await this.encode(plan, options);
    return produced.map((p) => ({ name: p.name, blob: this.takeBlob(p.path), planned: plan.outputs.find((o) => o.name === p.name)! }));
  }

  /** The Blob encode() kept for an output (once). */
  takeBlob(tempPath: string): Blob {
    const blob = this.blobs.get(tempPath);
    if (!blob) throw new EncodeError('E_OUTPUT_INVALID', `No encoded output at ${tempPath}.`);
    this.blobs.delete(tempPath);
    return blob;
  }

  capabilities(): Promise<EncoderCapabilities> {
    this.capabilitiesCache ??= this.probeBuild();
    this.capabilitiesCache.catch(() => {
      this.capabilitiesCache = undefined;
    });
    return this.capabilitiesCache;
  }

  async describe(plan: EncodePlan): Promise<string[][]> {
    return [['ffmpeg', ...buildEncodeInvocation({ ...plan, threads: this.threads }, { progress: true, concatListPath: CONCAT_LIST }).args]];
  }

  async encode(plan: EncodePlan, options: RunOptions = {}): Promise<ProducedFile[]> {
    const { signal, onProgress } = options;
    throwIfCancelled(signal);
    const mountKey = plan.source.kind === 'file' ? plan.source.path : plan.source.pattern;
    const files = this.files.get(mountKey);
    if (!files) {
      throw new EncodeError('E_SOURCE_NOT_FOUND', 'The browser encoder needs a source from sourceFor(file) or sourceForFiles(files).', {
        hint: 'Pick the file, or all the frames of an image sequence.',
      });
    }
    const size = files.reduce((sum, f) => sum + f.size, 0);
    if (size > this.memoryLimit) {
      throw new EncodeError(
        'E_INPUT_TOO_LARGE',
        `${sourceLabel(plan.source)} is ${(size / 1024 ** 3).toFixed(2)} GiB; the browser encoder takes at most ${(this.memoryLimit / 1024 ** 3).toFixed(2)} GiB.`,
        {
          hint: 'Encode it with the CLI (native ffmpeg) instead.',
        },
      );
    }
    const capabilities = await this.capabilities();
    const refused = plan.outputs.find((o) => !capabilities.codecs.includes(o.spec.codec));
    if (refused) {
      const reason = capabilities.unsupported.find((u) => u.codec === refused.spec.codec)?.reason ?? 'not in this build';
      throw new EncodeError('E_UNSUPPORTED', `Output "${refused.name}" needs ${refused.spec.codec}: ${reason}.`);
    }
    const invocation = buildEncodeInvocation({ ...plan, threads: this.threads }, { progress: true, concatListPath: CONCAT_LIST });
    const parser = new ProgressParser({ expectedDurationSeconds: invocation.expectedDurationSeconds, expectedFrames: invocation.expectedFrames });
    const ff = await this.load();
    const log: string[] = [];
    // on('progress') measures against the INPUT duration; the -progress lines are exact.
    this.logListener = (line, type) => {
      if (type === 'stdout' && PROGRESS_LINE.test(line)) {
        for (const p of parser.push(`${line}\n`)) onProgress?.(toEncodeProgress(p));
      } else if (log.push(line) > 200) log.splice(0, 100);
    };
    // An AbortSignal only rejects @ffmpeg/ffmpeg's promise; the worker keeps encoding. terminate() stops it.
    const onAbort = (): void => {
      ff.terminate();
      this.ffmpeg = undefined;
      this.loading = undefined;
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await ff.createDir(OUTPUT_DIR).catch(() => undefined);
      // ffconcat lists for sequences with gaps (hold/black); links are for names with line breaks.
      if (invocation.links.length > 0) throw new EncodeError('E_UNSUPPORTED', 'Frame names with line breaks are not supported in the browser.');
      for (const f of invocation.files) await ff.writeFile(f.path, f.contents);
      const ret = await this.withInput(ff, mountKey, () => ff.exec(invocation.args));
      throwIfCancelled(signal);
      if (ret !== 0) throw new EncodeError('E_ENCODER_FAILED', `ffmpeg.wasm failed (exit ${ret}): ${failureSummary(log)}`);
      const produced: ProducedFile[] = [];
      for (const output of invocation.outputs) {
        const data = await ff.readFile(output.path);
        await ff.deleteFile(output.path).catch(() => undefined);
        const ext = output.path.slice(output.path.lastIndexOf('.') + 1);
        this.blobs.set(output.path, new Blob([data as Uint8Array<ArrayBuffer>], { type: MIME[ext] ?? 'application/octet-stream' }));
        produced.push({ name: output.name, path: output.path });
      }
      return produced;
    } catch (error) {
      if (signal?.aborted) throw new EncodeError('E_CANCELLED', 'Cancelled.');
      for (const output of invocation.outputs) await this.ffmpeg?.deleteFile(output.path).catch(() => undefined);
      throw toEncodeError(error, 'E_ENCODER_FAILED');
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.logListener = undefined;
    }
  }

  /** Stop the worker; the next call loads a fresh core. */
  terminate(): void {
    this.ffmpeg?.terminate();
    this.ffmpeg = undefined;
    this.loading = undefined;
  }

  /** ffprobe of `path` with the files of `mountKey` mounted; `label` names it in errors. */
  private async probeAt(mountKey: string, path: string, label: string): Promise<MediaInfo> {
    const ff = await this.load();
    return this.withInput(ff, mountKey, async () => {
      await ff.ffprobe(['-o', PROBE_JSON, ...probeArgs(path)]);
      const text = await ff.readFile(PROBE_JSON, 'utf8').catch(() => '');
      await ff.deleteFile(PROBE_JSON).catch(() => undefined);
      let json: unknown;
      try {
        json = JSON.parse(String(text));
      } catch {
        throw new EncodeError('E_SOURCE_UNREADABLE', `${label} could not be read by ffmpeg.wasm.`);
      }
      return parseProbe(json, { path: label });
    });
  }

  private async withInput<T>(ff: FFmpeg, mountKey: string, run: () => Promise<T>): Promise<T> {
    const files = this.files.get(mountKey);
    if (!files) throw new EncodeError('E_SOURCE_NOT_FOUND', `${mountKey} was not attached with sourceFor(file) or sourceForFiles(files).`);
    await ff.createDir(INPUT_DIR).catch(() => undefined);
    await ff.mount(FFFSType.WORKERFS, { files }, INPUT_DIR);
    try {
      return await run();
    } finally {
      await ff.unmount(INPUT_DIR).catch(() => undefined);
    }
  }

  private load(): Promise<FFmpeg> {
    if (this.ffmpeg) return Promise.resolve(this.ffmpeg);
    this.loading ??= (async () => {
      const ff = new FFmpeg();
      ff.on('log', ({ type, message }) => this.logListener?.(message, type));
      const { assets } = this.options;
      const urls = this.multiThread && assets.mt ? assets.mt : { coreURL: assets.coreURL, wasmURL: assets.wasmURL };
      await ff.load({ ...urls, ...(assets.classWorkerURL ? { classWorkerURL: assets.classWorkerURL } : {}) });
      // Upstream #823: a JPEG as the first command of a fresh core crashes; run -version first.
      await ff.exec(['-version']);
      this.ffmpeg = ff;
      return ff;
    })();
    this.loading.catch(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async probeBuild(): Promise<EncoderCapabilities> {
    const ff = await this.load();
    const listing = async (flag: string): Promise<string[]> => {
      const lines: string[] = [];
      this.logListener = (line) => lines.push(line);
      try {
        await ff.exec(['-hide_banner', flag]);
      } finally {
        this.logListener = undefined;
      }
      return lines;
    };
    const encoders = await listing('-encoders');
    const decoders = await listing('-decoders');
    const filters = await listing('-filters');
    const version = (await listing('-version')).find((l) => l.startsWith('ffmpeg version'))?.split(' ')[2] ?? 'unknown';
    return {
      ...wasmCapabilities({
        id: this.id,
        version: `@ffmpeg/core${this.multiThread ? '-mt' : ''} 0.12.10 (ffmpeg ${version})`,
        encoders: parseCodecListing(encoders),
        decoders: parseCodecListing(decoders),
        filters: parseFilterListing(filters),
        maxInputBytes: this.memoryLimit,
      }),
      // No sequence pattern can be located by path in a page; picked frames go through encodeFiles().
      sequences: false,
    };
  }
}

function sourceLabel(source: MediaSource): string {
  return source.kind === 'file' ? source.path.slice(source.path.lastIndexOf('/') + 1) : source.originalPattern;
}
