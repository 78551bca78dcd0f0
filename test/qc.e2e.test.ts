// The visual QC report through the BUILT CLI: `qc` and `publish --report` on a generated clip,
// the report's files checked for sense, then the page opened in real Chromium (file://, offline).
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '@ftrack-encode/core';
import { mediaFixtures } from '@ftrack-encode/testing';
import { launchChromium, REPO_ROOT, type TestBrowser } from './support/browser.js';
import { buildCli, describeResult, parseJson, runCli, tempDir, type CliError, type CliResult } from './support/cli.js';

const fixtures = mediaFixtures(join(tmpdir(), 'ftrack-encode-e2e-fixtures'));
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');

let work: string;
let env: Record<string, string>;
let browser: TestBrowser;
/** 2 s, 320x180, 24 fps, with audio. */
let clip: string;

beforeAll(async () => {
  buildCli();
  work = await tempDir('qc');
  await mkdir(join(work, 'tmp'), { recursive: true });
  env = { TMPDIR: join(work, 'tmp'), XDG_DATA_HOME: join(work, 'xdg') };
  clip = await fixtures.movie23976();
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

const cli = (args: string[]): Promise<CliResult> => runCli(args, { env, cwd: work });

/** Width and height from a PNG's IHDR. */
async function pngSize(path: string): Promise<{ width: number; height: number }> {
  const bytes = await readFile(path);
  expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** Every SVG point of an output's section: [frame, ssim]. */
function plotPoints(html: string, output: string): [number, number][] {
  const start = html.indexOf(`data-output="${output}"`);
  const section = html.slice(start, html.indexOf('</section>', start));
  return [...section.matchAll(/<circle class="frame" data-frame="(\d+)" data-ssim="([0-9.]+)"/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

/** Open the page offline; what Chromium complained about and which images it could not decode. */
async function openInChromium(page: string, screenshot: string) {
  const tab = await browser.context.newPage();
  const errors: string[] = [];
  const remote: string[] = [];
  tab.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  tab.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  tab.on('request', (request) => {
    if (!request.url().startsWith('file:')) remote.push(request.url());
  });
  await tab.goto(pathToFileURL(page).href, { waitUntil: 'load' });
  const images = await tab.$$eval('img', (imgs) =>
    imgs.map((img) => ({ src: img.getAttribute('src'), complete: img.complete, width: img.naturalWidth, height: img.naturalHeight })),
  );
  const svgPoints = await tab.$$eval('svg.ssim-plot', (svgs) => svgs.map((svg) => svg.querySelectorAll('circle.frame').length));
  await mkdir(ARTIFACTS, { recursive: true });
  await tab.screenshot({ path: join(ARTIFACTS, screenshot), fullPage: true });
  await tab.close();
  return { errors, remote, images, svgPoints };
}

interface QcJson {
  report: string;
  outputs: { name: string; path: string; frames: number; width: number; height: number }[];
  quality: { output: string }[];
}

describe('ftrack-encode qc (built CLI, real ffmpeg, real Chromium)', () => {
  it('writes a report: N-tile contact sheet, one SSIM point per frame (all ≥ 0.9), stills and scopes of both sides; Chromium loads every image without errors', async () => {
    const reportDir = join(work, 'report <&> 1');
    const result = await cli(['qc', clip, '--report', reportDir, '--frames', '8', '--json']);
    expect(result.code, describeResult(result)).toBe(0);
    const json = parseJson<QcJson>(result);
    expect(json.report).toBe(join(reportDir, 'index.html'));
    // Outputs went to a temporary directory that is gone: nothing beside the clip or in cwd.
    expect(json.outputs.every((o) => !existsSync(o.path))).toBe(true);

    const videos = json.outputs.filter((o) => o.name.startsWith('ftrackreview'));
    expect(videos.length).toBeGreaterThanOrEqual(2);
    const first = videos[0]!;
    // 8 tiles of 240 px wide: 6 columns, 2 rows, height from the 320x180 picture.
    expect(await pngSize(join(reportDir, 'contact-sheet.png'))).toEqual({ width: 6 * 240, height: 2 * 136 });

    const html = await readFile(json.report, 'utf8');
    for (const video of videos) {
      const points = plotPoints(html, video.name);
      expect(points.map(([frame]) => frame)).toEqual(Array.from({ length: video.frames }, (_, i) => i));
      for (const [, ssim] of points) expect(ssim).toBeGreaterThanOrEqual(0.9);
    }
    const files = (await readdir(reportDir)).sort();
    expect(files.filter((f) => f.endsWith('.png'))).toHaveLength(1 + 6 * videos.length);
    const frame = await pngSize(join(reportDir, '0-review-frame.png'));
    expect(frame).toEqual({ width: first.width, height: first.height });
    expect(await pngSize(join(reportDir, '0-source-frame.png'))).toEqual(frame);
    expect((await pngSize(join(reportDir, '0-review-vectorscope.png'))).width).toBe(256);

    expect(html).toContain('ffmpeg');
    expect(html).toContain('ftrack_encode.profile_hash');
    expect(html).toContain('frameRate');
    expect(html).toMatch(/<h2>Colour pipeline<\/h2>\n<p class="colour">bt\d+/);

    const seen = await openInChromium(json.report, 'qc-report.png');
    expect(seen.errors).toEqual([]);
    expect(seen.remote).toEqual([]);
    expect(seen.images.length).toBe(1 + 6 * videos.length);
    for (const image of seen.images) expect(image.width, String(image.src)).toBeGreaterThan(0);
    expect(seen.svgPoints).toEqual(videos.map((v) => v.frames));
  }, 180_000);

  it('defaults to one contact-sheet frame per second, keeps outputs with --out; refuses a missing --report, and the wasm backend before encoding', async () => {
    const reportDir = join(work, 'report-default');
    const out = join(work, 'kept');
    await mkdir(out);
    const threeSeconds = await fixtures.ensure({ kind: 'movie', rate: '24', frames: 72, audio: false });
    if (threeSeconds.kind === 'sequence') throw new Error('expected a movie fixture');
    const result = await cli(['qc', threeSeconds.path, '--report', reportDir, '--out', out, '--profile', 'ftrack-review', '--no-quality-gate', '--json']);
    expect(result.code, describeResult(result)).toBe(0);
    // 72 frames at 24 fps: frames 0, 24 and 48.
    expect(await readFile(join(reportDir, 'index.html'), 'utf8')).toContain('3 frames (3×1): 0, 24, 48');
    expect(await pngSize(join(reportDir, 'contact-sheet.png'))).toEqual({ width: 3 * 240, height: 136 });
    expect((await readdir(out)).some((f) => f.endsWith('.mp4'))).toBe(true);

    const missing = await cli(['qc', clip, '--json']);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toContain('--report');

    // ffmpeg.wasm makes no report pictures: refused before encoding anything.
    const wasm = await cli(['qc', clip, '--backend', 'wasm', '--report', join(work, 'report-wasm'), '--json']);
    expect(wasm.code, describeResult(wasm)).toBe(ERROR_CODES.E_UNSUPPORTED);
    expect(parseJson<CliError>(wasm).error.message).toContain('backend "wasm"');
    expect(wasm.stderr).not.toMatch(/encode \d+%/);
    expect(existsSync(join(work, 'report-wasm'))).toBe(false);
  }, 180_000);

  it('shows a degraded output for what it is: every frame measured, below the gate, with --no-quality-gate', async () => {
    const config = join(work, 'smeared.config.json');
    // crf 51 at 160x90, as in the quality gate's own e2e test.
    await writeFile(
      config,
      JSON.stringify({
        profiles: [
          { name: 'smeared', outputs: [{ name: 'smeared', kind: 'video', codec: 'h264', container: 'mp4', crf: 51, size: { maxWidth: 160, maxHeight: 90 } }] },
        ],
      }),
    );
    const reportDir = join(work, 'report-smeared');
    const result = await cli(['qc', clip, '--report', reportDir, '--profile', 'smeared', '--config', config, '--no-quality-gate', '--json']);
    expect(result.code, describeResult(result)).toBe(0);
    const html = await readFile(join(reportDir, 'index.html'), 'utf8');
    const points = plotPoints(html, 'smeared');
    expect(points).toHaveLength(48);
    expect(Math.min(...points.map(([, ssim]) => ssim))).toBeLessThan(0.97);
    expect(html).toContain('gate ≥ 0.97');
    expect(await pngSize(join(reportDir, '0-review-frame.png'))).toEqual({ width: 160, height: 90 });
    // The reference is made at the output's size by its own chain, so the pair is comparable.
    expect(await pngSize(join(reportDir, '0-source-frame.png'))).toEqual({ width: 160, height: 90 });
  }, 180_000);

  it('reports on a gapped image sequence held over its gaps (the source read through an ffconcat list in every pass)', async () => {
    const sequence = await fixtures.gappedSequence(); // 12 PNG frames from 1001, 1004/1005/1009 missing
    const reportDir = join(work, 'report-sequence');
    const result = await cli(['qc', sequence.hashPattern, '--gaps', 'hold', '--report', reportDir, '--frames', '4', '--json']);
    expect(result.code, describeResult(result)).toBe(0);
    const html = await readFile(join(reportDir, 'index.html'), 'utf8');
    const points = plotPoints(html, 'ftrackreview-mp4');
    expect(points).toHaveLength(12);
    for (const [, ssim] of points) expect(ssim).toBeGreaterThanOrEqual(0.9);
    expect(html).toContain('4 frames (4×1): 0, 4, 7, 11');
    expect(await pngSize(join(reportDir, '0-source-frame.png'))).toEqual(await pngSize(join(reportDir, '0-review-frame.png')));
  }, 180_000);

  it('publish --report writes the report of the publish encode before storing, with the source checksum in the metadata', async () => {
    const reportDir = join(work, 'publish-report');
    const result = await cli(['publish', clip, '--report', reportDir, '--frames', '3', '--json']);
    expect(result.code, describeResult(result)).toBe(0);
    const json = parseJson<{ report: string; components: { name: string }[] }>(result);
    expect(json.report).toBe(join(reportDir, 'index.html'));
    expect(json.components.length).toBeGreaterThan(0);
    const html = await readFile(json.report, 'utf8');
    expect(html).toMatch(/ftrack_encode\.source_checksum<\/th><td>sha256:[0-9a-f]{64}/);
    expect(await pngSize(join(reportDir, 'contact-sheet.png'))).toEqual({ width: 3 * 240, height: 136 });
    const orphan = await cli(['publish', clip, '--frames', '3', '--json']);
    expect(orphan.code).toBe(ERROR_CODES.E_USAGE);
    expect(parseJson<CliError>(orphan).error.message).toContain('--report');
    const seen = await openInChromium(json.report, 'qc-publish-report.png');
    expect(seen.errors).toEqual([]);
    for (const image of seen.images) expect(image.width, String(image.src)).toBeGreaterThan(0);
  }, 240_000);
});
