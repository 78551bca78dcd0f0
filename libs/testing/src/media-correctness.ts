import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, type TestAPI } from 'vitest';
import { nodeFs } from './node-file-system.js';
import {
  EncodeMedia,
  isEncodeError,
  parseProfile,
  ProfileCatalog,
  silentLogger,
  type ColourBaker,
  type EncodeMediaResult,
  type EncodeProfile,
  type Encoder,
  type FileSystem,
  type Hasher,
  type MediaProbe,
  type SourceSettings,
} from '@ftrack-encode/core';
import {
  builtinReference,
  correctnessFixtures,
  lavfi,
  LINEAR_PATCHES,
  LOG_PATCHES,
  makeLinearExr,
  makeLogDpx,
  makeYuvPatches,
  oiioDisplayReference,
  patchGraph,
  patchRegion,
  runFfmpegForFixture as ffmpeg,
  VIDEO_PATCHES,
  writeOcioConfig,
} from './correctness-sources.js';
import {
  combing,
  decodeAudio,
  firstSoundSeconds,
  maxChannelError,
  meanOf,
  decodeRgb,
  parseRate,
  probeMedia,
  rms,
  ssimOfFrames,
  toneHz,
  videoStream,
  type DecodeAs,
} from './media-measure.js';

export interface CorrectnessSubject {
  encoder: Encoder;
  probe: MediaProbe;
  /** The host's OCIO baker; without it the OCIO cases are not run. */
  baker?: ColourBaker;
  cleanup?: () => Promise<void>;
}

/** What this backend is expected to get right (keyv style: capabilities are flags). */
export interface CorrectnessCapabilities {
  /** Display-referred video colour (matrices, ranges, bit depths). */
  videoColour: boolean;
  /** EXR/DPX sources and the built-in display transforms. */
  sceneReferred: boolean;
  /** OCIO display transforms (baked LUT applied by this backend). */
  ocio: boolean;
  /** Rates, VFR, start offsets, rotation, interlace, timecode. */
  timing: boolean;
  /** Channel layouts, several tracks, resampling. */
  audio: boolean;
  /** EXR multi-part, data window, layers, compressions, sequence header rates. */
  exrDetails: boolean;
  /** The probe measures audio levels: silent tracks are left out. */
  silence: boolean;
}

/** Colour tolerance: |error| ≤ 3/255 per channel on grey ramps and colour patches. */
const TOLERANCE = 3;

const LEAN: EncodeProfile = parseProfile(
  {
    name: 'correctness',
    outputs: [
      {
        name: 'ftrackreview-mp4',
        kind: 'video',
        codec: 'h264',
        container: 'mp4',
        crf: 12,
        preset: 'veryfast',
        keyframeInterval: 12,
        size: { maxWidth: 1280, maxHeight: 720 },
        audio: { codec: 'aac', bitrate: '128k' },
      },
      { name: 'thumbnail', kind: 'image', codec: 'mjpeg', container: 'jpg', frame: 'middle', quality: 2, size: { maxWidth: 1280, maxHeight: 720 } },
    ],
  },
  'correctness',
);

const nodeHasher: Hasher = {
  async hashFile(path, algorithm = 'sha256') {
    const hash = createHash(algorithm);
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    return { algorithm, hex: hash.digest('hex') };
  },
  async hashFiles(paths, algorithm = 'sha256') {
    const hash = createHash(algorithm);
    for (const path of paths) for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    return { algorithm, hex: hash.digest('hex') };
  },
};

type Patch = readonly number[];

/**
 * The media-correctness suite: sources made with lavfi and oiiotool, reviews judged like a
 * colourist (mean RGB of regions against formula/oiiotool references, ≤ 3/255) and an editor
 * (decoded frame counts, exact rates, durations, orientation, audio channels/rate/alignment).
 */
