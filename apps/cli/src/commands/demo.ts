import { mkdir, rename } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { EncodeError } from '@ftrack-encode/core';
import { defaultLocalDataDir } from '../ftrack/ftrack-target.js';
import { publishResultJson, runPublish } from './publish.js';
import { untilStopped } from '../process-signals.js';
import { addOutputOptions, setup, type CommonFlags } from './shared-options.js';

interface DemoFlags extends CommonFlags {
  serve?: boolean;
  port?: number;
}

/** 4 s 1080p 23.976 test pattern with a tone: exercises scaling, the 1080 variant, audio and exact NTSC frame counts. */
export function demoClipArgs(path: string): string[] {
  return [
    '-hide_banner',
    '-nostdin',
    '-y',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=1920x1080:rate=24000/1001:duration=4',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=48000:duration=4',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-crf',
    '18',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-shortest',
    '-f',
    'mov',
    path,
  ];
}

export async function makeDemoClip(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const clip = join(dir, 'demo_sh010_comp_v001.mov');
  if (existsSync(clip)) return clip;
  const partial = `${clip}.partial`;
  const { findFfmpeg } = await import('@ftrack-encode/encoder-native');
  const ffmpeg = await findFfmpeg({});
  if (ffmpeg) {
    const { execa } = await import('execa');
    await execa(ffmpeg.ffmpeg, demoClipArgs(partial));
  } else {
    // No ffmpeg on this machine: the wasm core makes the clip (and encodes it, --backend auto).
    const { WasmCore } = await import('@ftrack-encode/encoder-wasm');
    const core = new WasmCore();
    try {
      const result = await core.run({
        program: 'ffmpeg',
        args: demoClipArgs('/demo.mov'),
        mounts: [],
        files: [],
        links: [],
        collect: [],
        progress: false,
        captureLog: false,
        outputs: [{ memfsPath: '/demo.mov', diskPath: partial }],
      });
      if (result.ret !== 0) throw new EncodeError('E_ENCODER_FAILED', `ffmpeg.wasm could not make the demo clip: ${result.log.slice(-3).join(' ')}`);
    } finally {
      await core.dispose();
    }
  }
  await rename(partial, clip);
  return clip;
}

export function registerDemoCommand(program: Command, run: (action: () => Promise<unknown>, flags: CommonFlags) => Promise<void>): void {
  addOutputOptions(
    program
      .command('demo')
      .summary('make a test clip, publish it and print the review page URL')
      .description(
        'Generates a 4 s 1080p 23.976 fps test clip with audio and publishes it with ftrack-review: to the\n' +
          'embedded ftrack-local (seeded demo version) unless FTRACK_SERVER is set. On a terminal the embedded\n' +
          'server keeps running so the review page can be opened; Ctrl-C stops it.',
      )
      .option('--no-serve', 'exit right after publishing (default when not on a terminal or with --json)')
      .option('--port <port>', 'port of the embedded server when serving', (v) => Number(v), 8150),
  ).action(async (flags: DemoFlags) =>
    run(async () => {
      const io = await setup(flags);
      const clip = await makeDemoClip(join(resolve(defaultLocalDataDir(io.config)), 'demo-media'));
      io.terminal.note(`demo clip: ${clip}`);
      const serve = flags.serve !== false && !flags.json && Boolean(process.stdout.isTTY);
      const { port, ...rest } = flags;
      const outcome = await runPublish(clip, { ...rest, serve, json: false, ...(serve ? { port: port ?? 8150 } : {}) }, io);
      if (flags.json) io.terminal.json(publishResultJson(outcome));
      if (serve && outcome.target.embedded) {
        // The local development key travels in the URL fragment, which never reaches a server log.
        const signIn = `#user=${encodeURIComponent(outcome.target.apiUser)}&key=${encodeURIComponent(outcome.target.apiKey)}`;
        io.terminal.print(`\nOpen ${outcome.reviewUrl}${signIn}\n(ftrack-local on this machine only; serving until Ctrl-C)`);
        const embedded = outcome.target.embedded;
        await untilStopped();
        await embedded.close();
      }
    }, flags),
  );
}
