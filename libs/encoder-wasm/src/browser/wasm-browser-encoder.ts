/// <reference lib="dom" />
import {
  checkSegmentBoundaries,
  EncodeError,
  encodeInSegments,
  isEncodeError,
  planEncode,
  profileSpecsFor,
  resolvePlanColour,
  rational,
  segmentationFor,
  silentLogger,
  sequenceFrameCount,
  sequenceFramePath,
  throwIfCancelled,
  toEncodeError,
  type EncodePlan,
  type EncodeProfile,
  type Encoder,
  type EncoderCapabilities,
  type FrameQuality,
  type MeasuredOutput,
  type MediaInfo,
  type MediaSource,
  type Rational,
  type PlannedOutput,
  type ProducedFile,
  type QualityMeter,
  type RunOptions,
  type SegmentsSetting,
  type SegmentStep,
} from '@ftrack-encode/core';
import {
  buildEncodeInvocation,
  buildQualityInvocation,
  buildStepInvocation,
  frameScores,
  parseProbe,
  probeArgs,
  ProgressParser,
  qualityTargets,
  toEncodeProgress,
  type FfmpegInvocation,
} from '@ftrack-encode/ffmpeg';
import { cacheUnlessRejected } from '../shared/cache-unless-rejected.js';
import { CorePool } from '../shared/core-pool.js';
import { failureSummary } from '../shared/log-errors.js';
import { baseName, PathRenames } from '../shared/memfs-paths.js';
import { BrowserCore, type BrowserMount } from './browser-core.js';
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
  /**
   * Web workers (one single-thread ffmpeg.wasm core each) the segments of one encode run on at once.
   * Default: navigator.hardwareConcurrency, at most MAX_SEGMENT_WORKERS.
   */
  segmentWorkers?: number;
}

/** encodeFile / encodeFiles: a probe already made, and `segments` (docs/segments.md). */
export type EncodeFileOptions = RunOptions & { info?: MediaInfo; segments?: SegmentsSetting };

/** Every core of a tab lives in one renderer process: its memory, not the cores, bounds the default. */
export const MAX_SEGMENT_WORKERS = 4;

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
/** Helper files of segment steps (the joins' concat lists). */
const WORK_DIR = '/work';
/** Where a join's segment files (Blobs of earlier commands) are mounted. */
const PARTS_DIR = '/parts';
const PROGRESS_LINE = /^[a-z_]+=\S*$/;
const MIME: Record<string, string> = {
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  webm: 'video/webm',
  mkv: 'video/x-matroska',
  jpg: 'image/jpeg',
  png: 'image/png',
};

/** One command for a core: its argv and helper files, what to mount, what it writes. */
interface CoreJob {
  args: string[];
  files: { path: string; contents: string }[];
  mounts: BrowserMount[];
  invocation: FfmpegInvocation;
}

/**
 * Encoder on @ffmpeg/ffmpeg in the browser. Plans use core paths: the source is
 * `/mnt/<file name>` (see `sourceFor`) and outputs land under `/out`; `encode()` keeps
 * each output as a Blob, taken with `takeBlob(tempPath)`. `encodeFile()` does it all.
 * Several picked image files are one image sequence (`sourceForFiles`, `encodeFiles`).
 * Segments (`segments` option, docs/segments.md) run on a pool of web workers, each its own
 * single-thread core; the audio pass runs on the main core beside them, the joins on the pool; the
 * joined outputs' boundary frames are then compared with the source (this class is their QualityMeter).
 */
export class WasmBrowserEncoder implements Encoder, QualityMeter {
  readonly id = 'wasm';
  /** Whole plans, probes and the audio pass of a segmented encode (multi-thread when isolated). */
  private readonly main: BrowserCore;
  /** Segments and joins: single-thread cores, one web worker each. */
  private readonly pool: CorePool<BrowserCore>;
  /** Mounted inputs by source path (a file's path, or a sequence's pattern). */
  private readonly files = new Map<string, File[]>();
  private readonly blobs = new Map<string, Blob>();
  /** The build's codecs and filters, probed once (again after a failed probe). */
  private readonly probedBuild = cacheUnlessRejected(() => this.probeBuild());
  readonly multiThread: boolean;
  private readonly threads: number;
  private readonly memoryLimit: number;

