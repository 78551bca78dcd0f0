import { isEncodeError, sequenceFramePath } from '@ftrack-encode/core';
import { describe, expect, it } from 'vitest';
import { sequenceFromFileNames } from './picked-sequence.js';

const names = (from: number, to: number, format: (n: number) => string) => Array.from({ length: to - from + 1 }, (_, i) => format(from + i));
const errorOf = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('sequenceFromFileNames', () => {
  it('makes a padded pattern from picked frames in any order', () => {
    const picked = names(1001, 1012, (n) => `shot_v2.${n}.png`).reverse();
    const source = sequenceFromFileNames(picked, '/mnt');
    expect(source).toEqual({
      kind: 'sequence',
      pattern: '/mnt/shot_v2.%04d.png',
      originalPattern: 'shot_v2.####.png',
      first: 1001,
      last: 1012,
      padding: 4,
      missing: [],
    });
    expect(sequenceFramePath(source, 1005)).toBe('/mnt/shot_v2.1005.png');
  });

  it('keeps zero padding and lists frames absent between first and last', () => {
    const source = sequenceFromFileNames(['c.0001.exr', 'c.0002.exr', 'c.0005.exr'], '/mnt');
    expect(source).toMatchObject({ pattern: '/mnt/c.%04d.exr', first: 1, last: 5, missing: [3, 4] });
  });

  it('reads unpadded numbers of different widths', () => {
    expect(
      sequenceFromFileNames(
        names(8, 11, (n) => `f${n}.png`),
        '/mnt',
      ),
    ).toMatchObject({ pattern: '/mnt/f%d.png', padding: 0, first: 8, last: 11 });
  });

  it('refuses files that are not frames of one sequence', () => {
    expect(
      isEncodeError(
        errorOf(() => sequenceFromFileNames(['a.1001.png', 'b.1002.png'], '/mnt')),
        'E_SOURCE_UNREADABLE',
      ),
    ).toBe(true);
    expect(
      isEncodeError(
        errorOf(() => sequenceFromFileNames(['plate.png', 'plate.1002.png'], '/mnt')),
        'E_SOURCE_UNREADABLE',
      ),
    ).toBe(true);
    expect(
      isEncodeError(
        errorOf(() => sequenceFromFileNames(['a.09.png', 'a.100.png'], '/mnt')),
        'E_SOURCE_UNREADABLE',
      ),
    ).toBe(true);
  });
});
