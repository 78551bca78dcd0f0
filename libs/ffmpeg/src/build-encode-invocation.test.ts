import { describe, expect, it } from 'vitest';
import {
  parseProfile,
  planEncode,
  ProfileCatalog,
  rational,
  type ColourPipeline,
  type MediaInfo,
  type MediaSource,
  type SequenceSource,
} from '@ftrack-encode/core';
import { sampleMediaInfo } from '@ftrack-encode/testing';
import { buildEncodeInvocation, buildNaiveInvocations } from './build-encode-invocation.js';
import { missingIndexRanges } from './sequence-input.js';

const review = new ProfileCatalog().get('ftrack-review');

const info = sampleMediaInfo;

const movie: MediaSource = { kind: 'file', path: '/shots/sh010/plate v001.mov' };

function sequence(missing: number[] = []): SequenceSource {
  return {
    kind: 'sequence',
    pattern: "/shots/it's 100%/comp.%04d.exr",
    originalPattern: "/shots/it's 100%/comp.####.exr",
    first: 1001,
    last: 1010,
    padding: 4,
    missing,
  };
}

/** The argv after `-map [vN]` up to the output file. */
function outputSection(args: string[], label: string): string[] {
  const start = args.indexOf(`[${label}]`) - 1;
  const fIndex = args.indexOf('-f', start);
  return args.slice(start, fIndex + 3);
}

