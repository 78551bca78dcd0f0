import {
  EncodeError,
  formatRational,
  sequenceFrameCount,
  sequenceFramePath,
  type FrameRange,
  type GapPolicy,
  type Rational,
  type SequenceSource,
} from '@ftrack-encode/core';
import type { FfmpegInvocation } from './invocation.js';
import { inputPathArg } from './probe.js';

/** How a sequence enters ffmpeg: input args, filters applied once before the split, files to write. */
export interface SequenceInput {
  inputArgs: string[];
  /** Filters (already graph-escaped) that run on the decoded frames before the split. */
  preFilters: string[];
  files: FfmpegInvocation['files'];
  links: FfmpegInvocation['links'];
}

const FRAME_TOKEN = /%(0?)(\d*)d/;

/** The printf pattern for the image2 demuxer: any literal `%` besides the frame token doubled. */
export function image2Pattern(pattern: string): string {
  const match = FRAME_TOKEN.exec(pattern);
  if (!match) return pattern.replace(/%/g, '%%');
  const before = pattern.slice(0, match.index).replace(/%/g, '%%');
  const after = pattern.slice(match.index + match[0].length).replace(/%/g, '%%');
  return `${before}${match[0]}${after}`;
}

/** Quote a path for an ffconcat `file` line: single quotes, with `'` written as `'\''`. */
export function concatQuote(path: string): string {
  return `'${path.replace(/'/g, `'\\''`)}'`;
}

function dirName(path: string): string {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return slash < 0 ? '.' : path.slice(0, slash);
}

function extension(path: string): string {
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).replace(/[^A-Za-z0-9]/g, '') : 'img';
}

/** Missing frame numbers -> 0-based index ranges [from, to] within first..last. */
export function missingIndexRanges(source: Pick<SequenceSource, 'first' | 'last' | 'missing'>): [number, number][] {
  const indexes = [...new Set(source.missing)]
    .filter((f) => f >= source.first && f <= source.last)
    .sort((a, b) => a - b)
    .map((f) => f - source.first);
  const ranges: [number, number][] = [];
  for (const i of indexes) {
    const last = ranges[ranges.length - 1];
    if (last && last[1] === i - 1) last[1] = i;
    else ranges.push([i, i]);
  }
  return ranges;
}

/**
 * A sequence without gaps is read by the image2 demuxer at the exact rate. A sequence with gaps
 * (policy hold/black) is read from an ffconcat list with one entry per frame: missing frames repeat
 * the previous existing frame; with 'black' they are then painted black by a drawbox enabled on
 * exactly those frame numbers. Either way the frame count is last - first + 1 and the timestamps
 * are rewritten to N / rate, so the output rate is exact.
 *
 * A segment (`range`) reads only its frames: image2 starts at its first frame number, the ffconcat
 * list holds only its entries (a missing first frame still holds the last frame before it).
 */
export function sequenceInput(
  source: SequenceSource,
  rate: Rational,
  gapPolicy: GapPolicy,
  concatListPath: string | undefined,
  range?: FrameRange,
): SequenceInput {
  const from = source.first + (range?.start ?? 0);
  const frames = range?.frames ?? sequenceFrameCount(source);
  const to = from + frames - 1;
  const missing = new Set(source.missing.filter((f) => f >= source.first && f <= source.last));
  // image2 cannot skip gaps, and reads on past `last` if more frames exist: trim caps it.
  if (missing.size === 0) {
    return {
      inputArgs: [
        '-f',
        'image2',
        '-pattern_type',
        'sequence',
        '-framerate',
        formatRational(rate),
        '-start_number',
        String(from),
        '-i',
        inputPathArg(image2Pattern(source.pattern)),
      ],
      preFilters: [`trim=end_frame=${frames}`],
      files: [],
      links: [],
    };
  }
  if (missing.size > 0 && gapPolicy === 'error') {
    throw new EncodeError('E_SEQUENCE_GAPS', `${source.originalPattern} has ${missing.size} missing frames.`, {
      hint: 'Render the missing frames, or use --gaps hold / --gaps black.',
      details: { missing: [...missing] },
    });
  }
  if (!concatListPath) {
    throw new EncodeError('E_INTERNAL', 'A sequence with gaps needs options.concatListPath for its ffconcat list.');
  }
  const existing: number[] = [];
  for (let f = source.first; f <= source.last; f++) if (!missing.has(f)) existing.push(f);
  if (existing.length === 0) {
    throw new EncodeError('E_SEQUENCE_EMPTY', `${source.originalPattern} has no frames between ${source.first} and ${source.last}.`);
  }
  const paths = existing.map((f) => sequenceFramePath(source, f));
  // The ffconcat format is line based: a path with a line break cannot be written into it,
  // so such frames are reached through links with plain names beside the list.
  const needLinks = paths.some((p) => /[\r\n]/.test(p));
  const listDir = dirName(concatListPath);
  const links: FfmpegInvocation['links'] = [];
  const entryFor = new Map<number, string>();
  existing.forEach((f, i) => {
    const path = paths[i]!;
    if (needLinks) {
      const name = `frame-${i}.${extension(path)}`;
      links.push({ path: `${listDir}/${name}`, target: path });
      entryFor.set(f, name);
    } else entryFor.set(f, path);
  });
  const duration = (rate.den / rate.num).toFixed(6);
  const lines = ['ffconcat version 1.0'];
  // Leading missing frames hold the first existing frame; later ones the last existing before them.
  let held = entryFor.get(existing.filter((f) => f <= from).pop() ?? existing[0]!)!;
  for (let f = from; f <= to; f++) {
    held = entryFor.get(f) ?? held;
    lines.push(`file ${concatQuote(held)}`, `duration ${duration}`);
  }
  const preFilters = [`settb=${rate.den}/${rate.num}`, 'setpts=N'];
  const blackRanges = missingIndexRanges({ first: from, last: to, missing: source.missing });
  if (gapPolicy === 'black' && blackRanges.length > 0) {
    const enable = blackRanges.map(([a, b]) => (a === b ? `eq(n\\,${a})` : `between(n\\,${a}\\,${b})`)).join('+');
    preFilters.push(`drawbox=x=0:y=0:w=iw:h=ih:color=black:t=fill:enable=${enable}`);
  }
  preFilters.push(`trim=end_frame=${frames}`);
  return {
    inputArgs: ['-f', 'concat', '-safe', '0', '-i', inputPathArg(concatListPath)],
    preFilters,
    files: [{ path: concatListPath, contents: `${lines.join('\n')}\n` }],
    links,
  };
}
