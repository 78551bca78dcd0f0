// Burn-ins through the built CLI: the text lands where asked and nowhere else (pixels compared with
// a burn-in-free encode of the same source), adversarial text survives, the thumbnail stays clean,
// and ftrack tokens (names, task, hierarchical custom attributes) come from ftrack-local.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mediaFixtures } from '@ftrack-encode/testing';
import { buildCli, describeResult, parseJson, runCli, tempDir } from './support/cli.js';
import { componentsOf, ftrackEnv, plainSession, startLocal } from './support/ftrack.js';

const exec = promisify(execFile);
const WIDTH = 320;
const HEIGHT = 180;

/** One decoded frame as RGB bytes. */
async function frameRgb(path: string, frame: number): Promise<Buffer> {
  const { stdout } = await exec(
    'ffmpeg',
    ['-v', 'error', '-i', path, '-vf', `select=eq(n\\,${frame})`, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
    {
      encoding: 'buffer',
      maxBuffer: 1 << 24,
    },
  );
  return stdout as unknown as Buffer;
}

/** Mean absolute difference of two frames inside a box given in fractions of the picture. */
function regionDiff(a: Buffer, b: Buffer, box: { x0: number; y0: number; x1: number; y1: number }, width = WIDTH, height = HEIGHT): number {
  let sum = 0;
  let n = 0;
  for (let y = Math.floor(box.y0 * height); y < Math.floor(box.y1 * height); y++) {
    for (let x = Math.floor(box.x0 * width); x < Math.floor(box.x1 * width); x++) {
      for (let c = 0; c < 3; c++) {
        const i = (y * width + x) * 3 + c;
        sum += Math.abs(a[i]! - b[i]!);
        n++;
      }
    }
  }
  return sum / n;
}

const output = (name: string) => ({
  name,
  kind: 'video',
  codec: 'h264',
  container: 'mp4',
  crf: 16,
  preset: 'veryfast',
  size: { maxWidth: WIDTH, maxHeight: HEIGHT },
  audio: { codec: 'none' },
});
const thumbnail = { name: 'thumbnail', kind: 'image', codec: 'mjpeg', container: 'jpg', size: { maxWidth: WIDTH, maxHeight: HEIGHT } };
const ADVERSARIAL = 'it\'s: "100%" [a], b; c \\ d {shot}';

describe('burn-ins (built CLI)', () => {
  let work: string;
  let config: string;
  let server: Awaited<ReturnType<typeof startLocal>>;
  const fixtures = mediaFixtures();

  beforeAll(async () => {
    buildCli();
    work = await tempDir('burnins');
    server = await startLocal(join(work, 'ftrack'));
    config = join(work, 'burnins.config.json');
    await writeFile(
      config,
      JSON.stringify({
        profiles: [
          { name: 'clean', outputs: [output('review'), thumbnail] },
          {
            name: 'burned',
            outputs: [output('review'), thumbnail],
            burnins: {
              fontSize: 0.07,
              fields: [
                { position: 'top-left', text: ADVERSARIAL },
                { position: 'bottom-right', text: 'f{frame:4} {timecode}' },
              ],
            },
          },
          { name: 'slated', outputs: [output('review'), thumbnail], slate: { frames: 3 } },
          {
            name: 'ftrack-tokens',
            outputs: [output('review')],
            burnins: {
              fields: [{ position: 'top', text: '{project}/{sequence}/{shot} {task} {asset} v{version:03} {shot.custom.fstart}-{shot.custom.fend} {fps}' }],
            },
          },
        ],
      }),
    );
  }, 120_000);
  afterAll(async () => {
    await server?.close();
  });

  const encode = async (profile: string, out: string) => {
    const result = await runCli(['encode', await fixtures.movie24(), '--profile', profile, '--config', config, '--out', out, '--json'], {
      env: { XDG_DATA_HOME: join(work, 'xdg') },
    });
    expect(result.code, describeResult(result)).toBe(0);
    return parseJson<{ outputs: { name: string; path: string }[]; quality: { output: string; ssim: number }[] }>(result);
  };

  it('draws text in the asked corners only, sized to the picture, in the same single encode; the thumbnail stays clean', async () => {
    const [clean, burned] = [await encode('clean', join(work, 'clean')), await encode('burned', join(work, 'burned'))];
    const path = (r: typeof clean, name: string) => r.outputs.find((o) => o.name === name)!.path;
    const [a, b] = await Promise.all([frameRgb(path(clean, 'review'), 12), frameRgb(path(burned, 'review'), 12)]);
    expect(regionDiff(a, b, { x0: 0, y0: 0, x1: 0.5, y1: 0.15 }), 'top-left field').toBeGreaterThan(20);
    expect(regionDiff(a, b, { x0: 0.6, y0: 0.85, x1: 1, y1: 1 }), 'bottom-right field').toBeGreaterThan(20);
    expect(regionDiff(a, b, { x0: 0.2, y0: 0.3, x1: 0.8, y1: 0.7 }), 'the picture between').toBeLessThan(2);
    expect(regionDiff(a, b, { x0: 0, y0: 0.6, x1: 0.4, y1: 0.8 }), 'an empty corner').toBeLessThan(2);
    const [ta, tb] = await Promise.all([frameRgb(path(clean, 'thumbnail'), 0), frameRgb(path(burned, 'thumbnail'), 0)]);
    expect(regionDiff(ta, tb, { x0: 0, y0: 0, x1: 1, y1: 1 }), 'thumbnail').toBeLessThan(1);
    // The gate compares against a reference with the same burn-ins: a burned review still matches.
    expect(burned.quality.find((q) => q.output === 'review')!.ssim).toBeGreaterThan(0.97);
  });

  it('the frame number changes from frame to frame (ffmpeg draws it per frame)', async () => {
    const burned = await encode('burned', join(work, 'burned-frames'));
    const path = burned.outputs.find((o) => o.name === 'review')!.path;
    const [f10, f11] = await Promise.all([frameRgb(path, 10), frameRgb(path, 11)]);
    const clean = await encode('clean', join(work, 'clean-frames'));
    const cleanPath = clean.outputs.find((o) => o.name === 'review')!.path;
    const [c10, c11] = await Promise.all([frameRgb(cleanPath, 10), frameRgb(cleanPath, 11)]);
    // Whatever the picture does there, the burned corner changes more between the frames than the clean one.
    const box = { x0: 0.6, y0: 0.85, x1: 1, y1: 1 };
    expect(regionDiff(f10, f11, box)).toBeGreaterThan(regionDiff(c10, c11, box) + 2);
  });

  it('fills names, task and hierarchical custom attributes from ftrack for a publish', async () => {
    const result = await runCli(
      ['publish', await fixtures.movie24(), '--version', server.seed.versionId, '--profile', 'ftrack-tokens', '--config', config, '--dry-run'],
      { env: { ...ftrackEnv(server), XDG_DATA_HOME: join(work, 'xdg') } },
    );
    expect(result.code, describeResult(result)).toBe(0);
    // fstart inherits from the project (1001), fend is the shot's own (1050).
    expect(result.stdout).toContain('text=demo/sq010/sh010 compositing sh010_comp v001 1001-1050 24:');
  });

  it('a slate: N frames before the picture with the details and the middle frame; the picture follows intact; ftr_meta counts from the first picture frame', async () => {
    const [clean, slated] = [await encode('clean', join(work, 'clean-slate')), await encode('slated', join(work, 'slated'))];
    const path = (r: typeof clean, name: string) => r.outputs.find((o) => o.name === name)!.path;
    const frames = async (file: string) =>
      Number(
        (
          await exec('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', file])
        ).stdout.trim(),
      );
    expect(await frames(path(slated, 'review'))).toBe((await frames(path(clean, 'review'))) + 3);
    const [first, slateFrame, picture] = await Promise.all([
      frameRgb(path(clean, 'review'), 0),
      frameRgb(path(slated, 'review'), 0),
      frameRgb(path(slated, 'review'), 3),
    ]);
    const whole = { x0: 0, y0: 0, x1: 1, y1: 1 };
    expect(regionDiff(first, slateFrame, whole), 'the slate is not the picture').toBeGreaterThan(30);
    expect(regionDiff(first, picture, whole), 'frame 3 is the first picture frame').toBeLessThan(3);
    // The gate skips the slate and still scores the picture.
    expect(slated.quality.find((q) => q.output === 'review')!.ssim).toBeGreaterThan(0.97);

    const published = await runCli(
      ['publish', await fixtures.movie24(), '--version', server.seed.versionId, '--profile', 'slated', '--config', config, '--json'],
      {
        env: { ...ftrackEnv(server), XDG_DATA_HOME: join(work, 'xdg') },
      },
    );
    expect(published.code, describeResult(published)).toBe(0);
    const session = await plainSession(server);
    const review = (await componentsOf(session, server.seed.versionId)).find((c) => c.name === 'review')!;
    const total = await frames(path(slated, 'review'));
    expect(JSON.parse(review.metadata['ftr_meta']!)).toMatchObject({ frameIn: -3, frameOut: total - 3 });
  });
});
