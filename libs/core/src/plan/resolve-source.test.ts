import { describe, expect, it } from 'vitest';
import {
  applyBuiltinCurve,
  Burnins,
  cineonToLinear,
  checkLayer,
  checkOutput,
  displaySize,
  globToRegExp,
  interpretInput,
  isEncodeError,
  parseProfile,
  planEncode,
  planNotes,
  profileHash,
  resolveColourPipeline,
  resolvePlanColour,
  resolveSequenceRate,
  selectAudioTracks,
  type ColourBaker,
  type MediaInfo,
  type MediaSource,
  type OcioConfigInfo,
} from '../index.js';

function info(overrides: Partial<MediaInfo> = {}): MediaInfo {
  return {
    format: 'mov,mp4',
    width: 1920,
    height: 1080,
    pixelAspect: { num: 1, den: 1 },
    frameRate: { num: 24, den: 1 },
    frameCount: 24,
    duration: 1,
    codec: 'h264',
    pixelFormat: 'yuv420p',
    color: {},
    audio: [],
    firstFrame: 0,
    isStill: false,
    ...overrides,
  };
}
const movie: MediaSource = { kind: 'file', path: '/shots/sh010/plate.mov' };
const sequence: MediaSource = {
  kind: 'sequence',
  pattern: '/shots/sh010/comp/sh010_comp_v003.%04d.exr',
  originalPattern: '/shots/sh010/comp/sh010_comp_v003.####.exr',
  first: 1001,
  last: 1048,
  padding: 4,
  missing: [],
};
const exr = info({ codec: 'exr', pixelFormat: 'gbrpf32le', format: 'image2' });

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string; details: Record<string, unknown> }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isEncodeError(error)) throw new Error(`expected an EncodeError, got ${String(error)}`);
  return error;
}

describe('interpretInput: flag > site rule > tags > built-in rules', () => {
  it('reads tags first, then the built-in rules by kind of file', () => {
    expect(interpretInput(info({ color: { space: 'bt709', range: 'tv' } }), movie)).toMatchObject({
      space: 'bt709',
      from: 'tags',
      matrix: 'bt709',
      range: 'tv',
    });
    expect(interpretInput(info({ width: 720, height: 480, color: { space: 'smpte170m' } }), movie)).toMatchObject({
      space: 'bt601',
      from: 'tags',
      matrix: 'bt601',
    });
    expect(interpretInput(info(), movie)).toMatchObject({ space: 'bt709', from: 'rule', matrix: 'bt709', range: 'tv' });
    expect(interpretInput(info({ width: 720, height: 576 }), movie)).toMatchObject({ space: 'bt601', from: 'rule', matrix: 'bt601' });
    expect(interpretInput(info({ pixelFormat: 'yuvj420p' }), movie).range).toBe('pc');
    expect(interpretInput(exr, sequence)).toMatchObject({ space: 'scene-linear', from: 'rule' });
    expect(interpretInput(info({ codec: 'dpx', pixelFormat: 'gbrp10le', imageHeader: { transfer: 'printing-density' } }), sequence)).toMatchObject({
      space: 'cineon-log',
      from: 'tags',
    });
    expect(interpretInput(info({ codec: 'dpx', pixelFormat: 'gbrp10le', imageHeader: { transfer: 'linear' } }), sequence).space).toBe('scene-linear');
    expect(interpretInput(info({ codec: 'png', pixelFormat: 'rgb24' }), movie).space).toBe('srgb');
    expect(interpretInput(info({ color: { transfer: 'linear' } }), movie).space).toBe('scene-linear');
  });

  it('a site rule by path pattern beats the tags; --input-colourspace beats both', () => {
    const rules = [
      { pattern: '/shots/**/comp/*.exr', colourspace: 'ACEScg' },
      { pattern: '**/plate.mov', colourspace: 'bt601' },
    ];
    expect(interpretInput(exr, sequence, { rules })).toMatchObject({ space: 'ACEScg', from: 'config', reason: 'config rule "/shots/**/comp/*.exr"' });
    expect(interpretInput(info({ color: { space: 'bt709' } }), movie, { rules })).toMatchObject({ space: 'bt601', from: 'config', matrix: 'bt601' });
    expect(interpretInput(exr, sequence, { rules, inputColourspace: 'ACES2065-1' })).toMatchObject({ space: 'ACES2065-1', from: 'flag' });
  });

  it('globs: ** crosses folders, * and ? stay in one', () => {
    expect(globToRegExp('/shots/**/*.exr').test('/shots/a/b/c.exr')).toBe(true);
    expect(globToRegExp('/shots/*.exr').test('/shots/a/c.exr')).toBe(false);
    expect(globToRegExp('**/sh0?0_*').test('/x/sh010_comp')).toBe(true);
  });
});

