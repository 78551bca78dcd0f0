import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { escapeFilterText } from './escape-filter-text.js';

const NASTY = [
  'plain',
  "it's",
  'a:b=c',
  'back\\slash',
  '[label],next;chain',
  '\'quoted\' and "double"',
  'percent %{pts} 100%',
  'ünïcødé — 日本語',
  "all of them: \\ ' : [ ] , ; =",
  'line\nbreak',
];

describe('escapeFilterText', () => {
  it('escapes option level then graph level', () => {
    expect(escapeFilterText('a:b')).toBe('a\\\\:b');
    expect(escapeFilterText("it's")).toBe("it\\\\\\'s");
    expect(escapeFilterText('[x],y;z')).toBe('\\[x\\]\\,y\\;z');
    expect(escapeFilterText('c:\\dir')).toBe('c\\\\:\\\\\\\\dir');
  });

  it.each(NASTY)('survives a real ffmpeg filter graph unchanged: %j', async (text) => {
    const graph = `metadata=mode=add:key=k:value=${escapeFilterText(text)},metadata=mode=print:file=-`;
    const { stdout } = await execa('ffmpeg', [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=16x16:rate=1',
      '-frames:v',
      '1',
      '-vf',
      graph,
      '-f',
      'null',
      '-',
    ]);
    expect(stdout.slice(stdout.indexOf('\nk=') + 1)).toBe(`k=${text}`);
  });

  it('lets a filter open a file whose name holds every special character', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'escape-'));
    const path = join(dir, "shot [v001], a'b; c:d \\ é\nx.png");
    await execa('ffmpeg', [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=16x16:rate=1',
      '-frames:v',
      '1',
      '-f',
      'image2',
      '-update',
      '1',
      path,
    ]);
    const result = await execa(
      'ffmpeg',
      [
        '-hide_banner',
        '-nostdin',
        '-loglevel',
        'error',
        '-filter_complex',
        `movie=${escapeFilterText(path)},scale=8:8[v]`,
        '-map',
        '[v]',
        '-frames:v',
        '1',
        '-f',
        'null',
        '-',
      ],
      { reject: false },
    );
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
  });
});
