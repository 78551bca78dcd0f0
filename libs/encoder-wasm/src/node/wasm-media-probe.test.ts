import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { WasmCore } from './wasm-core.js';
import { WasmMediaProbe } from './wasm-media-probe.js';

describe('WasmMediaProbe of an encoded output', () => {
  const core = new WasmCore();
  let runs = 0;
  const run = core.run.bind(core);
  core.run = (...args) => {
    runs++;
    return run(...args);
  };
  const probe = new WasmMediaProbe(core);
  let dir: string | undefined;
  afterAll(async () => {
    await core.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reads an MP4 from its headers without running the core, and answers as the core does', async () => {
    dir = await mkdtemp(join(tmpdir(), 'wasm-probe-'));
    const path = join(dir, 'out.mp4');
    await execa('ffmpeg', [
      ...['-hide_banner', '-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=24000/1001', '-f', 'lavfi', '-i', 'sine=sample_rate=48000'],
      ...[
        '-t',
        '1',
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-pix_fmt',
        'yuv420p',
        '-colorspace',
        'bt709',
        '-color_primaries',
        'bt709',
        '-color_trc',
        'bt709',
      ],
      ...['-color_range', 'tv', '-c:a', 'aac', '-movflags', '+faststart', path],
    ]);
    const fromHeaders = await probe.probe({ kind: 'file', path }, { encodedOutput: true });
    expect(runs).toBe(0);
    expect(fromHeaders).toEqual(await probe.probe({ kind: 'file', path }));
    expect(runs).toBeGreaterThan(0);
  });
});