  constructor(private readonly options: WasmBrowserEncoderOptions) {
    const { assets } = options;
    // SharedArrayBuffer (threads) exists only with COOP same-origin + COEP require-corp.
    this.multiThread = Boolean(assets.mt) && globalThis.crossOriginIsolated === true;
    this.threads = options.threads ?? (this.multiThread ? 2 : 1);
    this.memoryLimit = options.memoryLimitBytes ?? 1024 ** 3;
    const worker = assets.classWorkerURL ? { classWorkerURL: assets.classWorkerURL } : {};
    const singleThread = { coreURL: assets.coreURL, wasmURL: assets.wasmURL, ...worker };
    this.main = new BrowserCore(this.multiThread && assets.mt ? { ...assets.mt, ...worker } : singleThread);
    const workers = options.segmentWorkers ?? Math.min(globalThis.navigator?.hardwareConcurrency || 1, MAX_SEGMENT_WORKERS);
    this.pool = new CorePool(Math.max(1, workers), () => new BrowserCore(singleThread));
  }

  /** Web workers the segments of one encode run on at once (`auto` makes at most this many). */
  get segmentWorkers(): number {
    return this.pool.size;
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
  async encodeFiles(files: readonly File[], profile: EncodeProfile, options: EncodeFileOptions = {}): Promise<EncodedBlob[]> {
    if (files.length === 1) return this.encodeFile(files[0]!, profile, options);
    const source = this.sourceForFiles(files);
    const info = options.info ?? (await this.probeFiles(files));
    // capabilities().sequences stays false (no pattern paths to locate in a page); picked frames are one.
    const capabilities = { ...(await this.capabilities()), sequences: true };
    // Built-in display transforms (EXR, log DPX) apply in the page too; OCIO needs the host's baker.
    const { colour, outputs: outputColours } = await resolvePlanColour(info, source, profile, profileSpecsFor(profile, info));
    const plan = planEncode({ source, info, profile, outputDir: OUTPUT_DIR, capabilities, threads: this.threads, colour, outputColours });
    return this.encodePlanToBlobs(plan, options, options.segments ?? profile.segments);
  }

  /** MediaInfo from the ffprobe inside the core (frame counts from packets, like the native probe). */
  async probeFile(file: File): Promise<MediaInfo> {
    const source = this.sourceFor(file);
    return this.probeAt(source.path, source.path, file.name);
  }

  /** Probe, plan with this backend's capabilities (VP9 -> VP8), encode (in segments if asked): the outputs as Blobs. */
  async encodeFile(file: File, profile: EncodeProfile, options: EncodeFileOptions = {}): Promise<EncodedBlob[]> {
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
    return this.encodePlanToBlobs(plan, options, options.segments ?? profile.segments);
  }

  /** One pass, or core's encodeInSegments over this encoder; on failure no Blob of the plan is kept. */
  private async encodePlanToBlobs(plan: EncodePlan, options: RunOptions, segments: SegmentsSetting | undefined): Promise<EncodedBlob[]> {
    const { signal, onProgress } = options;
    const run = { ...(signal ? { signal } : {}), ...(onProgress ? { onProgress } : {}) };
    const segmented = segmentationFor(plan, segments, { id: this.id, workers: this.pool.size });
    try {
      let produced: ProducedFile[];
      if (segmented) {
        produced = await encodeInSegments(
          { encoder: this, fs: { remove: async (path) => void this.blobs.delete(path) }, logger: silentLogger },
          segmented,
          run,
        );
        await checkSegmentBoundaries(this, segmented, produced, run);
      } else produced = await this.encode(plan, run);
      return produced.map((p) => ({ name: p.name, blob: this.takeBlob(p.path), planned: plan.outputs.find((o) => o.name === p.name)! }));
    } catch (error) {
      for (const output of plan.outputs) this.blobs.delete(output.tempPath);
      throw error;
    }
  }

  /** The Blob encode() kept for an output (once). */
  takeBlob(tempPath: string): Blob {
    const blob = this.blobs.get(tempPath);
    if (!blob) throw new EncodeError('E_OUTPUT_INVALID', `No encoded output at ${tempPath}.`);
    this.blobs.delete(tempPath);
    return blob;
  }

  /** Paths of the Blobs kept and not yet taken (none after a failed or cancelled encode). */
  heldOutputs(): string[] {
    return [...this.blobs.keys()];
  }

  capabilities(): Promise<EncoderCapabilities> {
    return this.probedBuild();
  }

  async describe(plan: EncodePlan): Promise<string[][]> {
    return [['ffmpeg', ...this.invocation(plan).args]];
  }

  /** A whole plan on the main core; a segment (`plan.range`) on a single-thread core of the pool. */
  async encode(plan: EncodePlan, options: RunOptions = {}): Promise<ProducedFile[]> {
    throwIfCancelled(options.signal);
    const files = this.inputFiles(plan);
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
    const invocation = this.invocation(plan);
    // ffconcat lists for sequences with gaps (hold/black); links are for names with line breaks.
    if (invocation.links.length > 0) throw new EncodeError('E_UNSUPPORTED', 'Frame names with line breaks are not supported in the browser.');
    const job: CoreJob = { args: invocation.args, files: invocation.files, mounts: [{ dir: INPUT_DIR, files }], invocation };
    await (plan.range ? this.pool.use((core) => this.execute(core, job, options)) : this.execute(this.main, job, options));
    return invocation.outputs.map((o) => ({ name: o.name, path: o.path }));
  }

  /** The audio pass (main core, beside the segments) or a join (pool) of a segment-parallel encode. */
  async runStep(step: SegmentStep, options: RunOptions = {}): Promise<void> {
    throwIfCancelled(options.signal);
    const invocation = buildStepInvocation(step, WORK_DIR, { progress: true });
    const run = { ...(options.signal ? { signal: options.signal } : {}) };
    if (step.kind === 'audio') {
      const job: CoreJob = { args: invocation.args, files: invocation.files, mounts: [{ dir: INPUT_DIR, files: this.inputFiles(step.plan) }], invocation };
      return this.execute(this.main, job, run);
    }
    // The segment and audio files are Blobs of earlier commands: mounted under PARTS_DIR, renamed in the argv and the list.
    const inputs = [...step.join.parts.map((p) => p.path), ...(step.join.audio ? [step.join.audio] : [])];
    const renames = new PathRenames();
    const blobs = inputs.map((path) => {
      const data = this.blobs.get(path);
      if (!data) throw new EncodeError('E_INTERNAL', `No segment file at ${path} to join.`);
      renames.add(path, `${PARTS_DIR}/${baseName(path)}`);
      return { name: baseName(path), data };
    });
    const job: CoreJob = {
      args: invocation.args.map((a) => renames.apply(a)),
      files: invocation.files.map((f) => ({ path: f.path, contents: renames.apply(f.contents) })),
      mounts: [{ dir: PARTS_DIR, blobs }],
      invocation,
    };
    await this.pool.use((core) => this.execute(core, job, run));
  }

  /**
   * SSIM/PSNR of encoded outputs (Blobs this encoder holds) against the source on `frames`: the
   * same one-pass invocation as native, on the main core, the Blobs mounted read-only beside the
   * picked source; the stats files come back out of MEMFS.
   */
  async measure(plan: EncodePlan, outputs: MeasuredOutput[], frames: number[], options: RunOptions = {}): Promise<Map<string, FrameQuality[]>> {
    const heldSize = async (path: string): Promise<number> => {
      const blob = this.blobs.get(path);
      if (!blob) throw new EncodeError('E_OUTPUT_INVALID', `No encoded output at ${path} to measure.`);
      return blob.size;
    };
    const targets = await qualityTargets(outputs, WORK_DIR, heldSize);
    const built = buildQualityInvocation(plan, targets, frames, { concatListPath: CONCAT_LIST, workDir: WORK_DIR });
    const renames = new PathRenames();
    const blobs = await Promise.all(
      targets
        .flatMap((t) => [t.path, ...(t.reference ? [t.reference] : [])])
        .map(async (path) => {
          await heldSize(path);
          renames.add(path, `${PARTS_DIR}/${baseName(path)}`);
          return { name: baseName(path), data: this.blobs.get(path)! };
        }),
    );
    const job: CoreJob = {
      args: built.args.map((a) => renames.apply(a)),
      files: built.files.map((f) => ({ path: f.path, contents: renames.apply(f.contents) })),
      // The source is read only when some reference is made from it.
      mounts: [...(targets.every((t) => t.reference) ? [] : [{ dir: INPUT_DIR, files: this.inputFiles(plan) }]), { dir: PARTS_DIR, blobs }],
      invocation: built,
    };
    await this.execute(this.main, job, options.signal ? { signal: options.signal } : {});
    const scores = new Map<string, FrameQuality[]>();
    for (const target of targets) {
      const [ssim, psnr] = await Promise.all([this.takeBlob(target.ssimStats).text(), this.takeBlob(target.psnrStats).text()]);
      scores.set(target.planned.name, frameScores(target.planned.name, frames, ssim, psnr));
    }
    return scores;
  }

  async describeStep(step: SegmentStep): Promise<string[][]> {
    return [['ffmpeg', ...buildStepInvocation(step, WORK_DIR, { progress: true }).args]];
  }

  /** Stop every worker (the main core and the segment pool); the next call loads fresh cores. */
  terminate(): void {
    this.main.terminate();
    void this.pool.dispose();
  }

  private invocation(plan: EncodePlan): FfmpegInvocation {
    // Segments run on single-thread cores.
    return buildEncodeInvocation({ ...plan, threads: plan.range ? 1 : this.threads }, { progress: true, concatListPath: CONCAT_LIST });
  }

  private inputFiles(plan: EncodePlan): File[] {
    const files = this.files.get(plan.source.kind === 'file' ? plan.source.path : plan.source.pattern);
    if (!files) {
      throw new EncodeError('E_SOURCE_NOT_FOUND', 'The browser encoder needs a source from sourceFor(file) or sourceForFiles(files).', {
        hint: 'Pick the file, or all the frames of an image sequence.',
      });
    }
    return files;
  }

  /**
   * One command on one core: progress from the -progress lines, outputs kept as Blobs; abort
   * terminates the core (an AbortSignal alone leaves @ffmpeg/ffmpeg's worker encoding); on failure
   * no output is kept, and a core that crashed is thrown away.
   */
  private async execute(core: BrowserCore, job: CoreJob, options: RunOptions): Promise<void> {
    const { signal, onProgress } = options;
    const { invocation } = job;
    const parser = new ProgressParser({ expectedDurationSeconds: invocation.expectedDurationSeconds, expectedFrames: invocation.expectedFrames });
    const log: string[] = [];
    // on('progress') measures against the INPUT duration; the -progress lines are exact.
    core.listen((line, type) => {
      if (type === 'stdout' && PROGRESS_LINE.test(line)) {
        for (const p of parser.push(`${line}\n`)) onProgress?.(toEncodeProgress(p));
      } else if (log.push(line) > 200) log.splice(0, 100);
    });
    const onAbort = (): void => core.terminate();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      throwIfCancelled(signal);
      const ff = await core.load();
      await ff.createDir(OUTPUT_DIR).catch(() => undefined);
      await ff.createDir(WORK_DIR).catch(() => undefined);
      for (const f of job.files) await ff.writeFile(f.path, f.contents);
      const ret = await core.withMounts(ff, job.mounts, () => ff.exec(job.args));
      for (const f of job.files) await ff.deleteFile(f.path).catch(() => undefined);
      throwIfCancelled(signal);
      if (ret !== 0) throw new EncodeError('E_ENCODER_FAILED', `ffmpeg.wasm failed (exit ${ret}): ${failureSummary(log)}`);
      for (const output of invocation.outputs) {
        const data = await ff.readFile(output.path);
        await ff.deleteFile(output.path).catch(() => undefined);
        const ext = output.path.slice(output.path.lastIndexOf('.') + 1);
        this.blobs.set(output.path, new Blob([data as Uint8Array<ArrayBuffer>], { type: MIME[ext] ?? 'application/octet-stream' }));
      }
    } catch (error) {
      for (const output of invocation.outputs) this.blobs.delete(output.path);
      if (signal?.aborted) throw new EncodeError('E_CANCELLED', 'Cancelled.');
      // A crash (memory access out of bounds) leaves the heap unusable: the next command gets a fresh core.
      if (!isEncodeError(error)) core.terminate();
      else for (const output of invocation.outputs) await (await core.load()).deleteFile(output.path).catch(() => undefined);
      throw toEncodeError(error, 'E_ENCODER_FAILED');
    } finally {
      signal?.removeEventListener('abort', onAbort);
      core.listen(undefined);
    }
  }

  /** ffprobe of `path` with the files of `mountKey` mounted; `label` names it in errors. */
  private async probeAt(mountKey: string, path: string, label: string): Promise<MediaInfo> {
    const files = this.files.get(mountKey);
    if (!files) throw new EncodeError('E_SOURCE_NOT_FOUND', `${mountKey} was not attached with sourceFor(file) or sourceForFiles(files).`);
    const ff = await this.main.load();
    return this.main.withMounts(ff, [{ dir: INPUT_DIR, files }], async () => {
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

  private async probeBuild(): Promise<EncoderCapabilities> {
    const ff = await this.main.load();
    const listing = async (flag: string): Promise<string[]> => {
      const lines: string[] = [];
      this.main.listen((line) => lines.push(line));
      try {
        await ff.exec(['-hide_banner', flag]);
      } finally {
        this.main.listen(undefined);
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
      // Segments run one per web worker, each with a single-thread core.
      segments: { workers: this.pool.size },
    };
  }
}

function sourceLabel(source: MediaSource): string {
  return source.kind === 'file' ? source.path.slice(source.path.lastIndexOf('/') + 1) : source.originalPattern;
}
