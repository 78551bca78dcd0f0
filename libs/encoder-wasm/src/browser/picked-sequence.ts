import { EncodeError, type SequenceSource } from '@ftrack-encode/core';

/** The last run of digits in a name is the frame number (shot.1001.png, shot_v2.0001.exr). */
const LAST_DIGITS = /(\d+)(\D*)$/;

interface NamedFrame {
  prefix: string;
  digits: string;
  suffix: string;
}

function frameOf(name: string): NamedFrame {
  const match = LAST_DIGITS.exec(name);
  if (!match) {
    throw new EncodeError('E_SOURCE_UNREADABLE', `${name} has no frame number in its name.`, {
      hint: 'Pick image files named like shot.1001.png, shot.1002.png, … (one number per frame).',
    });
  }
  return { prefix: name.slice(0, match.index), digits: match[1]!, suffix: match[2]! };
}

/**
 * The SequenceSource for several picked image files mounted together in `dir`: their names
 * must differ only in the frame number (the last digits). Padding is the digit count when
 * every name has the same count (1001..1012, 0001..0012), else unpadded (1..12). Frames
 * absent between the first and last are listed as missing, so the plan's gap policy applies.
 */
export function sequenceFromFileNames(names: readonly string[], dir: string): SequenceSource {
  const frames = names.map(frameOf);
  const first = frames[0];
  if (!first) throw new EncodeError('E_SEQUENCE_EMPTY', 'No image files were picked.');
  const odd = frames.find((f) => f.prefix !== first.prefix || f.suffix !== first.suffix);
  if (odd) {
    throw new EncodeError(
      'E_SOURCE_UNREADABLE',
      `${odd.prefix}${odd.digits}${odd.suffix} is not a frame of ${first.prefix}${first.digits}${first.suffix}: the names must differ only in the frame number.`,
      {
        hint: 'Pick the frames of one sequence only.',
      },
    );
  }
  if (first.prefix.includes('%') || first.suffix.includes('%')) {
    throw new EncodeError('E_UNSUPPORTED', `Frame names with "%" (${first.prefix}…${first.suffix}) are not supported in the browser.`, {
      hint: 'Rename the frames, or encode them with the CLI.',
    });
  }
  const sameWidth = frames.every((f) => f.digits.length === first.digits.length);
  const padding = sameWidth ? first.digits.length : 0;
  if (!sameWidth) {
    const padded = frames.find((f) => f.digits.startsWith('0') && f.digits !== '0');
    if (padded)
      throw new EncodeError(
        'E_SOURCE_UNREADABLE',
        `${padded.prefix}${padded.digits}${padded.suffix} is zero-padded but other frames have a different number of digits.`,
      );
  }
  const numbers = [...new Set(frames.map((f) => Number(f.digits)))].sort((a, b) => a - b);
  const firstFrame = numbers[0]!;
  const lastFrame = numbers[numbers.length - 1]!;
  const present = new Set(numbers);
  const missing: number[] = [];
  for (let n = firstFrame; n <= lastFrame; n++) if (!present.has(n)) missing.push(n);
  const token = padding > 0 ? `%0${padding}d` : '%d';
  return {
    kind: 'sequence',
    pattern: `${dir}/${first.prefix}${token}${first.suffix}`,
    originalPattern: `${first.prefix}${'#'.repeat(Math.max(padding, 1))}${first.suffix}`,
    first: firstFrame,
    last: lastFrame,
    padding,
    missing,
  };
}