export function describeMediaCorrectness(test: TestAPI, make: () => Promise<CorrectnessSubject>, caps: CorrectnessCapabilities): void {
  const fixtures = correctnessFixtures();
  let subject: CorrectnessSubject;
  const dirs: string[] = [];
  let scratch: string;

  async function encode(input: string, settings: SourceSettings = {}, profile: EncodeProfile = LEAN): Promise<EncodeMediaResult & { outputDir: string }> {
    const outputDir = await mkdtemp(join(scratch, 'out-'));
    const use = new EncodeMedia(subject.encoder, subject.probe, nodeHasher, nodeFs, silentLogger, settings, subject.baker);
    const result = await use.run(input, profile, { outputDir, gapPolicy: 'error' });
    return { ...result, outputDir };
  }

  function output(result: EncodeMediaResult, name: string): string {
    const o = result.outputs.find((x) => x.name === name);
    if (!o) throw new Error(`no output ${name}`);
    return o.path;
  }

  /** Every patch of `refs` in `path` within TOLERANCE of its reference. */
  async function expectPatches(path: string, refs: readonly Patch[], as: DecodeAs, label: string, tolerance = TOLERANCE): Promise<number> {
    const frame = await decodeRgb(path, as);
    let worst = 0;
    refs.forEach((ref, i) => {
      const got = meanOf(frame, patchRegion(i, refs.length, frame.width, frame.height));
      const error = maxChannelError(got, ref);
      worst = Math.max(worst, error);
      expect(
        error,
        `${label} patch ${i}: got ${got.map((v) => v.toFixed(1)).join('/')} expected ${ref.map((v) => v.toFixed(1)).join('/')}`,
      ).toBeLessThanOrEqual(tolerance);
    });
    return worst;
  }

  const VIDEO = { matrix: 'bt709', range: 'tv' } as const;
  const JFIF = { matrix: 'bt601', range: 'pc' } as const;

  describe('Media correctness', () => {
    beforeAll(async () => {
      subject = await make();
      scratch = await mkdtemp(join(tmpdir(), 'media-correctness-'));
      dirs.push(scratch);
    });
    afterAll(async () => {
      await subject?.cleanup?.();
      await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
    });

    if (caps.sceneReferred) {
      test('linear EXR (half), ftrack-review profile: 0.18 grey shows near 118/255, the ramp 63/187/243, colours within 3/255 in mp4, webm and thumbnail', async () => {
        const pattern = await fixtures.sequence('linear-half', (p) => makeLinearExr(p, { width: 448, height: 96, depth: 'half' }), 'exr', 6);
        const profile = new ProfileCatalog([]).get('ftrack-review');
        const result = await encode(pattern, { frameRate: '24' }, profile);
        const refs = LINEAR_PATCHES.map((p) => builtinReference('linear-to-srgb', p));
        expect(refs[1]![0]).toBeCloseTo(117.7, 0);
        expect(result.plan.colour?.transform).toMatchObject({ method: 'builtin', display: 'srgb', builtin: 'linear-to-srgb' });
        expect(result.plan.colour?.input).toMatchObject({ space: 'scene-linear', from: 'rule' });
        await expectPatches(output(result, 'ftrackreview-mp4'), refs, VIDEO, 'mp4');
        await expectPatches(output(result, 'ftrackreview-webm'), refs, VIDEO, 'webm');
        await expectPatches(output(result, 'thumbnail'), refs, JFIF, 'thumbnail');
        for (const name of ['ftrackreview-mp4', 'ftrackreview-webm']) {
          const v = videoStream(await probeMedia(output(result, name)));
          expect({ space: v.color_space, primaries: v.color_primaries, transfer: v.color_transfer, range: v.color_range }, name).toEqual({
            space: 'bt709',
            primaries: 'bt709',
            transfer: 'bt709',
            range: 'tv',
          });
        }
      });

      test("linear EXR (float) with the built-in BT.1886 display named by the profile's colour block", async () => {
        const pattern = await fixtures.sequence('linear-float', (p) => makeLinearExr(p, { width: 448, height: 96, depth: 'float' }), 'exr', 4);
        const rec709 = parseProfile({ ...LEAN, name: 'client-rec709', colour: { display: 'bt1886' } }, 'client-rec709');
        const result = await encode(pattern, {}, rec709);
        expect(result.plan.colour?.transform.builtin).toBe('linear-to-bt1886');
        // A flag (or config) beats the profile.
        expect((await encode(pattern, { display: 'srgb' }, rec709)).plan.colour?.transform.builtin).toBe('linear-to-srgb');
        await expectPatches(
          output(result, 'ftrackreview-mp4'),
          LINEAR_PATCHES.map((p) => builtinReference('linear-to-bt1886', p)),
          VIDEO,
          'mp4',
        );
      });

      test('per-output colour: an sRGB review mp4 and a Rec.709 (BT.1886) delivery mov from one EXR in one decode, each within 3/255 of its formula', async () => {
        const pattern = await fixtures.sequence('linear-float', (p) => makeLinearExr(p, { width: 448, height: 96, depth: 'float' }), 'exr', 4);
        const [review] = LEAN.outputs;
        const profile = parseProfile(
          {
            ...LEAN,
            name: 'review-and-delivery',
            outputs: [review, { ...review, name: 'delivery', container: 'mov', colour: { display: 'bt1886' } }],
          },
          'review-and-delivery',
        );
        const result = await encode(pattern, {}, profile);
        expect(result.commands).toHaveLength(1);
        await expectPatches(
          output(result, 'ftrackreview-mp4'),
          LINEAR_PATCHES.map((p) => builtinReference('linear-to-srgb', p)),
          VIDEO,
          'sRGB review mp4',
        );
        await expectPatches(
          output(result, 'delivery'),
          LINEAR_PATCHES.map((p) => builtinReference('linear-to-bt1886', p)),
          VIDEO,
          'Rec.709 delivery mov',
        );
        const notes = (name: string) => result.outputs.find((o) => o.name === name)!.notes;
        expect(notes('ftrackreview-mp4')).toMatchObject({ colour_display: 'srgb', colour_method: 'builtin linear-to-srgb' });
        expect(notes('delivery')).toMatchObject({ colour_display: 'bt1886', colour_method: 'builtin linear-to-bt1886' });
      });

      test('Cineon log DPX plate: shown through the built-in log -> sRGB transform', async () => {
        const pattern = await fixtures.sequence('log-dpx', (p) => makeLogDpx(p, { width: 320, height: 96 }), 'dpx', 4);
        const result = await encode(pattern);
        expect(result.plan.colour?.input).toMatchObject({ space: 'cineon-log', from: 'tags' });
        await expectPatches(
          output(result, 'ftrackreview-mp4'),
          LOG_PATCHES.map((p) => builtinReference('cineon-to-srgb', p)),
          VIDEO,
          'mp4',
        );
      });
    }

    if (caps.ocio) {
      test('OCIO config with an ACES-style view: ACEScg EXR matches oiiotool --ociodisplay with the same config within 3/255', async () => {
        if (!subject.baker) throw new Error('the OCIO capability needs a ColourBaker');
        const config = await writeOcioConfig(join(scratch, 'ocio'));
        const pattern = await fixtures.sequence('acescg', (p) => makeLinearExr(p, { width: 448, height: 96, depth: 'half' }), 'exr', 4);
        const refPng = join(scratch, 'aces-ref.png');
        await oiioDisplayReference(pattern.replace('%04d', '1001'), config, 'ACEScg', 'sRGB', 'ACES 1.0 - SDR Video', refPng);
        const refFrame = await decodeRgb(refPng, { matrix: 'bt709', range: 'pc' });
        const refs = LINEAR_PATCHES.map((_, i) => meanOf(refFrame, patchRegion(i, LINEAR_PATCHES.length, refFrame.width, refFrame.height)));
        const result = await encode(pattern, { ocioConfig: config, inputColourspace: 'ACEScg', display: 'sRGB', view: 'ACES 1.0 - SDR Video' });
        expect(result.plan.colour?.transform).toMatchObject({
          method: 'ocio',
          display: 'sRGB',
          view: 'ACES 1.0 - SDR Video',
          ocio: { inputSpace: 'ACEScg', shaperSpace: 'ACEScct' },
        });
        await expectPatches(output(result, 'ftrackreview-mp4'), refs, VIDEO, 'mp4 vs oiiotool');
        await expectPatches(output(result, 'thumbnail'), refs, JFIF, 'thumbnail vs oiiotool');
        // Baked once: the same request reuses the cached LUT.
        const again = await encode(pattern, { ocioConfig: config, inputColourspace: 'ACEScg', display: 'sRGB', view: 'ACES 1.0 - SDR Video' });
        expect(again.plan.colour?.transform.lut).toEqual(result.plan.colour?.transform.lut);
        // With no colourspace named, an EXR is the config's scene_linear role (ACEScg here), on its default display/view.
        const byRole = await encode(pattern, { ocioConfig: config });
        expect(byRole.plan.colour?.transform).toMatchObject({ display: 'sRGB', view: 'ACES 1.0 - SDR Video', ocio: { inputSpace: 'scene_linear' } });
        await expectPatches(output(byRole, 'ftrackreview-mp4'), refs, VIDEO, 'mp4 by role');
      });

      test('per-output OCIO displays: the ACES view on an sRGB review mp4 and on a Rec.1886 delivery mov, each matching oiiotool with the same config', async () => {
        const config = await writeOcioConfig(join(scratch, 'ocio-displays'));
        const pattern = await fixtures.sequence('acescg', (p) => makeLinearExr(p, { width: 448, height: 96, depth: 'half' }), 'exr', 4);
        const reference = async (display: string) => {
          const png = join(scratch, `display-${display}.png`);
          await oiioDisplayReference(pattern.replace('%04d', '1001'), config, 'ACEScg', display, 'ACES 1.0 - SDR Video', png);
          const frame = await decodeRgb(png, { matrix: 'bt709', range: 'pc' });
          return LINEAR_PATCHES.map((_, i) => meanOf(frame, patchRegion(i, LINEAR_PATCHES.length, frame.width, frame.height)));
        };
        const [review] = LEAN.outputs;
        // The delivery names only its display: the view comes from the profile's block.
        const profile = parseProfile({
          ...LEAN,
          name: 'two-displays',
          colour: { display: 'sRGB', view: 'ACES 1.0 - SDR Video' },
          outputs: [review, { ...review, name: 'delivery', container: 'mov', colour: { display: 'Rec.1886' } }],
        });
        const result = await encode(pattern, { ocioConfig: config, inputColourspace: 'ACEScg' }, profile);
        const delivery = result.plan.outputs.find((o) => o.name === 'delivery')!.colour;
        expect(delivery?.transform).toMatchObject({ method: 'ocio', display: 'Rec.1886', view: 'ACES 1.0 - SDR Video' });
        expect(delivery?.transform.lut?.hash).not.toBe(result.plan.colour?.transform.lut?.hash);
        await expectPatches(output(result, 'ftrackreview-mp4'), await reference('sRGB'), VIDEO, 'sRGB review mp4 vs oiiotool');
        await expectPatches(output(result, 'delivery'), await reference('Rec.1886'), VIDEO, 'Rec.1886 delivery mov vs oiiotool');
        expect(result.outputs.find((o) => o.name === 'delivery')!.notes).toMatchObject({
          colour_display: 'Rec.1886',
          colour_view: 'ACES 1.0 - SDR Video',
          colour_lut_hash: delivery!.transform.lut!.hash,
        });
      });

      test('bad colour names and configs: E_PROFILE_INVALID / E_CONFIG_INVALID listing the valid names, nothing written', async () => {
        const config = await writeOcioConfig(join(scratch, 'ocio-bad'));
        const pattern = await fixtures.sequence('acescg', (p) => makeLinearExr(p, { width: 448, height: 96, depth: 'half' }), 'exr', 4);
        const cases: [SourceSettings, string, string][] = [
          [{ ocioConfig: config, inputColourspace: 'ACEScgg' }, 'E_PROFILE_INVALID', '"ACEScg"'],
          [{ ocioConfig: config, display: 'P3' }, 'E_PROFILE_INVALID', '"sRGB"'],
          [{ ocioConfig: config, view: 'Filmic' }, 'E_PROFILE_INVALID', '"ACES 1.0 - SDR Video"'],
          [{ ocioConfig: join(scratch, 'no-such-config.ocio') }, 'E_CONFIG_INVALID', 'no-such-config.ocio'],
          [{ inputColourspace: 'ACEScg' }, 'E_PROFILE_INVALID', '"scene-linear"'],
          [{ display: 'P3' }, 'E_PROFILE_INVALID', '"bt1886"'],
          [{ layer: 'nope' }, 'E_PROFILE_INVALID', 'nope'],
        ];
        for (const [settings, code, listed] of cases) {
          const outputDir = await mkdtemp(join(scratch, 'bad-'));
          const use = new EncodeMedia(subject.encoder, subject.probe, nodeHasher, nodeFs, silentLogger, settings, subject.baker);
          const error = await use.run(pattern, LEAN, { outputDir }).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(isEncodeError(error), `${JSON.stringify(settings)}: ${String(error)}`).toBe(true);
          expect((error as { code: string }).code, JSON.stringify(settings)).toBe(code);
          expect((error as Error).message).toContain(listed);
          expect(await readdir(outputDir)).toEqual([]);
        }
        // The same names in one output's colour block: the error names the output too.
        const [review] = LEAN.outputs;
        const profiles: [SourceSettings, EncodeProfile['outputs'][number]['colour'], string][] = [
          [{ ocioConfig: config }, { view: 'Filmic' }, '"ACES 1.0 - SDR Video"'],
          [{}, { display: 'P3' }, '"bt1886"'],
        ];
        for (const [settings, colour, listed] of profiles) {
          const outputDir = await mkdtemp(join(scratch, 'bad-output-'));
          const profile = parseProfile({ ...LEAN, name: 'bad-output-colour', outputs: [...LEAN.outputs, { ...review, name: 'delivery', colour }] });
          const use = new EncodeMedia(subject.encoder, subject.probe, nodeHasher, nodeFs, silentLogger, settings, subject.baker);
          const error = await use.run(pattern, profile, { outputDir }).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(isEncodeError(error, 'E_PROFILE_INVALID'), `${JSON.stringify(colour)}: ${String(error)}`).toBe(true);
          expect((error as Error).message).toMatch(/^Output "delivery": /);
          expect((error as Error).message).toContain(listed);
          expect(await readdir(outputDir)).toEqual([]);
        }
      });
    }

    if (caps.videoColour) {
      const cases: [string, Parameters<typeof makeYuvPatches>[1]][] = [
        ['tagged BT.709', { width: 640, height: 360, matrix: 'bt709', range: 'tv', tagged: true }],
        ['tagged BT.601 SD', { width: 720, height: 480, matrix: 'bt601', range: 'tv', tagged: true }],
        ['untagged HD (read as BT.709)', { width: 1280, height: 720, matrix: 'bt709', range: 'tv', tagged: false, frames: 6 }],
        ['untagged SD (read as BT.601)', { width: 720, height: 576, matrix: 'bt601', range: 'tv', tagged: false, frames: 6 }],
        ['full range BT.709', { width: 640, height: 360, matrix: 'bt709', range: 'pc', tagged: true }],
        ['10-bit 4:2:2 ProRes', { width: 640, height: 360, matrix: 'bt709', range: 'tv', tagged: true, tenBit: true }],
      ];
      for (const [label, spec] of cases) {
        test(`${label}: review mp4 (BT.709) and JFIF thumbnail show the source patches within 3/255`, async () => {
          const source = await fixtures.file(`yuv-${label}`, (p) => makeYuvPatches(p, spec), spec.tenBit ? 'mov' : 'mp4');
          const result = await encode(source);
          expect(result.plan.colour?.transform.method).toBe('none');
          expect(result.plan.colour?.input.matrix).toBe(spec.matrix);
          await expectPatches(output(result, 'ftrackreview-mp4'), VIDEO_PATCHES, VIDEO, 'mp4');
          await expectPatches(output(result, 'thumbnail'), VIDEO_PATCHES, JFIF, 'thumbnail');
        });
      }
    }

    if (caps.videoColour) {
      test('BT.2020 SDR (10-bit, tagged): primaries, matrix and transfer converted; the review shows the BT.709 patches within 3/255', async () => {
        // The BT.709 patches re-expressed in BT.2020 (same colours, other numbers): a review that only swapped matrices would be off.
        const source = await fixtures.file(
          'bt2020-patches',
          (p) =>
            ffmpeg([
              ...lavfi(`${patchGraph(VIDEO_PATCHES, 720, 120, '24')},scale=out_color_matrix=bt709:out_range=tv,format=yuv420p10le`),
              '-vf',
              'setparams=colorspace=bt709:color_primaries=bt709:color_trc=bt709:range=tv,colorspace=all=bt2020:iall=bt709',
              '-frames:v',
              '6',
              '-c:v',
              'libx264',
              '-qp',
              '0',
              '-preset',
              'ultrafast',
              '-pix_fmt',
              'yuv420p10le',
              '-colorspace',
              'bt2020nc',
              '-color_primaries',
              'bt2020',
              '-color_trc',
              'bt2020-10',
              '-color_range',
              'tv',
              p,
            ]),
          'mp4',
        );
        const result = await encode(source);
        expect(result.plan.colour?.input).toMatchObject({ space: 'bt2020', from: 'tags', matrix: 'bt2020' });
        const direct = await decodeRgb(source, VIDEO);
        // Read as plain BT.709 (as before this change) the saturated patches are visibly off.
        expect(maxChannelError(meanOf(direct, patchRegion(5, VIDEO_PATCHES.length, direct.width, direct.height)), VIDEO_PATCHES[5]!)).toBeGreaterThan(10);
        await expectPatches(output(result, 'ftrackreview-mp4'), VIDEO_PATCHES, VIDEO, 'mp4');
        await expectPatches(output(result, 'thumbnail'), VIDEO_PATCHES, JFIF, 'thumbnail');
      });
    }

    if (caps.timing) {
      for (const rate of ['24000/1001', '24', '25', '30000/1001', '50', '60000/1001']) {
        test(`${rate} fps movie: every frame, the exact rate, the duration`, async () => {
          const frames = Math.round(parseRate(rate).num / parseRate(rate).den);
          const source = await fixtures.file(
            `rate-${rate.replace('/', '_')}`,
            (p) =>
              ffmpeg([
                ...lavfi(`testsrc2=size=320x180:rate=${rate}`, 'sine=sample_rate=48000:duration=5'),
                '-frames:v',
                String(frames),
                '-shortest',
                '-c:v',
                'libx264',
                '-preset',
                'ultrafast',
                '-c:a',
                'aac',
                p,
              ]),
            'mp4',
          );
          const result = await encode(source);
          const v = videoStream(await probeMedia(output(result, 'ftrackreview-mp4')));
          expect(Number(v.nb_read_frames)).toBe(frames);
          expect(v.r_frame_rate).toBe(rate.includes('/') ? rate : `${rate}/1`);
          const { num, den } = parseRate(rate);
          expect(Number(v.duration)).toBeCloseTo((frames * den) / num, 2);
          expect(await ssimOfFrames(source, frames - 1, output(result, 'ftrackreview-mp4'), frames - 1)).toBeGreaterThan(0.95);
        });
      }

      test('variable frame rate (24 and 30 fps parts): conformed to a constant rate, reported, count checked', async () => {
        const source = await fixtures.file(
          'vfr',
          (p) =>
            ffmpeg([
              ...lavfi('testsrc2=size=320x180:rate=24:duration=1', 'testsrc2=size=320x180:rate=30:duration=1'),
              '-filter_complex',
              '[0][1]concat=n=2:v=1',
              '-fps_mode',
              'vfr',
              '-c:v',
              'libx264',
              '-preset',
              'ultrafast',
              p,
            ]),
          'mp4',
        );
        const result = await encode(source);
        expect(result.plan.info.variableFrameRate).toBe(true);
        expect(result.plan.warnings?.join(' ')).toMatch(/Variable frame rate source: conformed to 30000\/1001/);
        const v = videoStream(await probeMedia(output(result, 'ftrackreview-mp4')));
        expect(v.r_frame_rate).toBe('30000/1001');
        expect(v.avg_frame_rate).toBe('30000/1001');
        expect(Number(v.nb_read_frames)).toBe(result.plan.outputs[0]!.frameCount);
        expect(Number(v.duration)).toBeCloseTo(1.967, 1);
      });

      test('video that starts 0.5 s after its audio keeps all 48 frames; the audio is cut to the first frame and stays in sync', async () => {
        const source = await fixtures.file(
          'late-video',
          (p) =>
            ffmpeg([
              ...lavfi('testsrc2=size=320x180:rate=24:duration=2', 'aevalsrc=if(gt(t\\,1.0)\\,0.5*sin(2*PI*440*t)\\,0):s=48000:d=2.5'),
              '-filter_complex',
              '[0:v]setpts=PTS+0.5/TB[v]',
              '-map',
              '[v]',
              '-map',
              '1:a',
              '-c:v',
              'libx264',
              '-preset',
              'ultrafast',
              '-fps_mode',
              'passthrough',
              '-c:a',
              'aac',
              p,
            ]),
          'mp4',
        );
        const result = await encode(source);
        const mp4 = output(result, 'ftrackreview-mp4');
        const probed = await probeMedia(mp4);
        expect(Number(videoStream(probed).nb_read_frames)).toBe(48);
        const audio = await decodeAudio(mp4);
        expect(audio.channels).toBe(2);
        expect(audio.samples.length / 2 / audio.rate).toBeCloseTo(2, 1);
        // The tone starts 1.0 s into the audio = 0.5 s into the picture.
        expect(firstSoundSeconds(audio)).toBeCloseTo(0.5, 1);
        expect(Math.abs(firstSoundSeconds(audio) - 0.5)).toBeLessThan(0.03);
      });

      test('video that starts 0.5 s before its audio: the audio is delayed with silence, in sync, as long as the picture', async () => {
        const source = await fixtures.file(
          'early-video',
          (p) =>
            ffmpeg([
              ...lavfi('testsrc2=size=320x180:rate=24:duration=2.5'),
              '-itsoffset',
              '0.5',
              ...lavfi('aevalsrc=if(gt(t\\,0.5)\\,0.5*sin(2*PI*440*t)\\,0):s=48000:d=2'),
              '-map',
              '0:v',
              '-map',
              '1:a',
              '-c:v',
              'libx264',
              '-preset',
              'ultrafast',
              '-c:a',
              'aac',
              p,
            ]),
          'mp4',
        );
        const info = await subject.probe.probe({ kind: 'file', path: source });
        expect(info.audio[0]!.start! - (info.videoStart ?? 0)).toBeCloseTo(0.5, 1);
        const result = await encode(source);
        const mp4 = output(result, 'ftrackreview-mp4');
        expect(Number(videoStream(await probeMedia(mp4)).nb_read_frames)).toBe(60);
        const audio = await decodeAudio(mp4);
        expect(Math.abs(firstSoundSeconds(audio) - 1.0)).toBeLessThan(0.03);
        expect(audio.samples.length / 2 / audio.rate).toBeCloseTo(2.5, 1);
      });

      for (const [tag, expected] of [
        ['90', { w: 180, h: 320, top: 'blue' }],
        ['180', { w: 320, h: 180, left: 'blue' }],
        ['270', { w: 180, h: 320, top: 'red' }],
      ] as const) {
        test(`display matrix rotate=${tag}: a portrait/turned review and thumbnail, oriented as players show it`, async () => {
          const plain = await fixtures.file(
            'left-red-right-blue',
            (p) =>
              ffmpeg([
                ...lavfi(
                  patchGraph(
                    [
                      [220, 30, 30],
                      [30, 30, 220],
                    ],
                    320,
                    180,
                    '24',
                  ),
                ),
                '-frames:v',
                '12',
                '-vf',
                'scale=out_color_matrix=bt709:out_range=tv,format=yuv420p',
                '-colorspace',
                'bt709',
                '-c:v',
                'libx264',
                '-preset',
                'ultrafast',
                p,
              ]),
            'mp4',
          );
          const source = await fixtures.file(`rotate-${tag}`, (p) => ffmpeg(['-i', plain, '-c', 'copy', '-metadata:s:v:0', `rotate=${tag}`, p]), 'mp4');
          const result = await encode(source);
          for (const name of ['ftrackreview-mp4', 'thumbnail']) {
            const frame = await decodeRgb(output(result, name), name === 'thumbnail' ? JFIF : VIDEO);
            expect([frame.width, frame.height], name).toEqual([expected.w, expected.h]);
            const blue = (c: number[]) => c[2]! > 150 && c[0]! < 80;
            const red = (c: number[]) => c[0]! > 150 && c[2]! < 80;
            if ('top' in expected) {
              const top = meanOf(frame, { x: 10, y: 10, w: frame.width - 20, h: 40 });
              expect(expected.top === 'blue' ? blue(top) : red(top), `${name} top ${top}`).toBe(true);
            } else {
              const left = meanOf(frame, { x: 10, y: 10, w: 40, h: frame.height - 20 });
              expect(blue(left), `${name} left ${left}`).toBe(true);
            }
          }
        });
      }

      for (const order of ['tff', 'bff'] as const) {
        test(`interlaced ${order} source is deinterlaced (bwdif) at its frame rate: no combing, the first field's moment`, async () => {
          // A white bar crossing at 600 px/s, 50p: fields 1/50 s apart differ by 12 px.
          const progressive = await fixtures.file(
            'moving-bar-50p',
            (p) =>
              ffmpeg([
                ...lavfi("color=white:s=40x180:r=50[bar];color=black:s=320x180:r=50[bg];[bg][bar]overlay=x='mod(t*600\\,280)':y=0,format=yuv420p"),
                '-frames:v',
                '50',
                '-c:v',
                'libx264',
                '-qp',
                '0',
                '-preset',
                'ultrafast',
                p,
              ]),
            'mp4',
          );
          const mode = order === 'tff' ? 'interleave_top' : 'interleave_bottom';
          const source = await fixtures.file(
            `interlaced-${order}`,
            (p) =>
              ffmpeg([
                '-i',
                progressive,
                '-vf',
                `tinterlace=mode=${mode},setfield=${order}`,
                '-c:v',
                'libx264',
                '-qp',
                '0',
                '-preset',
                'ultrafast',
                '-flags',
                '+ilme+ildct',
                '-x264opts',
                `${order}=1`,
                p,
              ]),
            'mp4',
          );
          const info = await subject.probe.probe({ kind: 'file', path: source });
          expect(info.fieldOrder).toBe(order === 'tff' ? 'tt' : 'bb');
          const result = await encode(source);
          const mp4 = output(result, 'ftrackreview-mp4');
          const v = videoStream(await probeMedia(mp4));
          expect([Number(v.nb_read_frames), v.r_frame_rate]).toEqual([25, '25/1']);
          const woven = combing(await decodeRgb(source, { frame: 10 }));
          const review = combing(await decodeRgb(mp4, { frame: 10 }));
          const original = combing(await decodeRgb(progressive, { frame: 20 }));
          expect(woven, 'the source is really combed').toBeGreaterThan(4 * original + 1);
          expect(review, `review ${review.toFixed(2)} vs woven ${woven.toFixed(2)} vs progressive ${original.toFixed(2)}`).toBeLessThan(woven / 3);
          // Frame 10 shows the first field's moment: frame 20 of the 50p original.
          expect(await ssimOfFrames(progressive, 20, mp4, 10)).toBeGreaterThan(await ssimOfFrames(progressive, 21, mp4, 10));
        });
      }

      test('timecode of the source is carried into the mp4', async () => {
        const source = await fixtures.file(
          'timecode',
          (p) =>
            ffmpeg([
              ...lavfi('testsrc2=size=320x180:rate=24'),
              '-frames:v',
              '12',
              '-c:v',
              'libx264',
              '-preset',
              'ultrafast',
              '-timecode',
              '01:00:10:05',
              '-f',
              'mov',
              p,
            ]),
          'mov',
        );
        const result = await encode(source);
        expect(result.plan.info.timecode).toBe('01:00:10:05');
        const probed = await probeMedia(output(result, 'ftrackreview-mp4'));
        const tags = [probed.format.tags?.['timecode'], ...probed.streams.map((s) => s.tags?.['timecode'])];
        expect(tags).toContain('01:00:10:05');
      });
    }

    if (caps.audio) {
      test('mono source: stereo 48 kHz with the mono on both sides, in the mp4 and the webm', async () => {
        const source = await fixtures.file(
          'mono',
          (p) =>
            ffmpeg([
              ...lavfi('testsrc2=size=320x180:rate=24', 'sine=f=440:sample_rate=48000:duration=1'),
              '-frames:v',
              '24',
              '-c:v',
              'libx264',
              '-preset',
              'ultrafast',
              '-c:a',
              'aac',
              '-ac',
              '1',
              p,
            ]),
          'mp4',
        );
        const result = await encode(source, {}, new ProfileCatalog([]).get('ftrack-review'));
        const audio = await decodeAudio(output(result, 'ftrackreview-mp4'));
        expect([audio.channels, audio.rate]).toEqual([2, 48000]);
        expect(rms(audio, 0)).toBeGreaterThan(0.05);
        expect(rms(audio, 1)).toBeCloseTo(rms(audio, 0), 2);
        // WebM: Opus (Vorbis where the backend declares an Opus fallback), stereo 48 kHz too.
        const webm = await decodeAudio(output(result, 'ftrackreview-webm'));
        expect([webm.channels, webm.rate]).toEqual([2, 48000]);
        expect(rms(webm, 1)).toBeCloseTo(rms(webm, 0), 2);
      });

      test('5.1 source: downmixed to stereo', async () => {
        const source = await fixtures.file(
          'surround',
          (p) =>
            ffmpeg([
              ...lavfi('testsrc2=size=320x180:rate=24', 'sine=f=440:sample_rate=48000:duration=1'),
              '-filter_complex',
              '[1:a]pan=5.1|c0=c0|c1=c0|c2=c0|c3=c0|c4=c0|c5=c0[a]',
              '-map',
              '0:v',
              '-map',
              '[a]',
              '-frames:v',
              '24',
              '-c:v',
              'libx264',
              '-preset',
              'ultrafast',
              '-c:a',
              'aac',
              p,
            ]),
          'mp4',
        );
        const audio = await decodeAudio(output(await encode(source), 'ftrackreview-mp4'));
        expect([audio.channels, audio.rate]).toEqual([2, 48000]);
        expect(rms(audio, 0)).toBeGreaterThan(0.05);
      });

      test('two mono tracks (ProRes with 440 Hz and 880 Hz): one stereo track, left 440 and right 880; --audio-tracks 2 keeps only 880', async () => {
        const source = await fixtures.file(
          'two-mono',
          (p) =>
            ffmpeg([
              ...lavfi('testsrc2=size=320x180:rate=24', 'sine=f=440:sample_rate=48000:duration=1', 'sine=f=880:sample_rate=48000:duration=1'),
              '-map',
              '0:v',
              '-map',
              '1:a',
              '-map',
              '2:a',
              '-frames:v',
              '24',
              '-c:v',
              'prores_ks',
              '-c:a',
              'pcm_s24le',
              '-f',
              'mov',
              p,
            ]),
          'mov',
        );
        const both = await decodeAudio(output(await encode(source), 'ftrackreview-mp4'));
        expect(both.channels).toBe(2);
        expect(toneHz(both, 0)).toBeCloseTo(440, -1);
        expect(toneHz(both, 1)).toBeCloseTo(880, -1);
        const second = await decodeAudio(output(await encode(source, { audioTracks: [2] }), 'ftrackreview-mp4'));
        expect(toneHz(second, 0)).toBeCloseTo(880, -1);
        expect(toneHz(second, 1)).toBeCloseTo(880, -1);
      });

      test('96 kHz audio is resampled to 48 kHz; a source without audio gets no audio track', async () => {
        const source = await fixtures.file(
          'hz96',
          (p) =>
            ffmpeg([
              ...lavfi('testsrc2=size=320x180:rate=24', 'sine=f=440:sample_rate=96000:duration=1'),
              '-frames:v',
              '24',
              '-c:v',
              'libx264',
              '-preset',
              'ultrafast',
              '-c:a',
              'pcm_s24le',
              '-f',
              'mov',
              p,
            ]),
          'mov',
        );
        const audio = await decodeAudio(output(await encode(source), 'ftrackreview-mp4'));
        expect([audio.channels, audio.rate]).toEqual([2, 48000]);
        expect(toneHz(audio, 0)).toBeCloseTo(440, -1);
        const silent = await fixtures.file(
          'no-audio',
          (p) => ffmpeg([...lavfi('testsrc2=size=320x180:rate=24'), '-frames:v', '12', '-c:v', 'libx264', '-preset', 'ultrafast', p]),
          'mp4',
        );
        const probed = await probeMedia(output(await encode(silent), 'ftrackreview-mp4'));
        expect(probed.streams.filter((s) => s.codec_type === 'audio')).toEqual([]);
      });
    }

    if (caps.silence) {
      test('a silent track is left out (and said so); a source whose only track is silent gets no audio track', async () => {
        const source = await fixtures.file(
          'silent-and-tone',
          (p) =>
            ffmpeg([
              ...lavfi('testsrc2=size=320x180:rate=24', 'anullsrc=r=48000:cl=stereo', 'sine=f=440:sample_rate=48000:duration=1'),
              '-map',
              '0:v',
              '-map',
              '1:a',
              '-map',
              '2:a',
              '-frames:v',
              '24',
              '-t',
              '1',
              '-c:v',
              'libx264',
              '-preset',
              'ultrafast',
              '-c:a',
              'aac',
              p,
            ]),
          'mp4',
        );
        const result = await encode(source);
        expect(result.plan.audioTracks).toEqual([1]);
        expect(result.plan.warnings?.join(' ')).toContain('Audio track 1 is silent');
        const audio = await decodeAudio(output(result, 'ftrackreview-mp4'));
        expect(audio.channels).toBe(2);
        expect(toneHz(audio, 0)).toBeCloseTo(440, -1);
        expect(toneHz(audio, 1)).toBeCloseTo(440, -1);
        const silentOnly = await fixtures.file(
          'silent-only',
          (p) =>
            ffmpeg([
              ...lavfi('testsrc2=size=320x180:rate=24', 'anullsrc=r=48000:cl=stereo'),
              '-frames:v',
              '24',
              '-t',
              '1',
              '-c:v',
              'libx264',
              '-preset',
              'ultrafast',
              '-c:a',
              'aac',
              p,
            ]),
          'mp4',
        );
        const probed = await probeMedia(output(await encode(silentOnly), 'ftrackreview-mp4'));
        expect(probed.streams.filter((s) => s.codec_type === 'audio')).toEqual([]);
      });
    }

    if (caps.exrDetails) {
      test('sequence rates: the EXR header (25), the DPX header (25), --fps 24000/1001 over the header; frameRate and frame count in the mp4 agree', async () => {
        const exr25 = await fixtures.sequence(
          'exr-fps25',
          (p) => makeLinearExr(p, { width: 224, height: 64, depth: 'half', extra: ['--attrib:type=rational', 'framesPerSecond', '25/1'] }),
          'exr',
          10,
        );
        const fromHeader = await encode(exr25);
        expect(fromHeader.plan.info.frameRateFrom).toBe('header');
        let v = videoStream(await probeMedia(output(fromHeader, 'ftrackreview-mp4')));
        expect([v.r_frame_rate, Number(v.nb_read_frames)]).toEqual(['25/1', 10]);
        expect(Number(v.duration)).toBeCloseTo(0.4, 2);
        const flagged = await encode(exr25, { frameRate: '24000/1001' });
        v = videoStream(await probeMedia(output(flagged, 'ftrackreview-mp4')));
        expect([v.r_frame_rate, Number(v.nb_read_frames)]).toEqual(['24000/1001', 10]);
        const dpx = await fixtures.sequence('dpx-fps25', (p) => makeLogDpx(p, { width: 160, height: 64, frameRate: 25 }), 'dpx', 5);
        v = videoStream(await probeMedia(output(await encode(dpx), 'ftrackreview-mp4')));
        expect(v.r_frame_rate).toBe('25/1');
        const none = await fixtures.sequence('exr-norate', (p) => makeLinearExr(p, { width: 224, height: 64, depth: 'half' }), 'exr', 3);
        const fallback = await encode(none);
        expect(fallback.plan.info.frameRateFrom).toBe('default');
        expect(fallback.plan.warnings?.join(' ')).toContain('24 fps');
        expect(fallback.plan.info.firstFrame).toBe(1001);
      });

      test('EXR multi-part (first part), data window inside a larger display window, a named layer, deep data refused (E_UNSUPPORTED), and PIZ/DWAA/DWAB/ZIP compression', async () => {
        const grey = [[0.18, 0.18, 0.18]] as const;
        const ref118 = builtinReference('linear-to-srgb', [0.18, 0.18, 0.18]);
        const multi = await fixtures.sequence(
          'exr-multipart',
          async (p) => {
            const a = `${p}.a.exr`;
            const b = `${p}.b.exr`;
            await makeLinearExr(a, { width: 128, height: 64, depth: 'half', patches: grey });
            await makeLinearExr(b, { width: 128, height: 64, depth: 'half', patches: [[0.9, 0.9, 0.9]] });
            await execaOiio([a, b, '--siappend', '-o', p]);
            await rm(a);
            await rm(b);
          },
          'exr',
          2,
        );
        const multiInfo = await subject.probe.probe(await subject.probe.locate(multi));
        expect(multiInfo.imageHeader?.parts).toBe(2);
        await expectPatches(output(await encode(multi), 'ftrackreview-mp4'), [ref118], VIDEO, 'multi-part');

        const windowed = await fixtures.sequence(
          'exr-datawindow',
          (p) => makeLinearExr(p, { width: 64, height: 32, depth: 'half', patches: grey, extra: ['--origin', '+32+16', '--fullsize', '128x64+0+0'] }),
          'exr',
          2,
        );
        const windowedResult = await encode(windowed);
        const frame = await decodeRgb(output(windowedResult, 'ftrackreview-mp4'), VIDEO);
        expect([frame.width, frame.height]).toEqual([128, 64]);
        expect(maxChannelError(meanOf(frame, { x: 40, y: 20, w: 48, h: 24 }), ref118)).toBeLessThanOrEqual(TOLERANCE);
        expect(Math.max(...meanOf(frame, { x: 2, y: 2, w: 24, h: 10 }))).toBeLessThan(6);

        const layered = await fixtures.sequence(
          'exr-layers',
          async (p) => {
            const base = `${p}.base.exr`;
            await makeLinearExr(base, { width: 128, height: 64, depth: 'half', patches: [[0.5, 0.5, 0.5]] });
            await execaOiio([base, '--ch', 'R,G,B,diffuse.R=R,diffuse.G=G,diffuse.B=B', '--chnames', 'R,G,B,diffuse.R,diffuse.G,diffuse.B', '-o', p]);
            await rm(base);
          },
          'exr',
          2,
        );
        const layerInfo = await subject.probe.probe(await subject.probe.locate(layered));
        expect(layerInfo.imageHeader?.layers).toEqual(['diffuse']);
        await expectPatches(
          output(await encode(layered, { layer: 'diffuse' }), 'ftrackreview-mp4'),
          [builtinReference('linear-to-srgb', [0.5, 0.5, 0.5])],
          VIDEO,
          'layer',
        );

        // Deep data: refused with the reason before anything runs, nothing written.
        const deep = await fixtures.sequence(
          'exr-deep',
          (p) => execaOiio(['--create', '32x16', '4', '--ch', 'R,G,B,A,Z=0.0', '--deepen', '-d', 'float', '-o', p]),
          'exr',
          2,
        );
        const outputDir = await mkdtemp(join(scratch, 'deep-'));
        const refused = await new EncodeMedia(subject.encoder, subject.probe, nodeHasher, nodeFs, silentLogger, {}, subject.baker)
          .run(deep, LEAN, { outputDir })
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        expect(isEncodeError(refused, 'E_UNSUPPORTED'), String(refused)).toBe(true);
        expect((refused as Error).message).toContain('Deep OpenEXR');
        expect(await readdir(outputDir)).toEqual([]);

        for (const compression of ['piz', 'dwaa', 'dwab', 'zip']) {
          const seq = await fixtures.sequence(
            `exr-${compression}`,
            (p) => makeLinearExr(p, { width: 128, height: 64, depth: 'half', patches: grey, extra: ['--compression', compression] }),
            'exr',
            2,
          );
          const info = await subject.probe.probe(await subject.probe.locate(seq));
          expect(info.imageHeader?.compression).toBe(compression);
          await expectPatches(output(await encode(seq), 'ftrackreview-mp4'), [ref118], VIDEO, compression, compression.startsWith('dwa') ? 4 : TOLERANCE);
        }
      });
    }
  });
}

async function execaOiio(args: string[]): Promise<void> {
  const { execa } = await import('execa');
  await execa('oiiotool', args);
}
