/**
 * ffmpeg.wasm sees its own file system, not the disk. The argv is built once with real
 * paths (the same plan as the native backend), then every real path is renamed into the
 * core's namespace: inputs under /in (read-only mounts), outputs under /out, helper files
 * (concat lists) under /work.
 */
export const INPUT_ROOT = '/in';
export const OUTPUT_ROOT = '/out';
export const WORK_ROOT = '/work';

/** A real path as a relative POSIX path: '/a/b.mov' -> 'a/b.mov', 'C:\\a\\b.mov' -> 'C/a/b.mov'. */
export function relativePosix(path: string): string {
  return path
    .replace(/\\/g, '/')
    .replace(/^([A-Za-z]):/, '$1')
    .replace(/^\/+/, '');
}

export function baseName(path: string): string {
  const posix = path.replace(/\\/g, '/');
  return posix.slice(posix.lastIndexOf('/') + 1);
}

/** The same input file inside the core: /in/<its absolute path>. */
export function inputPathInCore(realPath: string): string {
  return `${INPUT_ROOT}/${relativePosix(realPath)}`;
}

/** Output n inside the core; the file name keeps its extension so ffmpeg picks the muxer. */
export function outputPathInCore(index: number, realPath: string): string {
  return `${OUTPUT_ROOT}/${index}/${baseName(realPath)}`;
}

export function workPathInCore(index: number, realPath: string): string {
  return `${WORK_ROOT}/${index}-${baseName(realPath)}`;
}

/** Real path -> core path, applied longest first so /a/b.mov never half-matches /a/b.mov.partial.mp4. */
export class PathRenames {
  private readonly pairs: [string, string][] = [];

  add(realPath: string, corePath: string): this {
    this.pairs.push([realPath, corePath]);
    this.pairs.sort(([a], [b]) => b.length - a.length);
    return this;
  }

  /** Every occurrence, in one pass, so a rewritten path is never rewritten again. */
  apply(text: string): string {
    if (this.pairs.length === 0) return text;
    const pattern = new RegExp(this.pairs.map(([real]) => escapeRegExp(real)).join('|'), 'g');
    const lookup = new Map(this.pairs);
    return text.replace(pattern, (real) => lookup.get(real) ?? real);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