describe('buildEncodeInvocation', () => {
  const plan = planEncode({ source: movie, info: info(), profile: review, outputDir: '/out', planId: 'p1' });
  const inv = buildEncodeInvocation(plan, { progress: true });

  it('decodes once, scales once per distinct size, and splits to every output', () => {
    expect(inv.args.slice(0, 9)).toEqual(['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', '-progress', 'pipe:1', '-nostats', '-i']);
    expect(inv.args.filter((a) => a === '-i')).toHaveLength(1);
    expect(inv.args[inv.args.indexOf('-i') + 1]).toBe('/shots/sh010/plate v001.mov');
    const graph = inv.args[inv.args.indexOf('-filter_complex') + 1]!;
    // The 720p mp4 (v0) and webm (v2) share one scale; the 1080 and the thumbnail have their own.
    expect(graph.startsWith('[0:v:0]setpts=PTS-STARTPTS,split=3[s0][s1][s2];')).toBe(true);
    expect(graph).toContain(
      '[s0]scale=1280:720:flags=bicubic:in_color_matrix=bt709:in_range=tv:out_color_matrix=bt709:out_range=tv,setsar=1,format=yuv420p,split=2[v0][v2]',
    );
    // BT.709 video into a BT.601 full-range JFIF thumbnail goes through RGB (swscale converts no YUV->YUV matrix).
    expect(graph).toContain(
      'scale=640:360:flags=bicubic:in_color_matrix=bt709:in_range=tv,format=gbrp,scale=out_color_matrix=bt601:out_range=pc,setsar=1,format=yuvj420p',
    );
    expect(graph).toContain('[s1]scale=1920:1080');
    expect(graph).toContain('[s2]trim=start_frame=119:end_frame=120,scale=640:360');
    // 4 video chains + the audio: one track aligned, then stereo 48 kHz split for the mp4s and the webm.
    expect(graph.split(';')).toHaveLength(6);
    expect(graph).toContain('[0:a:0]asetpts=PTS-STARTPTS,aformat=channel_layouts=stereo[at0]');
    expect(graph).toContain(
      '[at0]aresample=48000,aformat=sample_rates=48000:channel_layouts=stereo,apad=whole_dur=10.010000,atrim=end=10.010000,asplit=3[a0][a1][a2]',
    );
    expect(inv.outputs).toEqual(plan.outputs.map((o) => ({ name: o.name, path: o.tempPath })));
    expect(inv.expectedFrames).toBe(240);
    expect(inv.expectedDurationSeconds).toBeCloseTo(10.01, 6);
    expect(inv.files).toEqual([]);
  });

  it('writes H.264 High at the exact source rate with faststart, bt709 and audio as long as the picture', () => {
    const mp4 = outputSection(inv.args, 'v0');
    expect(mp4).toEqual(
      expect.arrayContaining([
        '-map',
        '[a0]',
        '-c:v',
        'libx264',
        '-profile:v',
        'high',
        '-crf',
        '18',
        '-preset',
        'medium',
        '-g',
        '12',
        '-keyint_min',
        '12',
        '-pix_fmt',
        'yuv420p',
        '-c:a',
        'aac',
        '-b:a',
        '192k',
        '-sn',
      ]),
    );
    const pairs = (flag: string) => mp4[mp4.indexOf(flag) + 1];
    expect(pairs('-r')).toBe('24000/1001');
    expect(pairs('-fps_mode')).toBe('passthrough');
    expect(pairs('-movflags')).toBe('+faststart');
    expect(pairs('-colorspace')).toBe('bt709');
    expect(pairs('-color_primaries')).toBe('bt709');
    expect(pairs('-color_trc')).toBe('bt709');
    // No whole-output cut: the audio graph pads/trims to the picture, so no video frame is ever dropped.
    expect(mp4).not.toContain('-t');
    expect(pairs('-ar')).toBe('48000');
    expect(mp4.slice(-3)).toEqual(['-f', 'mp4', plan.outputs[0]!.tempPath]);
  });

  it('writes VP9 realtime constant quality with opus, and a one-frame JPEG', () => {
    const webm = outputSection(inv.args, 'v2');
    expect(webm.join(' ')).toContain('-c:v libvpx-vp9 -b:v 0 -crf 32 -deadline realtime -cpu-used 8 -row-mt 1 -g 12 -keyint_min 12');
    expect(webm).toEqual(expect.arrayContaining(['-c:a', 'libopus', '-b:a', '128k']));
    expect(webm).not.toContain('-movflags');
    expect(webm.slice(-3, -1)).toEqual(['-f', 'webm']);
    const jpg = inv.args.slice(inv.args.indexOf('[v3]') - 1);
    expect(jpg.join(' ')).toBe(`-map [v3] -frames:v 1 -c:v mjpeg -q:v 3 -an -f image2 -update 1 ${plan.outputs[3]!.tempPath}`);
  });

  it('adds threads, drops audio when there is none, and never writes -progress unless asked', () => {
    const silent = planEncode({ source: movie, info: info({ audio: [] }), profile: review, outputDir: '/out', planId: 'p2', threads: 2 });
    const args = buildEncodeInvocation(silent).args;
    expect(args).not.toContain('-progress');
    expect(args).not.toContain('0:a:0');
    expect(args.slice(5, 9)).toEqual(['-filter_complex_threads', '2', '-threads', '2']);
    expect(outputSection(args, 'v0')).toEqual(expect.arrayContaining(['-an', '-threads', '2']));
  });

  it('scales anamorphic and odd sources to even, square pixels', () => {
    const ana = planEncode({
      source: movie,
      info: info({ width: 1000, height: 563, pixelAspect: rational(2, 1) }),
      profile: review,
      outputDir: '/out',
      planId: 'a',
    });
    const graph = buildEncodeInvocation(ana).args.find((a) => a.startsWith('[0:v:0]'))!;
    expect(graph).toContain('[s0]scale=1280:360:');
    expect(graph).toMatch(/scale=\d*[02468]:\d*[02468]:/);
  });

  it('prefixes relative paths that would read as protocols or options', () => {
    const odd = planEncode({ source: { kind: 'file', path: 'take:2.mov' }, info: info(), profile: review, outputDir: '-out', planId: 'x' });
    const args = buildEncodeInvocation(odd).args;
    expect(args[args.indexOf('-i') + 1]).toBe('file:take:2.mov');
    expect(args[args.length - 1]!.startsWith('file:-out/')).toBe(true);
  });

  it('reads a complete sequence with image2 at the exact rate, literal % doubled, capped at the last frame', () => {
    const seq = planEncode({ source: sequence(), info: info({ frameCount: 10, audio: [] }), profile: review, outputDir: '/out', planId: 's' });
    const args = buildEncodeInvocation(seq).args;
    const i = args.indexOf('-i');
    expect(args.slice(i - 8, i + 2)).toEqual([
      '-f',
      'image2',
      '-pattern_type',
      'sequence',
      '-framerate',
      '24000/1001',
      '-start_number',
      '1001',
      '-i',
      "/shots/it's 100%%/comp.%04d.exr",
    ]);
    expect(args[i + 3]!.startsWith('[0:v:0]trim=end_frame=10,split=3')).toBe(true);
  });

  it('holds the previous frame over gaps with an ffconcat list, exact in frame count', () => {
    const seq = planEncode({
      source: sequence([1003, 1004, 1008]),
      info: info({ frameCount: 10, audio: [] }),
      profile: review,
      outputDir: '/out',
      gapPolicy: 'hold',
      planId: 'h',
    });
    expect(() => buildEncodeInvocation(seq)).toThrow(/concatListPath/);
    const inv2 = buildEncodeInvocation(seq, { concatListPath: '/tmp/w/frames.ffconcat' });
    expect(inv2.args.slice(inv2.args.indexOf('-f'), inv2.args.indexOf('-i') + 2)).toEqual(['-f', 'concat', '-safe', '0', '-i', '/tmp/w/frames.ffconcat']);
    const list = inv2.files[0]!.contents.split('\n');
    expect(list[0]).toBe('ffconcat version 1.0');
    const files = list.filter((l) => l.startsWith('file '));
    expect(files).toHaveLength(10);
    expect(files[2]).toBe(`file '/shots/it'\\''s 100%/comp.1002.exr'`);
    expect(files[3]).toBe(files[2]);
    expect(files[7]).toBe(`file '/shots/it'\\''s 100%/comp.1007.exr'`);
    expect(list.filter((l) => l === 'duration 0.041708')).toHaveLength(10);
    const graph = inv2.args[inv2.args.indexOf('-filter_complex') + 1]!;
    expect(graph.startsWith('[0:v:0]settb=1001/24000,setpts=N,trim=end_frame=10,split=3')).toBe(true);
    expect(inv2.expectedFrames).toBe(10);
  });

  it('paints missing frames black, and links frames whose names cannot go into a list', () => {
    const src = { ...sequence([1002, 1003, 1004, 1007]), pattern: '/s/a\nb.%04d.png' };
    const seq = planEncode({ source: src, info: info({ frameCount: 10, audio: [] }), profile: review, outputDir: '/out', gapPolicy: 'black', planId: 'b' });
    const inv2 = buildEncodeInvocation(seq, { concatListPath: '/tmp/w/frames.ffconcat' });
    const graph = inv2.args[inv2.args.indexOf('-filter_complex') + 1]!;
    expect(graph).toContain('drawbox=x=0:y=0:w=iw:h=ih:color=black:t=fill:enable=between(n\\,1\\,3)+eq(n\\,6)');
    expect(inv2.links[0]).toEqual({ path: '/tmp/w/frame-0.png', target: '/s/a\nb.1001.png' });
    expect(inv2.links).toHaveLength(6);
    expect(inv2.files[0]!.contents).not.toContain('a\nb');
    expect(inv2.files[0]!.contents.split('\n').filter((l) => l.startsWith('file '))).toHaveLength(10);
  });

  it('computes missing index ranges', () => {
    expect(missingIndexRanges({ first: 10, last: 20, missing: [20, 11, 12, 13, 15, 99] })).toEqual([
      [1, 3],
      [5, 5],
      [10, 10],
    ]);
  });

  it('builds one process per output for the baseline', () => {
    const naive = buildNaiveInvocations(plan, { progress: true });
    expect(naive).toHaveLength(4);
    for (const [i, n] of naive.entries()) {
      expect(n.outputs).toEqual([inv.outputs[i]]);
      expect(n.args.find((a) => a.startsWith('[0:v:0]'))).toMatch(/^\[0:v:0\]setpts=PTS-STARTPTS,split=1\[s0\];/);
    }
  });

  it('uses a proven hardware encoder only for its codec', () => {
    const profile = parseProfile({
      name: 'hw',
      outputs: [
        { name: 'a', kind: 'video', codec: 'h264', container: 'mp4', crf: 20 },
        { name: 'b', kind: 'video', codec: 'vp9', container: 'webm', crf: 30 },
      ],
    });
    const hw = planEncode({ source: movie, info: info(), profile, outputDir: '/o', planId: 'hw' });
    const args = buildEncodeInvocation(hw, { hardware: 'h264_vaapi' }).args;
    expect(args.slice(5, 7)).toEqual(['-vaapi_device', '/dev/dri/renderD128']);
    expect(args.join(' ')).toContain('format=nv12,hwupload[v0]');
    expect(args.join(' ')).toContain('-c:v h264_vaapi -profile:v high -qp 20');
    expect(args.join(' ')).toContain('-c:v libvpx-vp9');
  });
});