describe('built-in curves (the no-OCIO default)', () => {
  it('puts scene-linear 0.18 grey at ~118/255 on an sRGB display, the 0.05/0.5/0.9 ramp at 63/188/243', () => {
    const srgb = (v: number) => applyBuiltinCurve('linear-to-srgb', v) * 255;
    expect(srgb(0.18)).toBeCloseTo(117.6, 1);
    expect([srgb(0.05), srgb(0.5), srgb(0.9)].map(Math.round)).toEqual([63, 188, 243]);
    // Cineon (black 95, white 685, 0.002 density per code, gamma 0.6): code 445 is linear 0.149 -> 107.8 on sRGB.
    expect(cineonToLinear(445 / 1023)).toBeCloseTo(0.1493, 3);
    expect(applyBuiltinCurve('cineon-to-srgb', 445 / 1023) * 255).toBeCloseTo(107.8, 1);
    expect(cineonToLinear(685 / 1023)).toBeCloseTo(1, 6);
    expect(applyBuiltinCurve('linear-to-bt1886', 0.18) * 255).toBeCloseTo(125.1, 0);
  });
});

describe('resolveColourPipeline', () => {
  const config: OcioConfigInfo = {
    path: '/studio/config.ocio',
    hash: 'c0ffee',
    colourspaces: ['ACES2065-1', 'ACEScg', 'ACEScct', 'Raw'],
    roles: { scene_linear: 'ACEScg', compositing_log: 'ACEScct' },
    displays: [{ name: 'sRGB', views: ['ACES 1.0 - SDR Video', 'Raw'] }],
    defaultDisplay: 'sRGB',
  };
  const baked: unknown[] = [];
  const baker: ColourBaker = {
    inspect: async () => config,
    bake: async (request) => (baked.push(request), { path: `/cache/${request.inputSpace}.csp`, hash: 'h1' }),
  };

  it('without OCIO: built-in transform with a warning naming the assumption; display-referred video untouched', async () => {
    const linear = await resolveColourPipeline(exr, sequence);
    expect(linear.transform).toEqual({ method: 'builtin', display: 'srgb', builtin: 'linear-to-srgb' });
    expect(linear.warnings[0]).toMatch(/No OCIO config: scene-linear .* assuming Rec.709\/sRGB primaries/);
    expect((await resolveColourPipeline(exr, sequence, { display: 'bt1886' })).transform.builtin).toBe('linear-to-bt1886');
    expect((await resolveColourPipeline(info(), movie)).transform).toEqual({ method: 'none', display: 'srgb' });
  });

  it('with OCIO: validates names, maps EXR to the scene_linear role, picks a log shaper, bakes', async () => {
    const pipeline = await resolveColourPipeline(exr, sequence, { ocioConfig: '/studio/config.ocio' }, baker);
    expect(pipeline.transform).toEqual({
      method: 'ocio',
      display: 'sRGB',
      view: 'ACES 1.0 - SDR Video',
      ocio: { configPath: '/studio/config.ocio', configHash: 'c0ffee', inputSpace: 'scene_linear', shaperSpace: 'ACEScct' },
      lut: { path: '/cache/scene_linear.csp', hash: 'h1' },
    });
    expect(baked.at(-1)).toMatchObject({ display: 'sRGB', view: 'ACES 1.0 - SDR Video', cubeSize: 33 });
  });

  it('bad names fail with E_PROFILE_INVALID and the valid names; an OCIO config without a baker is E_UNSUPPORTED', async () => {
    const ocio = { ocioConfig: '/studio/config.ocio' };
    const colourspace = await failure(resolveColourPipeline(exr, sequence, { ...ocio, inputColourspace: 'ACEScgg' }, baker));
    expect(colourspace.code).toBe('E_PROFILE_INVALID');
    expect(colourspace.details['valid']).toEqual(config.colourspaces);
    expect((await failure(resolveColourPipeline(exr, sequence, { ...ocio, display: 'P3' }, baker))).message).toContain('Valid: "sRGB"');
    expect((await failure(resolveColourPipeline(exr, sequence, { ...ocio, view: 'Filmic' }, baker))).message).toContain('"ACES 1.0 - SDR Video", "Raw"');
    expect((await failure(resolveColourPipeline(exr, sequence, { inputColourspace: 'ACEScg' }))).message).toContain('"scene-linear"');
    expect((await failure(resolveColourPipeline(exr, sequence, { view: 'x' }))).code).toBe('E_PROFILE_INVALID');
    expect((await failure(resolveColourPipeline(exr, sequence, ocio))).code).toBe('E_UNSUPPORTED');
  });
});

