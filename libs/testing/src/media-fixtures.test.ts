import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { ensureFixture, mediaFixtures, type SequenceFixture } from './media-fixtures.js';

async function frames(path: string): Promise<string> {
  const { stdout } = await execa('ffprobe', [
    '-v',
    'error',
    '-count_packets',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=nb_read_packets,r_frame_rate,width,height',
    '-of',
    'csv=p=0',
    path,
  ]);
  return stdout.trim();
}

describe('media fixtures', () => {
  it('generates once, concurrently safe, keyed by parameters', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'fixtures-'));
    const spec = { kind: 'movie', width: 64, height: 36, rate: '30000/1001', frames: 15, audio: false } as const;
    const [a, b] = await Promise.all([ensureFixture(spec, { cacheDir }), ensureFixture({ ...spec }, { cacheDir })]);
    expect(a).toEqual(b);
    const other = await ensureFixture({ ...spec, frames: 16 }, { cacheDir });
    expect(other).not.toEqual(a);
    expect(await frames((a as { path: string }).path)).toBe('64,36,30000/1001,15');
    expect((await readdir(cacheDir)).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  });

  it('makes sequences with gaps and exact sizes', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'fixtures-'));
    const seq = (await ensureFixture(
      { kind: 'sequence', frames: 5, first: 7, padding: 3, missing: [9], width: 33, height: 17 },
      { cacheDir },
    )) as SequenceFixture;
    expect(seq).toMatchObject({ first: 7, last: 11, missing: [9] });
    expect((await readdir(seq.dir)).filter((n) => n.endsWith('.png')).sort()).toEqual(['shot.007.png', 'shot.008.png', 'shot.010.png', 'shot.011.png']);
    const odd = await mediaFixtures(cacheDir).oddSize();
    expect(await frames(odd)).toBe('321,181,24/1,12');
  });
});