describe('per-output colour', () => {
  const exr = info({ codec: 'exr', pixelFormat: 'gbrpf32le', format: 'image2', frameCount: 10, audio: [] });
  const builtin = (display: 'srgb' | 'bt1886', curve: 'linear-to-srgb' | 'linear-to-bt1886'): ColourPipeline => ({
    input: { space: 'scene-linear', from: 'rule', reason: 'OpenEXR is scene-linear' },
    transform: { method: 'builtin', display, builtin: curve },
    warnings: [],
  });
  const srgb = builtin('srgb', 'linear-to-srgb');
  const rec709 = builtin('bt1886', 'linear-to-bt1886');
  const ocio: ColourPipeline = {
    input: { space: 'ACEScg', from: 'flag', reason: '--input-colourspace ACEScg' },
    transform: { method: 'ocio', display: 'P3', view: 'v', lut: { path: '/cache/p3.csp', hash: 'p3' } },
    warnings: [],
  };
  const profile = parseProfile({
    name: 'review-and-delivery',
    outputs: [
      { name: 'review', kind: 'video', codec: 'h264', container: 'mp4', size: { maxWidth: 1280, maxHeight: 720 } },
      { name: 'review-webm', kind: 'video', codec: 'vp9', container: 'webm', size: { maxWidth: 1280, maxHeight: 720 } },
      { name: 'delivery', kind: 'video', codec: 'prores', container: 'mov', colour: { display: 'bt1886' } },
      { name: 'delivery-720', kind: 'video', codec: 'h264', container: 'mp4', size: { maxWidth: 1280, maxHeight: 720 }, colour: { display: 'bt1886' } },
      { name: 'p3', kind: 'video', codec: 'h264', container: 'mp4', size: { maxWidth: 1280, maxHeight: 720 }, colour: { display: 'P3' } },
    ],
  });
  const plan = planEncode({
    source: sequence(),
    info: exr,
    profile,
    outputDir: '/out',
    planId: 'pc',
    colour: srgb,
    outputColours: { delivery: rec709, 'delivery-720': rec709, p3: ocio },
  });

  it('splits once per distinct pipeline, each through its own LUT; outputs with the same pipeline and size share a branch', () => {
    const inv = buildEncodeInvocation(plan, { concatListPath: '/tmp/w/frames.ffconcat' });
    const graph = inv.args[inv.args.indexOf('-filter_complex') + 1]!.split(';');
    expect(inv.args.filter((a) => a === '-i')).toHaveLength(1);
    expect(graph[0]).toMatch(/^\[0:v:0\][^;]*split=3\[sc0\]\[sc1\]\[sc2\]$/);
    expect(graph[0]).not.toContain('lut3d');
    expect(graph[1]).toBe('[sc0]lut3d=file=/tmp/w/.pc-linear-to-srgb.csp:interp=tetrahedral,split=1[s0]');
    expect(graph[2]).toBe('[sc1]lut3d=file=/tmp/w/.pc-linear-to-bt1886.csp:interp=tetrahedral,split=2[s1][s2]');
    expect(graph[3]).toBe('[sc2]lut3d=file=/cache/p3.csp:interp=tetrahedral,split=1[s3]');
    // The sRGB mp4 and webm share one 720p scale; the Rec.709 ProRes and mp4 have one each (sizes differ).
    expect(graph.find((l) => l.startsWith('[s0]'))).toMatch(/^\[s0\]scale=1280:720.*split=2\[v0\]\[v1\]$/);
    expect(graph.find((l) => l.startsWith('[s1]'))).toMatch(/^\[s1\]scale=1920:1080.*\[v2\]$/);
    expect(graph.find((l) => l.startsWith('[s2]'))).toMatch(/^\[s2\]scale=1280:720.*\[v3\]$/);
    expect(graph.find((l) => l.startsWith('[s3]'))).toMatch(/^\[s3\]scale=1280:720.*\[v4\]$/);
    // Both built-in LUTs are written beside the run; the baked OCIO LUT is read from its cache.
    expect(inv.files.map((f) => f.path).filter((p) => p.endsWith('.csp'))).toEqual(['/tmp/w/.pc-linear-to-srgb.csp', '/tmp/w/.pc-linear-to-bt1886.csp']);
    expect(inv.readFiles).toEqual(['/cache/p3.csp']);
  });

  it('one pipeline for every output keeps the transform before the only split', () => {
    const same = planEncode({ source: sequence(), info: exr, profile, outputDir: '/out', planId: 'pc', colour: srgb, outputColours: { delivery: srgb } });
    const graph = buildEncodeInvocation(same, { concatListPath: '/tmp/w/frames.ffconcat' })
      .args.find((a) => a.startsWith('[0:v:0]'))!
      .split(';');
    expect(graph[0]).toMatch(/lut3d=file=\/tmp\/w\/\.pc-linear-to-srgb\.csp:interp=tetrahedral,split=2\[s0\]\[s1\]$/);
    // Every 720p output now shares one scale.
    expect(graph[1]).toMatch(/^\[s0\]scale=1280:720.*split=4\[v0\]\[v1\]\[v3\]\[v4\]$/);
  });

  it("the quality gate builds each reference through its output's own pipeline, on the sampled frames only", async () => {
    const { buildQualityInvocation } = await import('./index.js');
    const targets = plan.outputs.map((planned, i) => ({ planned, path: `/out/${i}.mov`, ssimStats: `/q/${i}.ssim`, psnrStats: `/q/${i}.psnr` }));
    const graph = buildQualityInvocation(plan, targets, [0, 5, 9], { workDir: '/q' })
      .args.find((a) => a.startsWith('[0:v:0]'))!
      .split(';');
    expect(graph[0]).toMatch(/select=eq\(n\\,0\)\+eq\(n\\,5\)\+eq\(n\\,9\),setpts=N\/TB,split=3\[rc0\]\[rc1\]\[rc2\]$/);
    expect(graph[1]).toBe('[rc0]lut3d=file=/q/.pc-linear-to-srgb.csp:interp=tetrahedral,split=2[r0][r1]');
    expect(graph[2]).toBe('[rc1]lut3d=file=/q/.pc-linear-to-bt1886.csp:interp=tetrahedral,split=2[r2][r3]');
    expect(graph[3]).toBe('[rc2]lut3d=file=/cache/p3.csp:interp=tetrahedral,split=1[r4]');
  });
});

