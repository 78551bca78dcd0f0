export type Stage = 'locate' | 'probe' | 'plan' | 'check' | 'encode' | 'validate' | 'store' | 'register' | 'announce';

/** Progress of a long step. `percent` stays below 100 until the step really ends. */
export interface Progress {
  stage: Stage;
  /** 0..100, or undefined when unknown. */
  percent?: number;
  frame?: number;
  /** Encoding speed relative to real time (1 = real time). */
  speed?: number;
  etaSeconds?: number;
  /** Bytes done/total for storage steps. */
  bytes?: { done: number; total: number };
  /** Which output or file the progress is about. */
  item?: string;
  message?: string;
}

export type ProgressListener = (progress: Progress) => void;

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}
