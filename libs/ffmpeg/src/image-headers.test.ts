import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { bcdTimecode, parseImageHeader } from './image-headers.js';
import { readImageHeader } from './node/read-image-header.js';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function oiio(args: string[], name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'headers-'));
  dirs.push(dir);
  const path = join(dir, name);
  await execa('oiiotool', [...args, '-o', path]);
  return path;
}

describe('EXR and DPX headers (files written by oiiotool)', () => {
  it('EXR: compression, windows, framesPerSecond, timeCode, layers, parts', async () => {
    const path = await oiio(
      [
        '--create',
        '64x32',
        '3',
        '-d',
        'half',
        '--compression',
        'piz',
        '--origin',
        '+8+4',
        '--fullsize',
        '96x48+0+0',
        '--attrib:type=rational',
        'framesPerSecond',
        '24000/1001',
        '--attrib:type=timecode',
        'smpte:TimeCode',
        '01:02:03:04',
      ],
      'a.exr',
    );
    expect(await readImageHeader(path)).toEqual({
      parts: 1,
      compression: 'piz',
      dataWindow: [8, 4, 71, 35],
      displayWindow: [0, 0, 95, 47],
      frameRate: { num: 24000, den: 1001 },
      timecode: '01:02:03:04',
    });
    const layered = await oiio(['--create', '16x16', '6', '--chnames', 'R,G,B,diffuse.R,diffuse.G,diffuse.B', '-d', 'half'], 'l.exr');
    expect((await readImageHeader(layered))?.layers).toEqual(['diffuse']);
    const a = await oiio(['--create', '16x16', '3', '-d', 'half'], 'p0.exr');
    const multi = await oiio([a, a, '--siappend'], 'm.exr');
    expect((await readImageHeader(multi))?.parts).toBe(2);
  });

  it('DPX: transfer characteristic and frame rate', async () => {
    const log = await oiio(
      ['--create', '16x16', '3', '-d', 'uint10', '--attrib', 'dpx:Transfer', 'Printing density', '--attrib:type=float', 'dpx:FrameRate', '23.976'],
      'log.dpx',
    );
    expect(await readImageHeader(log)).toEqual({ transfer: 'printing-density', frameRate: { num: 24000, den: 1001 } });
    const linear = await oiio(['--create', '16x16', '3', '-d', 'uint10', '--attrib', 'dpx:Transfer', 'Linear'], 'lin.dpx');
    expect((await readImageHeader(linear))?.transfer).toBe('linear');
  });

  it('anything else is not an image header; timecodes decode from SMPTE BCD', async () => {
    expect(parseImageHeader(new TextEncoder().encode('not an image at all'))).toBeUndefined();
    expect(bcdTimecode(0x01020304)).toBe('01:02:03:04');
    expect(bcdTimecode(0x01020344)).toBe('01:02:03;04');
    expect(bcdTimecode(0xffffffff)).toBeUndefined();
  });
});