describe('quality reference capture', () => {
  const gated = planEncode({ source: movie, info: info(), profile: review, outputDir: '/out', planId: 'g1', qualityGate: true });

  it('writes the sampled frames of each video branch (before its encoder) as raw video in NUT beside the outputs', () => {
    const inv = buildEncodeInvocation(gated);
    const graph = inv.args[inv.args.indexOf('-filter_complex') + 1]!.split(';');
    const select = `select=${gated.qualityFrames!.map((n) => `eq(n\\,${n})`).join('+')},setpts=N/TB`;
    // The 720p mp4 and webm share a branch: it fans out to both encoders and both references.
    expect(graph).toContainEqual(expect.stringMatching(/^\[s0\]scale=1280:720.*format=yuv420p,split=4\[v0\]\[v2\]\[q0\]\[q2\]$/));
    expect(graph).toContain(`[q0]${select}[q0s]`);
    expect(graph).toContain(`[q1]${select}[q1s]`);
    const videos = gated.outputs.filter((o) => o.spec.kind === 'video');
    for (const [i, o] of gated.outputs.entries()) {
      if (o.spec.kind !== 'video') continue;
      expect(o.qualityReference).toBe(`/out/.plate v001_${o.name}.${o.spec.container}.g1.quality-reference.nut`);
      const at = inv.args.indexOf(`[q${i}s]`);
      expect(inv.args.slice(at - 1, at + 11)).toEqual([
        '-map',
        `[q${i}s]`,
        '-c:v',
        'rawvideo',
        '-fps_mode',
        'passthrough',
        '-an',
        '-sn',
        '-dn',
        '-f',
        'nut',
        o.qualityReference!,
      ]);
    }
    expect(inv.outputs.filter((o) => o.name.endsWith('#quality-reference'))).toHaveLength(videos.length);
    // Without the gate the argv is what it always was.
    expect(buildEncodeInvocation(planEncode({ source: movie, info: info(), profile: review, outputDir: '/out', planId: 'g1' })).args.join(' ')).not.toContain(
      'nut',
    );
  });

  it('a hardware-encoded output captures nothing (its chain ends in an upload)', () => {
    const args = buildEncodeInvocation(gated, { hardware: 'h264_vaapi' }).args;
    expect(args).not.toContain('[q0s]');
    expect(args).toContain('[q2s]'); // the VP9 webm is still encoded (and captured) in software
  });

  it('the gate reads captured references instead of the source: no source input unless an output has none', async () => {
    const { buildQualityInvocation } = await import('./index.js');
    const videos = gated.outputs.filter((o) => o.spec.kind === 'video');
    const targets = videos.map((planned, i) => ({
      planned,
      path: `/out/${i}.mp4`,
      reference: planned.qualityReference!,
      ssimStats: `/q/${i}.ssim`,
      psnrStats: `/q/${i}.psnr`,
    }));
    const all = buildQualityInvocation(gated, targets, gated.qualityFrames!);
    expect(all.args).not.toContain('/shots/sh010/plate v001.mov');
    expect(all.args.filter((a) => a === '-i')).toHaveLength(2 * videos.length);
    const graph = all.args[all.args.indexOf('-filter_complex') + 1]!;
    expect(graph.startsWith('[0:v:0]setpts=N/TB[cref0];[cref0]split[ra0][rb0];[1:v:0]select=')).toBe(true);
    // One output without a capture: the source is decoded for it alone.
    const mixed = buildQualityInvocation(gated, [{ ...targets[0]!, reference: undefined }, ...targets.slice(1)], gated.qualityFrames!);
    expect(mixed.args[mixed.args.indexOf('-i') + 1]).toBe('/shots/sh010/plate v001.mov');
    expect(mixed.args[mixed.args.indexOf('-filter_complex') + 1]).toMatch(/^\[0:v:0\]setpts=PTS-STARTPTS,select=[^;]*split=1\[r0\];\[r0\]scale=1280:720/);
  });

  it('reads the sampled frames of a seekable output by seeking: one concat entry per frame (23.976 fps), picked by time', async () => {
    const { buildQualityInvocation, qualityTargets } = await import('./index.js');
    const planned = gated.outputs.find((o) => o.spec.kind === 'video')!;
    const outputInfo = { ...info(), format: 'matroska,webm', formatStart: -0.007, videoStart: 0.014 };
    const [target] = await qualityTargets([{ planned, path: "/out/it's.webm", info: outputInfo }], '/q', async () => 1);
    // The first video timestamp on the file's own clock: the container's zero plus the video's start.
    expect(target!.seek).toEqual({ list: '/q/0.frames.ffconcat', firstFrameSeconds: 0.007 });
    const inv = buildQualityInvocation(gated, [target!], [0, 24]);
    expect(inv.args).toContain('-copyts');
    expect(inv.args.join(' ')).toContain('-f concat -safe 0 -i /q/0.frames.ffconcat');
    expect(inv.args).not.toContain("/out/it's.webm");
    const slot = 3; // whole seconds past the last sampled frame: frames decoded from a keyframe never reach a neighbour's pick
    expect(inv.files).toEqual([
      {
        path: '/q/0.frames.ffconcat',
        contents: [
          'ffconcat version 1.0',
          ...["file '/out/it'\\''s.webm'", 'inpoint -0.013854', 'outpoint 0.027854', `duration ${slot}`],
          ...["file '/out/it'\\''s.webm'", 'inpoint 0.987146', 'outpoint 1.028854', `duration ${slot}`],
          '',
        ].join('\n'),
      },
    ]);
    const graph = inv.args[inv.args.indexOf('-filter_complex') + 1]!;
    expect(graph).toContain(`[1:v:0]select=lt(abs(mod(t\\,${slot})-0.020854)\\,0.010427),setpts=N/TB,format=yuv420p`);
    // Without probed info (or when the source must be decoded here) the output is decoded whole.
    const [plain] = await qualityTargets([{ planned, path: '/out/a.webm' }], '/q', async () => 1);
    expect(plain!.seek).toBeUndefined();
    const fromSource = buildQualityInvocation(gated, [{ ...target!, reference: undefined }], [0, 24]);
    expect(fromSource.args).not.toContain('-copyts');
    expect(fromSource.args).toContain("/out/it's.webm");
  });
});

