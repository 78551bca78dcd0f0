/**
 * The part of @ffmpeg/core 0.12.10's Emscripten module that wasm-worker.mjs uses, typed for
 * its JSDoc (the package ships no types; @ffmpeg/types is only a transitive dependency and
 * lacks symlink, wasmBinary and readFile's overloads). Types only: nothing here runs.
 */

/** What WORKERFS reads from a mounted "blob": its size and byte ranges through FileReaderSync. */
export interface WorkerFsBlob {
  readonly size: number;
  slice(start: number, end?: number): unknown;
}

export interface FFmpegCoreFS {
  mkdir(path: string): void;
  stat(path: string): unknown;
  unlink(path: string): void;
  symlink(target: string, path: string): void;
  writeFile(path: string, data: string | Uint8Array): void;
  readFile(path: string): Uint8Array;
  readFile(path: string, options: { encoding: 'utf8' }): string;
  mount(type: unknown, options: { blobs: { name: string; data: WorkerFsBlob }[] }, mountPoint: string): void;
  unmount(mountPoint: string): void;
  filesystems: { WORKERFS: unknown; MEMFS: unknown };
}

/** One line the core logs (`type` is 'stdout' or 'stderr'). */
export interface FFmpegCoreLog {
  type: string;
  message: string;
}

export interface FFmpegCoreModule {
  FS: FFmpegCoreFS;
  /** Exit status of the last exec()/ffprobe(). */
  ret: number;
  /** Synchronous: blocks the calling thread until ffmpeg returns. */
  exec(...args: string[]): number;
  ffprobe(...args: string[]): number;
  reset(): void;
  setLogger(logger: (log: FFmpegCoreLog) => void): void;
  /** Milliseconds; -1 = none. */
  setTimeout(timeoutMs: number): void;
}

/** The default export of @ffmpeg/core's ESM build. */
export type FFmpegCoreModuleFactory = (overrides: { wasmBinary?: Uint8Array }) => Promise<FFmpegCoreModule>;
