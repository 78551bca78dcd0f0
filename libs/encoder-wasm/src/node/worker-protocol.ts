/** Messages between WasmCoreWorker (main thread) and wasm-worker.mjs. Keep both in step. */

/** A read-only WORKERFS mount whose files are read from disk on demand. */
export interface DiskMount {
  mountPoint: string;
  /** `name` is relative to the mount point and may contain '/'. */
  files: { name: string; diskPath: string }[];
}

export interface ExecRequest {
  type: 'exec';
  id: number;
  program: 'ffmpeg' | 'ffprobe';
  /** Without the program name; the core prepends `-nostdin -y`. */
  args: string[];
  mounts: DiskMount[];
  /** Small text files written into MEMFS before the run (concat lists). */
  files: { path: string; contents: string }[];
  /** Symbolic links created before the run (frames whose names cannot go into an ffconcat list). */
  links: { path: string; target: string }[];
  /** MEMFS files copied to disk after the run, then freed. */
  outputs: { memfsPath: string; diskPath: string }[];
  /** MEMFS text files returned in the result (ffprobe -o JSON). */
  collect: string[];
  /** Forward `key=value` progress lines as they come. */
  progress: boolean;
  /** Return every log line instead of the tail (for -encoders listings). */
  captureLog: boolean;
  /** ffmpeg.wasm's own timeout; undefined = none. */
  timeoutMs?: number;
}

export interface ExecResult {
  type: 'result';
  id: number;
  /** ffmpeg's exit status (0 = success; the core's ffprobe always reports -1). */
  ret: number;
  written: { memfsPath: string; diskPath: string; size: number }[];
  collected: Record<string, string>;
  log: string[];
}

export type WorkerMessage =
  ExecResult | { type: 'ready'; version: string } | { type: 'progress'; id: number; line: string } | { type: 'crash'; id: number; message: string };

export interface WorkerData {
  /** file: URL of @ffmpeg/core's ESM build. */
  coreUrl: string;
  /** Path of ffmpeg-core.wasm. */
  wasmPath: string;
}
