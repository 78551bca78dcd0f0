/// <reference lib="dom" />
import { FFmpeg, FFFSType } from '@ffmpeg/ffmpeg';

/** The files of one @ffmpeg core build, served by the app (never a CDN). */
export interface BrowserCoreURLs {
  coreURL: string;
  wasmURL: string;
  /** Multi-thread core only. */
  workerURL?: string;
  /** @ffmpeg/ffmpeg's own worker module, when the bundler cannot find it. */
  classWorkerURL?: string;
}

/** A read-only WORKERFS mount: picked Files, or Blobs under names of our choosing. */
export interface BrowserMount {
  dir: string;
  files?: File[];
  blobs?: { name: string; data: Blob }[];
}

/**
 * One ffmpeg.wasm instance in its own web worker (@ffmpeg/ffmpeg), loaded on first use. `terminate()`
 * stops it at once (the real cancel: an AbortSignal alone leaves the worker encoding); the next use
 * loads a fresh core.
 */
export class BrowserCore {
  private ffmpeg: FFmpeg | undefined;
  /** The instance being loaded or loaded: what terminate() stops. */
  private instance: FFmpeg | undefined;
  private loading: Promise<FFmpeg> | undefined;
  private listener: ((line: string, type: string) => void) | undefined;

  constructor(private readonly urls: BrowserCoreURLs) {}

  /** Where the core's log lines go while one command runs (undefined: dropped). */
  listen(listener: ((line: string, type: string) => void) | undefined): void {
    this.listener = listener;
  }

  load(): Promise<FFmpeg> {
    if (this.ffmpeg) return Promise.resolve(this.ffmpeg);
    this.loading ??= (async () => {
      const ff = new FFmpeg();
      this.instance = ff;
      ff.on('log', ({ type, message }) => this.listener?.(message, type));
      await ff.load(this.urls);
      // Upstream #823: a JPEG as the first command of a fresh core crashes; run -version first.
      await ff.exec(['-version']);
      if (this.instance !== ff) throw new Error('ffmpeg.wasm was stopped while it loaded.');
      this.ffmpeg = ff;
      return ff;
    })();
    this.loading.catch(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  /** `run` with each mount in place (WORKERFS reads the Files and Blobs without copying them in). */
  async withMounts<T>(ff: FFmpeg, mounts: readonly BrowserMount[], run: () => Promise<T>): Promise<T> {
    const mounted: string[] = [];
    try {
      for (const mount of mounts) {
        await ff.createDir(mount.dir).catch(() => undefined);
        await ff.mount(FFFSType.WORKERFS, { ...(mount.files ? { files: mount.files } : {}), ...(mount.blobs ? { blobs: mount.blobs } : {}) }, mount.dir);
        mounted.push(mount.dir);
      }
      return await run();
    } finally {
      for (const dir of mounted) await ff.unmount(dir).catch(() => undefined);
    }
  }

  /** Stop the worker now; the next use loads a fresh core. */
  terminate(): void {
    this.instance?.terminate();
    this.instance = undefined;
    this.ffmpeg = undefined;
    this.loading = undefined;
  }

  async dispose(): Promise<void> {
    this.terminate();
  }
}