describe('per-output colour (an output block merged over the profile block)', () => {
  const config: OcioConfigInfo = {
    path: '/studio/config.ocio',
    hash: 'c0ffee',
    colourspaces: ['ACEScg', 'ACEScct', 'Rec.709'],
    roles: { scene_linear: 'ACEScg', compositing_log: 'ACEScct' },
    displays: [
      { name: 'sRGB', views: ['ACES 1.0 - SDR Video', 'Raw'] },
      { name: 'Rec.1886', views: ['ACES 1.0 - SDR Video'] },
    ],
    defaultDisplay: 'sRGB',
  };
  const profile = parseProfile({
    name: 'review-and-delivery',
    colour: { display: 'sRGB', view: 'ACES 1.0 - SDR Video' },
    outputs: [
      { name: 'review', kind: 'video', codec: 'h264', container: 'mp4' },
      { name: 'delivery', kind: 'video', codec: 'prores', container: 'mov', colour: { display: 'Rec.1886' } },
      { name: 'raw', kind: 'video', codec: 'h264', container: 'mp4', colour: { view: 'Raw' } },
      { name: 'same', kind: 'video', codec: 'h264', container: 'mp4', colour: { display: 'sRGB' } },
      { name: 'thumbnail', kind: 'image', codec: 'mjpeg', container: 'jpg' },
    ],
  });

  it('resolves each distinct pipeline once: the output wins field by field, the profile fills the rest, flags win over both', async () => {
    const bakes: { display: string; view: string }[] = [];
    const baker: ColourBaker = {
      inspect: async () => config,
      bake: async (r) => (bakes.push({ display: r.display, view: r.view }), { path: `/cache/${r.display}-${r.view}.csp`, hash: `${r.display}/${r.view}` }),
    };
    const ocio = { ocioConfig: '/studio/config.ocio' };
    const { colour, outputs } = await resolvePlanColour(exr, sequence, profile, profile.outputs, ocio, baker);
    expect(colour.transform).toMatchObject({ display: 'sRGB', view: 'ACES 1.0 - SDR Video' });
    expect(Object.keys(outputs).sort()).toEqual(['delivery', 'raw', 'same']);
    // The delivery keeps the profile's view on its own display; "raw" keeps the profile's display.
    expect(outputs['delivery']!.transform).toMatchObject({ display: 'Rec.1886', view: 'ACES 1.0 - SDR Video', lut: { hash: 'Rec.1886/ACES 1.0 - SDR Video' } });
    expect(outputs['raw']!.transform).toMatchObject({ display: 'sRGB', view: 'Raw' });
    expect(outputs['same']!.transform).toEqual(colour.transform);
    // Three distinct pipelines, three bakes ("same" is the profile's).
    expect(bakes).toHaveLength(3);

    // A flag (or the config) still wins over every block.
    const flagged = await resolvePlanColour(
      exr,
      sequence,
      profile,
      profile.outputs.filter((o) => o.name !== 'raw'),
      { ...ocio, display: 'Rec.1886' },
      baker,
    );
    expect(flagged.colour.transform).toMatchObject({ display: 'Rec.1886', view: 'ACES 1.0 - SDR Video' });
    expect(flagged.outputs['same']!.transform).toEqual(flagged.colour.transform);

    // Planned outputs carry their own pipeline; notes and burn-in tokens follow it.
    const plan = planEncode({ source: sequence, info: exr, profile, outputDir: '/o', planId: 'p', colour, outputColours: outputs });
    const delivery = plan.outputs.find((o) => o.name === 'delivery')!;
    const review = plan.outputs.find((o) => o.name === 'review')!;
    expect(review.colour).toBeUndefined();
    expect(planNotes(plan, delivery)).toMatchObject({ colour_display: 'Rec.1886', colour_lut_hash: 'Rec.1886/ACES 1.0 - SDR Video' });
    expect(planNotes(plan, review)).toMatchObject({ colour_display: 'sRGB', colour_view: 'ACES 1.0 - SDR Video' });
  });

  it('without OCIO: built-in displays per output; bad names fail E_PROFILE_INVALID naming the output and the valid names', async () => {
    const builtin = parseProfile({
      name: 'two-displays',
      outputs: [
        { name: 'review', kind: 'video', codec: 'h264', container: 'mp4' },
        { name: 'delivery', kind: 'video', codec: 'h264', container: 'mov', colour: { display: 'bt1886' } },
      ],
    });
    const { colour, outputs } = await resolvePlanColour(exr, sequence, builtin, builtin.outputs);
    expect(colour.transform.builtin).toBe('linear-to-srgb');
    expect(outputs['delivery']!.transform.builtin).toBe('linear-to-bt1886');
    const plan = planEncode({
      source: sequence,
      info: exr,
      profile: { ...builtin, burnins: Burnins.parse({ fields: [{ position: 'top-left', text: '{colour}' }] }) },
      outputDir: '/o',
      planId: 'p',
      colour,
      outputColours: outputs,
      burnins: { values: { colour: 'run-wide' }, perFrame: { firstFrame: 1001, rate: 24 } },
    });
    // The {colour} burn-in of an output with its own pipeline names that pipeline.
    const drawn = (name: string) => plan.outputs.find((o) => o.name === name)!.burnins!.fields[0]!.segments;
    expect(drawn('review')).toEqual([{ kind: 'text', text: 'run-wide' }]);
    expect(drawn('delivery')).toEqual([{ kind: 'text', text: expect.stringContaining('-> bt1886: built-in linear-to-bt1886') }]);
    // One warning per pipeline (each names its curve), however many outputs use it.
    expect(plan.warnings!.filter((w) => w.startsWith('No OCIO config'))).toHaveLength(2);

    const bad = parseProfile({ ...builtin, outputs: [builtin.outputs[0], { ...builtin.outputs[1], colour: { display: 'P3' } }] });
    const error = await failure(resolvePlanColour(exr, sequence, bad, bad.outputs));
    expect(error.code).toBe('E_PROFILE_INVALID');
    expect(error.message).toMatch(/^Output "delivery": Unknown display "P3".*"srgb", "bt1886"/);
    expect(error.details).toMatchObject({ output: 'delivery', valid: ['srgb', 'bt1886'] });
    // An unknown key in a colour block is a profile error too; the block is part of the profile hash.
    expect(() => parseProfile({ ...builtin, outputs: [{ ...builtin.outputs[0], colour: { dispaly: 'bt1886' } }] })).toThrow(/outputs\.0\.colour/);
    const other = parseProfile({ ...builtin, outputs: [builtin.outputs[0], { ...builtin.outputs[1], colour: { display: 'srgb' } }] });
    expect(profileHash(other)).not.toBe(profileHash(builtin));
  });
});

