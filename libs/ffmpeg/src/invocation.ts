/** One ffmpeg process to run: argv (without the binary) plus what the runner prepares and expects. */
export interface FfmpegInvocation {
  args: string[];
  /** Files the runner must write before starting (e.g. the ffconcat list of a gapped sequence). */
  files: { path: string; contents: string }[];
  /**
   * Symbolic links the runner must create first (`path` -> `target`). Used only for frame files whose
   * names cannot be written into an ffconcat list (a newline in the path).
   */
  links: { path: string; target: string }[];
  /** Files ffmpeg reads besides the source (baked LUTs): a backend with its own file system copies them in. */
  readFiles?: string[];
  /** Output name -> the file ffmpeg writes. */
  outputs: { name: string; path: string }[];
  /** Frames the decode delivers (progress for sequences). */
  expectedFrames: number;
  expectedDurationSeconds: number;
}

export interface InvocationOptions {
  /** Add `-progress pipe:1 -nostats` (machine-readable progress on stdout). */
  progress?: boolean;
  /** Where the runner writes the ffconcat list for gapped sequences (required for those). */
  concatListPath?: string;
  /** A proven hardware H.264/HEVC encoder to use instead of libx264/libx265 (h264_nvenc, h264_qsv, h264_vaapi...). */
  hardware?: string;
  /** Scratch dir for generated helper files (built-in LUTs); default: the concat list's dir. */
  workDir?: string;
}
