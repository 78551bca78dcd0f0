import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isEncodeError, type EncodeError } from '@ftrack-encode/core';
import { locateSource } from './locate-source.js';
import { compactRanges, frameMatcher, parseSequencePattern } from './sequence-pattern.js';

async function dirWith(names: string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'locate-'));
  for (const name of names) await writeFile(join(dir, name), 'x');
  return dir;
}

async function failure(promise: Promise<unknown>): Promise<EncodeError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isEncodeError(error)) throw new Error(`expected an EncodeError, got ${String(error)}`);
  return error;
}

describe('sequence patterns', () => {
  it.each([
    ['shot.%04d.exr', 4, 'shot.', '.exr'],
    ['shot.%d.exr', 0, 'shot.', '.exr'],
    ['shot.####.exr', 4, 'shot.', '.exr'],
    ['shot.#.exr', 0, 'shot.', '.exr'],
    ['shot_@@@.dpx', 3, 'shot_', '.dpx'],
    ['v#1_plate.#####.png', 5, 'v#1_plate.', '.png'],
  ])('%s -> padding %i', (name, padding, prefix, suffix) => {
    expect(parseSequencePattern(`/d/${name}`)).toMatchObject({ dir: '/d', padding, prefix, suffix });
  });

  it('matches padding strictly', () => {
    const four = frameMatcher({ prefix: 'a.', suffix: '.exr', padding: 4 });
    expect(['a.1001.exr', 'a.0001.exr', 'a.12345.exr', 'a.01001.exr', 'a.001.exr', 'a.-0001.exr', 'b.1001.exr'].map(four)).toEqual([
      1001,
      1,
      12345,
      undefined,
      undefined,
      -1,
      undefined,
    ]);
    const none = frameMatcher({ prefix: 'a.', suffix: '.exr', padding: 0 });
    expect(['a.7.exr', 'a.07.exr', 'a.0.exr'].map(none)).toEqual([7, undefined, 0]);
  });

  it('compacts frame lists', () => {
    expect(compactRanges([9, 1, 2, 3, 7, 10])).toBe('1-3, 7, 9-10');
    expect(compactRanges([1, 3, 5, 7], 2)).toBe('1, 3, … (2 more ranges)');
  });
});

describe('locateSource', () => {
  it('finds a sequence written with hashes, at-signs or printf, with weird names', async () => {
    const prefix = "it's a shot [v001] é\n";
    const dir = await dirWith([1001, 1002, 1003].map((f) => `${prefix}.${f}.exr`).concat(['other.1001.exr', `${prefix}.1001.exr.bak`]));
    for (const token of ['####', '@@@@', '%04d']) {
      const source = await locateSource(join(dir, `${prefix}.${token}.exr`));
      expect(source).toEqual({
        kind: 'sequence',
        pattern: join(dir, `${prefix}.%04d.exr`),
        originalPattern: join(dir, `${prefix}.${token}.exr`),
        first: 1001,
        last: 1003,
        padding: 4,
        missing: [],
      });
    }
  });

  it('reports gaps as ranges under the error policy, and returns them otherwise', async () => {
    const dir = await dirWith([1, 2, 5, 6, 9].map((f) => `f.${f}.png`));
    const error = await failure(locateSource(join(dir, 'f.#.png')));
    expect(error.code).toBe('E_SEQUENCE_GAPS');
    expect(error.message).toContain('3-4, 7-8');
    const held = await locateSource(join(dir, 'f.%d.png'), { gapPolicy: 'hold' });
    expect(held).toMatchObject({ first: 1, last: 9, padding: 0, missing: [3, 4, 7, 8] });
    expect(await locateSource(join(dir, 'f.#.png'), { gapPolicy: 'black', frameRange: { first: 5, last: 6 } })).toMatchObject({
      first: 5,
      last: 6,
      missing: [],
    });
  });

  it('fails with E_SEQUENCE_EMPTY when nothing matches', async () => {
    const dir = await dirWith(['f.1001.png']);
    expect((await failure(locateSource(join(dir, 'f.#####.png')))).code).toBe('E_SEQUENCE_EMPTY');
    expect((await failure(locateSource(join(dir, 'g.####.png')))).code).toBe('E_SEQUENCE_EMPTY');
    expect((await failure(locateSource(join(dir, 'f.####.png'), { frameRange: { first: 1, last: 5 } }))).code).toBe('E_SEQUENCE_EMPTY');
  });

  it('classifies missing, directory, empty and unlistable inputs', async () => {
    const dir = await dirWith(['movie.mov']);
    await writeFile(join(dir, 'empty.mov'), '');
    await mkdir(join(dir, 'sub'));
    await symlink(join(dir, 'nowhere'), join(dir, 'dangling.mov'));
    expect((await failure(locateSource(join(dir, 'nope.mov')))).code).toBe('E_SOURCE_NOT_FOUND');
    expect((await failure(locateSource(join(dir, 'dangling.mov')))).code).toBe('E_SOURCE_NOT_FOUND');
    const directory = await failure(locateSource(join(dir, 'sub')));
    expect(directory.code).toBe('E_SOURCE_UNREADABLE');
    expect(directory.message).toContain('is a directory');
    expect((await failure(locateSource(join(dir, 'empty.mov')))).code).toBe('E_SOURCE_UNREADABLE');
    expect((await failure(locateSource(join(dir, 'missing-dir', 'f.####.exr')))).code).toBe('E_SOURCE_NOT_FOUND');
    expect(await locateSource(join(dir, 'movie.mov'))).toEqual({ kind: 'file', path: join(dir, 'movie.mov') });
  });

  it('prefers an existing file over a pattern reading of its name', async () => {
    const dir = await dirWith(['take#1.mov']);
    expect(await locateSource(join(dir, 'take#1.mov'))).toEqual({ kind: 'file', path: join(dir, 'take#1.mov') });
  });
});