describe('sequence rate: --fps > site rule > header > config default > 24 (warned)', () => {
  it('takes each in turn', () => {
    const withHeader = info({ ...exr, imageHeader: { frameRate: { num: 25, den: 1 } } });
    expect(resolveSequenceRate(withHeader, sequence, { frameRate: '23.976' })).toEqual({ rate: { num: 24000, den: 1001 }, from: 'flag' });
    expect(resolveSequenceRate(withHeader, sequence, { rules: [{ pattern: '/shots/**', frameRate: '48' }] })).toEqual({
      rate: { num: 48, den: 1 },
      from: 'config',
    });
    expect(resolveSequenceRate(withHeader, sequence, { defaultSequenceFrameRate: '30' })).toEqual({ rate: { num: 25, den: 1 }, from: 'header' });
    expect(resolveSequenceRate(exr, sequence, { defaultSequenceFrameRate: '30000/1001' })).toEqual({ rate: { num: 30000, den: 1001 }, from: 'config' });
    expect(resolveSequenceRate(exr, sequence)).toMatchObject({ rate: { num: 24, den: 1 }, from: 'default', warning: expect.stringContaining('24 fps') });
    expect(() => resolveSequenceRate(exr, sequence, { frameRate: 'fast' })).toThrow(/Invalid frame rate "fast"/);
  });
});

