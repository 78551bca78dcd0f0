import { mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { execa } from 'execa';
import { findFfmpeg } from '@ftrack-encode/encoder-native';
import { runEncode, encodeResultJson } from './encode.js';
import { addOutputOptions, type CommonFlags } from './shared-options.js';

interface DemoFlags extends CommonFlags {
  out?: string;
}

/** 4 s 1080p 23.976 test pattern with a tone: exercises scaling, the 1080 variant, audio and exact NTSC frame counts. */
export function demoClipArgs(path: string): string[] {
  return [
    '-hide_banner', '-nostdin', '-y', '-loglevel', 'error',
    '-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=24000/1001:duration=4',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=4',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '18', '-pix_fmt', 'yuv420p',
    '-c:a', 'aac', '-shortest', path,
  ];
}

export async function makeDemoClip(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const clip = join(dir, 'demo_sh010_comp_v001.mov');
  if (existsSync(clip)) return clip;
  const ffmpeg = await findFfmpeg({});
  if (!ffmpeg) throw new Error('demo needs ffmpeg to generate its test clip');
  await execa(ffmpeg.ffmpeg, demoClipArgs(`${clip}.partial.mov`));
  const { rename } = await import('node:fs/promises');
  await rename(`${clip}.partial.mov`, clip);
  return clip;
}

export function registerDemoCommand(program: Command, run: (action: () => Promise<unknown>, flags: CommonFlags) => Promise<void>): void {
  addOutputOptions(
    program
      .command('demo')
      .summary('generate a test clip and encode it with the default profile')
      .description('Generates a 4 s 1080p 23.976 fps test clip with audio and encodes it with ftrack-review.')
      .option('-o, --out <dir>', 'where the clip and review media go', '.ftrack-encode/demo'),
  ).action(async (flags: DemoFlags) =>
    run(async () => {
      const dir = resolve(flags.out ?? '.ftrack-encode/demo');
      const clip = await makeDemoClip(dir);
      const result = await runEncode(clip, { ...flags, json: false, quiet: Boolean(flags.quiet || flags.json), out: join(dir, 'review') });
      if (flags.json) process.stdout.write(`${JSON.stringify(encodeResultJson(result, result.backend))}\n`);
    }, flags),
  );
}
