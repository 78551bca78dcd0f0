// Issue 10 end to end: the BUILT `ftrack-encode publish` of a scene-linear EXR sequence against
// ftrack-local, judged from what ftrack holds: the picture (0.18 grey near 118/255), the rate ftrack
// plays (ftr_meta.frameRate from the EXR header, or --fps), and the colour pipeline in the metadata.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '@ftrack/api';
import {
  builtinReference,
  correctnessFixtures,
  LINEAR_PATCHES,
  makeLinearExr,
  maxChannelError,
  meanOf,
  decodeRgb,
  patchRegion,
  writeOcioConfig,
} from '@ftrack-encode/testing';
import { buildCli, describeResult, parseJson, runCli, tempDir } from './support/cli.js';
import { componentsOf, downloadComponent, ftrackEnv, isolatedDirs, newSeededVersion, plainSession, probeVideo, startLocal } from './support/ftrack.js';

interface PublishJson {
  versionId: string;
  components: { id: string; name: string }[];
}

let work: string;
let server: Awaited<ReturnType<typeof startLocal>>;
let session: Session;
const fixtures = correctnessFixtures();

beforeAll(async () => {
  buildCli();
  work = await tempDir('colour-publish');
  server = await startLocal(join(work, 'ftrack'));
  session = await plainSession(server);
});