describe('geometry, audio tracks, layers and validation', () => {
  it('plans the displayed (rotated) size', () => {
    expect(displaySize(info({ width: 1920, height: 1080, rotation: 90 }))).toEqual({ width: 1080, height: 1920 });
    expect(displaySize(info({ width: 1920, height: 1080, rotation: 180 }))).toEqual({ width: 1920, height: 1080 });
    const profile = parseProfile({
      name: 'p',
      outputs: [{ name: 'mp4', kind: 'video', codec: 'h264', container: 'mp4', size: { maxWidth: 1280, maxHeight: 720 } }],
    });
    const plan = planEncode({ source: movie, info: info({ rotation: 270 }), profile, outputDir: '/out', planId: 'r' });
    expect([plan.outputs[0]!.width, plan.outputs[0]!.height]).toEqual([406, 720]);
  });

  it('selects audio tracks: all by default, 1-based on request, unknown ones refused', () => {
    const two = info({
      audio: [
        { index: 1, codec: 'pcm_s24le', channels: 1, sampleRate: 48000 },
        { index: 2, codec: 'pcm_s24le', channels: 1, sampleRate: 48000 },
      ],
    });
    expect(selectAudioTracks(two, undefined)).toEqual([0, 1]);
    expect(selectAudioTracks(two, [2])).toEqual([1]);
    expect(() => selectAudioTracks(two, [3])).toThrow(/Audio track 3 does not exist: the source has 2/);
  });

  it('checks the EXR layer against the header', () => {
    const layered = info({ ...exr, imageHeader: { layers: ['diffuse', 'specular'] } });
    expect(() => checkLayer(layered, 'diffuse')).not.toThrow();
    expect(() => checkLayer(layered, 'beauty')).toThrow(/no layer "beauty". Valid: "diffuse", "specular"/);
  });

  it('validates the video stream duration (not the container) and the review audio', () => {
    const profile = parseProfile({ name: 'p', outputs: [{ name: 'mp4', kind: 'video', codec: 'h264', container: 'mp4' }] });
    const source = info({ audio: [{ index: 1, codec: 'aac', channels: 1, sampleRate: 44100 }] });
    const planned = planEncode({ source: movie, info: source, profile, outputDir: '/out', planId: 'v' }).outputs[0]!;
    const good = info({ duration: 1.5, videoDuration: 1, audio: [{ index: 1, codec: 'aac', channels: 2, sampleRate: 48000, duration: 1.01 }] });
    expect(checkOutput(planned, good)).toEqual([]);
    const mono = info({ videoDuration: 1, audio: [{ index: 1, codec: 'aac', channels: 1, sampleRate: 44100, duration: 1 }] });
    expect(checkOutput(planned, mono).map((f) => f.check)).toEqual(['audio']);
    const cut = info({ videoDuration: 0.75, frameCount: 18, audio: good.audio });
    // A picture cut short (the old whole-output -t) is caught by its own stream's duration.
    expect(checkOutput(planned, cut).map((f) => f.check)).toEqual(['frame-count', 'duration']);
  });
});
