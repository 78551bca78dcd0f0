/** What a user points at: one movie/image file, or an image sequence. */
export type MediaSource = FileSource | SequenceSource;

export interface FileSource {
  kind: 'file';
  /** Absolute path. */
  path: string;
}

export interface SequenceSource {
  kind: 'sequence';
  /** Absolute printf-style pattern, e.g. /shots/sh010/comp.%04d.exr. */
  pattern: string;
  /** The pattern as the user wrote it (####, @@@@, %04d, #). */
  originalPattern: string;
  first: number;
  last: number;
  /** Digits in a frame number; 0 means unpadded (`#` alone or `%d`). */
  padding: number;
  /** Frame numbers between first and last with no file. */
  missing: number[];
}

/** How to treat missing frames in a sequence. The image2 demuxer cannot skip gaps. */
export type GapPolicy = 'error' | 'hold' | 'black';

export function sourceLabel(source: MediaSource): string {
  return source.kind === 'file' ? source.path : source.originalPattern;
}

/** Frame file path for frame `n` of a sequence pattern (%0Nd or %d). */
export function sequenceFramePath(source: Pick<SequenceSource, 'pattern'>, frame: number): string {
  return source.pattern.replace(/%(0?)(\d*)d/, (_m, zero: string, width: string) => {
    const digits = String(Math.abs(frame));
    const padded = zero && width ? digits.padStart(Number(width), '0') : digits;
    return frame < 0 ? `-${padded}` : padded;
  });
}

export function sequenceFrameCount(source: Pick<SequenceSource, 'first' | 'last'>): number {
  return source.last - source.first + 1;
}
