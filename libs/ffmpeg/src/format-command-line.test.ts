import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { formatCommandLine } from './format-command-line.js';

describe('formatCommandLine', () => {
  it('quotes only what needs it, and sh reads it back as the same argv', async () => {
    const args = ['ffmpeg', '-i', '/media/it\'s a "clip" é.mov', '-filter_complex', '[0:v]split=2[a][b]', 'x$y`z`', '', 'a\nb'];
    const line = formatCommandLine(args);
    expect(line.startsWith('ffmpeg -i ')).toBe(true);
    const { stdout } = await execa('sh', ['-c', `for a in ${formatCommandLine(args.slice(1))}; do printf '%s\\0' "$a"; done`]);
    expect(stdout.split('\0').slice(0, -1)).toEqual(args.slice(1));
  });
});