describe('quality gate invocation', () => {
  it('decodes the source once, builds each reference with the output branch chain, and compares sampled frames by SSIM and PSNR', async () => {
    const { buildQualityInvocation, parseSsimStats, parsePsnrStats } = await import('./index.js');
    const plan = planEncode({ source: movie, info: info(), profile: review, outputDir: '/out', planId: 'q1' });
    const videos = plan.outputs.filter((o) => o.spec.kind === 'video');
    const targets = videos.map((planned, i) => ({
      planned,
      path: `/out/${planned.name}.mp4`,
      ssimStats: `/tmp/q/${i}: ssim.log`,
      psnrStats: `/tmp/q/${i}.psnr.log`,
    }));
    const invocation = buildQualityInvocation(plan, targets, [0, 12, 23]);
    const graph = invocation.args[invocation.args.indexOf('-filter_complex') + 1]!;
    expect(invocation.args.filter((a) => a === '-i')).toHaveLength(1 + videos.length);
    expect(graph).toContain(`split=${videos.length}`);
    expect(graph).toContain('select=eq(n\\,0)+eq(n\\,12)+eq(n\\,23),setpts=N/TB');
    // No burn-ins: the frames are picked once, before the split, the colour transform and the
    // branches' scale (only they are converted).
    expect(graph).toMatch(/^\[0:v:0\][^;]*select=eq\(n\\,0\)\+eq\(n\\,12\)\+eq\(n\\,23\),setpts=N\/TB,split=3\[r0\]\[r1\]\[r2\];\[r0\]scale=/);
    // The stats path is escaped like any filter text (the ':' would end the option).
    expect(graph).toContain('ssim=stats_file=/tmp/q/0\\\\: ssim.log');
    expect(graph).toMatch(/\[1:v:0\]select=.*,format=yuv420p,setsar=1,split/);
    expect(invocation.outputs.map((o) => o.name)).toEqual(videos.flatMap((v) => [`${v.name}.ssim`, `${v.name}.psnr`]));
    expect(parseSsimStats('n:1 Y:0.991 U:0.99 V:0.99 All:0.990123 (20.0)\nn:2 Y:1 U:1 V:1 All:inf (inf)\n')).toEqual([0.990123, 1]);
    expect(parsePsnrStats('n:1 mse_avg:1.23 mse_y:1 psnr_avg:47.23 psnr_y:48\nn:2 mse_avg:0.00 psnr_avg:inf\n')).toEqual([47.23, Number.POSITIVE_INFINITY]);
  });
});
