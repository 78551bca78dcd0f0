/**
 * Frame-number tokens a user may write in a sequence path, in the file name only:
 * - printf: `%04d` (4 digits, zero padded), `%d` (unpadded);
 * - Nuke/Houdini hashes: `####` = 4 digits, zero padded — n hashes = n digits; a single `#` is unpadded
 *   (Nuke's legacy "# = 4 digits" is NOT used: a count that differs from what you see surprises people);
 * - Shake/Houdini at-signs: `@@@@` = 4 digits, same rule as hashes.
 * When the name holds several tokens, the last one is the frame number.
 */
export interface ParsedPattern {
  /** Directory (as given, may be relative). */
  dir: string;
  prefix: string;
  suffix: string;
  /** Digits; 0 = unpadded. */
  padding: number;
  token: string;
}

const TOKEN = /%0?(\d*)d|#+|@+/g;

function splitDir(path: string): { dir: string; name: string } {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return slash < 0 ? { dir: '.', name: path } : { dir: path.slice(0, slash) || '/', name: path.slice(slash + 1) };
}

export function parseSequencePattern(input: string): ParsedPattern | undefined {
  const { dir, name } = splitDir(input);
  let last: RegExpExecArray | undefined;
  for (const match of name.matchAll(TOKEN)) last = match as RegExpExecArray;
  if (!last) return undefined;
  const token = last[0];
  let padding: number;
  if (token.startsWith('%')) padding = last[1] ? Number(last[1]) : 0;
  else padding = token.length === 1 ? 0 : token.length;
  return { dir, prefix: name.slice(0, last.index), suffix: name.slice(last.index + token.length), padding, token };
}

/** The printf form stored in SequenceSource.pattern. */
export function printfToken(padding: number): string {
  return padding > 0 ? `%0${padding}d` : '%d';
}

export function formatFrame(frame: number, padding: number): string {
  const digits = String(Math.abs(frame)).padStart(padding, '0');
  return frame < 0 ? `-${digits}` : digits;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The frame number a directory entry stands for, or undefined when it is not a frame of the
 * pattern. Strict about padding: with `####`, `01001` is not frame 1001.
 */
export function frameMatcher(pattern: Pick<ParsedPattern, 'prefix' | 'suffix' | 'padding'>): (fileName: string) => number | undefined {
  const regex = new RegExp(`^${escapeRegExp(pattern.prefix)}(-?\\d+)${escapeRegExp(pattern.suffix)}$`, 's');
  return (fileName) => {
    const match = regex.exec(fileName);
    if (!match) return undefined;
    const frame = Number(match[1]);
    return Number.isSafeInteger(frame) && formatFrame(frame, pattern.padding) === match[1] ? frame : undefined;
  };
}

/** [1,2,3,7,9,10] -> "1-3, 7, 9-10" (error messages stay short for long gaps). */
export function compactRanges(frames: readonly number[], limit = 20): string {
  const sorted = [...frames].sort((a, b) => a - b);
  const ranges: string[] = [];
  let start: number | undefined;
  let prev: number | undefined;
  for (const f of [...sorted, Number.NaN]) {
    if (start !== undefined && prev !== undefined && f === prev + 1) {
      prev = f;
      continue;
    }
    if (start !== undefined && prev !== undefined) ranges.push(start === prev ? `${start}` : `${start}-${prev}`);
    start = f;
    prev = f;
  }
  return ranges.length > limit ? `${ranges.slice(0, limit).join(', ')}, … (${ranges.length - limit} more ranges)` : ranges.join(', ');
}
