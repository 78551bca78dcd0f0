import { constants } from 'node:fs';
import { access, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { EncodeError, type LocateOptions, type MediaSource } from '@ftrack-encode/core';
import { compactRanges, frameMatcher, parseSequencePattern, printfToken } from './sequence-pattern.js';

function errnoCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? 'EIO';
}

async function locateFile(path: string, input: string): Promise<MediaSource> {
  const info = await stat(path);
  if (info.isDirectory()) {
    throw new EncodeError('E_SOURCE_UNREADABLE', `${input} is a directory, not a media file.`, {
      hint: 'For an image sequence give a pattern such as /path/shot.####.exr or /path/shot.%04d.exr.',
      details: { path },
    });
  }
  if (!info.isFile()) throw new EncodeError('E_SOURCE_UNREADABLE', `${input} is not a regular file.`, { details: { path } });
  if (info.size === 0) {
    throw new EncodeError('E_SOURCE_UNREADABLE', `${input} is empty (0 bytes).`, {
      hint: 'The render or copy probably failed; write the file again.',
      details: { path },
    });
  }
  await access(path, constants.R_OK);
  return { kind: 'file', path };
}

/**
 * What the user typed -> MediaSource. An existing file is a file source (even if its name holds
 * `#`); otherwise a name with a frame token (%04d, %d, ####, @@@@, #) is a sequence whose frames
 * are found by listing its directory.
 */
export async function locateSource(input: string, options: LocateOptions = {}): Promise<MediaSource> {
  const path = resolve(input);
  try {
    return await locateFile(path, input);
  } catch (error) {
    if (error instanceof EncodeError) throw error;
    const code = errnoCode(error);
    if (code !== 'ENOENT' && code !== 'ENOTDIR') {
      throw new EncodeError('E_SOURCE_UNREADABLE', `Cannot read ${input} (${code}).`, {
        hint: 'Check the file permissions.',
        details: { path, code },
        cause: error,
      });
    }
  }
  const parsed = parseSequencePattern(path);
  if (!parsed) {
    throw new EncodeError('E_SOURCE_NOT_FOUND', `${input} does not exist.`, {
      hint: 'Check the path; for an image sequence use a frame token such as #### or %04d.',
      details: { path },
    });
  }
  let names: string[];
  try {
    names = await readdir(parsed.dir);
  } catch (error) {
    const code = errnoCode(error);
    throw new EncodeError(
      code === 'ENOENT' || code === 'ENOTDIR' ? 'E_SOURCE_NOT_FOUND' : 'E_SOURCE_UNREADABLE',
      `Cannot list the sequence directory ${parsed.dir} (${code}).`,
      {
        details: { path: parsed.dir, code },
        cause: error,
      },
    );
  }
  const match = frameMatcher(parsed);
  const present = new Set<number>();
  for (const name of names) {
    const frame = match(name);
    if (frame !== undefined) present.add(frame);
  }
  const pattern = join(parsed.dir, `${parsed.prefix}${printfToken(parsed.padding)}${parsed.suffix}`);
  const sorted = [...present].sort((a, b) => a - b);
  const range = options.frameRange;
  const first = range?.first ?? sorted[0];
  const last = range?.last ?? sorted[sorted.length - 1];
  const inRange = first === undefined || last === undefined ? [] : sorted.filter((f) => f >= first && f <= last);
  if (first === undefined || last === undefined || inRange.length === 0 || last < first) {
    throw new EncodeError('E_SEQUENCE_EMPTY', `No frames match ${input}${range ? ` in ${range.first}-${range.last}` : ''}.`, {
      hint: `Check the directory and the padding: ${parsed.token} matches ${parsed.padding > 0 ? `${parsed.padding}-digit zero-padded` : 'unpadded'} frame numbers.`,
      details: { pattern, dir: parsed.dir },
    });
  }
  const missing: number[] = [];
  for (let f = first; f <= last; f++) if (!present.has(f)) missing.push(f);
  if (missing.length > 0 && (options.gapPolicy ?? 'error') === 'error') {
    throw new EncodeError('E_SEQUENCE_GAPS', `${input} is missing ${missing.length} of ${last - first + 1} frames: ${compactRanges(missing)}.`, {
      hint: 'Render the missing frames, or encode anyway with --gaps hold (repeat the previous frame) or --gaps black.',
      details: { pattern, first, last, missing: compactRanges(missing, 1000) },
    });
  }
  return { kind: 'sequence', pattern, originalPattern: input, first, last, padding: parsed.padding, missing };
}