afterAll(async () => {
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

async function publishAndFetch(pattern: string, args: string[], name: string, extraEnv: Record<string, string> = {}) {
  const versionId = await newSeededVersion(session, server);
  const env = { ...ftrackEnv(server), ...(await isolatedDirs(work, name)), XDG_CACHE_HOME: join(work, 'cache', name), ...extraEnv };
  const result = await runCli(['publish', pattern, '--version', versionId, ...args, '--json'], { env });
  expect(result.code, describeResult(result)).toBe(0);
  const published = parseJson<PublishJson>(result);
  const mp4 = published.components.find((c) => c.name === 'ftrackreview-mp4')!;
  const dir = join(work, 'downloads', name);
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'review.mp4');
  expect((await downloadComponent(server, mp4.id, path)).status).toBe(200);
  const row = (await componentsOf(session, versionId)).find((c) => c.name === 'ftrackreview-mp4')!;
  return { path, metadata: row.metadata, ftrMeta: JSON.parse(row.metadata['ftr_meta']!) as Record<string, number>, stderr: result.stderr };
}

describe('publishing scene-linear EXR to ftrack', () => {
  it('no OCIO: the built-in sRGB view (0.18 -> ~118/255), the header rate 25 in ftr_meta, the pipeline in the metadata', async () => {
    const pattern = await fixtures.sequence(
      'e2e-exr-25',
      (p) => makeLinearExr(p, { width: 448, height: 96, depth: 'half', extra: ['--attrib:type=rational', 'framesPerSecond', '25/1'] }),
      'exr',
      10,
    );
    const { path, metadata, ftrMeta, stderr } = await publishAndFetch(pattern, [], 'builtin');
    expect(ftrMeta).toMatchObject({ frameIn: 0, frameOut: 10, frameRate: 25, width: 448, height: 96 });
    expect((await probeVideo(path)).frameRate).toBe(25);
    const frame = await decodeRgb(path, { matrix: 'bt709', range: 'tv' });
    const grey = meanOf(frame, patchRegion(1, LINEAR_PATCHES.length, frame.width, frame.height));
    expect(maxChannelError(grey, builtinReference('linear-to-srgb', [0.18, 0.18, 0.18]))).toBeLessThanOrEqual(3);
    expect(grey[0]).toBeGreaterThan(114);
    expect(metadata).toMatchObject({
      'ftrack_encode.colour_input': 'scene-linear',
      'ftrack_encode.colour_method': 'builtin linear-to-srgb',
      'ftrack_encode.colour_display': 'srgb',
      'ftrack_encode.frame_rate_source': 'header',
      'ftrack_encode.first_frame': '1001',
    });
    expect(stderr).toContain('No OCIO config');
  });

  it('$OCIO and --fps: the ACES view and 24000/1001 in ftr_meta; the config hash and view in the metadata', async () => {
    const config = await writeOcioConfig(join(work, 'ocio'));
    const pattern = await fixtures.sequence('e2e-exr-aces', (p) => makeLinearExr(p, { width: 448, height: 96, depth: 'half' }), 'exr', 6);
    const { path, metadata, ftrMeta } = await publishAndFetch(
      pattern,
      ['--fps', '24000/1001', '--input-colourspace', 'ACEScg', '--view', 'ACES 1.0 - SDR Video'],
      'ocio',
      { OCIO: config },
    );
    expect(ftrMeta).toMatchObject({ frameOut: 6, frameRate: 23.976 });
    expect((await probeVideo(path)).frames).toBe(6);
    expect(metadata).toMatchObject({
      'ftrack_encode.colour_method': 'ocio',
      'ftrack_encode.colour_view': 'ACES 1.0 - SDR Video',
      'ftrack_encode.ocio_input_space': 'ACEScg',
      'ftrack_encode.frame_rate_source': 'flag',
    });
    expect(metadata['ftrack_encode.ocio_config_hash']).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('colour flags on the built CLI', () => {
  it('probe shows how a source will be read; bad flags and configs fail with their codes and write nothing', async () => {
    const pattern = await fixtures.sequence(
      'e2e-exr-25',
      (p) => makeLinearExr(p, { width: 448, height: 96, depth: 'half', extra: ['--attrib:type=rational', 'framesPerSecond', '25/1'] }),
      'exr',
      10,
    );
    const env = { XDG_CACHE_HOME: join(work, 'cache', 'flags') };
    const probed = await runCli(['probe', pattern, '--json'], { env });
    expect(probed.code, describeResult(probed)).toBe(0);
    const json = parseJson<{
      info: { frameRate: string; frameRateFrom: string; imageHeader: { compression: string } };
      colour: { summary: string; transform: { method: string } };
    }>(probed);
    expect(json.info).toMatchObject({ frameRate: '25', frameRateFrom: 'header', imageHeader: { compression: 'zip' } });
    expect(json.colour.transform.method).toBe('builtin');
    expect(json.colour.summary).toContain('scene-linear (OpenEXR is scene-linear) -> srgb: built-in linear-to-srgb');

    const out = join(work, 'flags-out');
    await mkdir(out, { recursive: true });
    const badFps = await runCli(['encode', pattern, '--fps', 'fast', '--out', out], { env });
    expect(badFps.code, describeResult(badFps)).toBe(2);
    const badConfig = await runCli(['encode', pattern, '--ocio-config', join(work, 'missing.ocio'), '--out', out, '--json'], { env });
    expect(badConfig.code, describeResult(badConfig)).toBe(21);
    expect(badConfig.stdout).toContain('E_CONFIG_INVALID');
    const badDisplay = await runCli(['encode', pattern, '--display', 'P3', '--out', out, '--json'], { env });
    expect(badDisplay.code, describeResult(badDisplay)).toBe(20);
    expect(badDisplay.stdout).toContain('\\"srgb\\", \\"bt1886\\"');
    expect(await readdir(out)).toEqual([]);
  });

  it('per-output colour from a config profile: --dry-run notes each pipeline and shows one decode with two LUTs; a bad output display is E_PROFILE_INVALID', async () => {
    const pattern = await fixtures.sequence('e2e-exr-aces', (p) => makeLinearExr(p, { width: 448, height: 96, depth: 'half' }), 'exr', 6);
    const env = { XDG_CACHE_HOME: join(work, 'cache', 'per-output') };
    const review = { name: 'ftrackreview-mp4', kind: 'video', codec: 'h264', container: 'mp4' };
    const profile = (display: string) => ({
      name: 'review-and-delivery',
      outputs: [review, { ...review, name: 'delivery', container: 'mov', colour: { display } }],
    });
    const config = join(work, 'per-output.config.json');
    await writeFile(config, JSON.stringify({ profiles: [profile('bt1886')] }));
    const out = join(work, 'per-output-out');
    await mkdir(out, { recursive: true });
    const dry = await runCli(['encode', pattern, '--config', config, '--profile', 'review-and-delivery', '--out', out, '--dry-run'], { env });
    expect(dry.code, describeResult(dry)).toBe(0);
    expect(dry.stderr).toContain('colour: scene-linear (OpenEXR is scene-linear) -> srgb: built-in linear-to-srgb');
    expect(dry.stderr).toContain('colour of delivery: scene-linear (OpenEXR is scene-linear) -> bt1886: built-in linear-to-bt1886');
    const commands = dry.stdout.trim().split('\n');
    expect(commands).toHaveLength(1);
    expect(commands[0]).toMatch(/lut3d=file=[^,]*linear-to-srgb\.csp.*lut3d=file=[^,]*linear-to-bt1886\.csp/);

    await writeFile(config, JSON.stringify({ profiles: [profile('P3')] }));
    const bad = await runCli(['encode', pattern, '--config', config, '--profile', 'review-and-delivery', '--out', out, '--json'], { env });
    expect(bad.code, describeResult(bad)).toBe(20);
    expect(bad.stdout).toContain('Output \\"delivery\\": Unknown display \\"P3\\"');
    expect(await readdir(out)).toEqual([]);
  });
});
