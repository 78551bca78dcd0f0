// Issue 2 through the BUILT `ftrack-encode` binary as a separate process: encode, dry run, probe,
// profiles, help, image sequences with gaps, and bad input (exit codes, messages, nothing left in --out).
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '@ftrack-encode/core';
import { mediaFixtures } from '@ftrack-encode/testing';
import { buildCli, describeResult, parseJson, runCli, tempDir, type CliError, type CliResult } from './support/cli.js';
import { probeVideo, sha256File } from './support/ftrack.js';

interface EncodeJson {
  source: string;
  profile: string;
  profileHash: string;
  backend: string;
  encoder: { id: string; version: string };
  outputs: { name: string; path: string; checksum: string; size: number; codec: string; width: number; height: number; frames: number; frameRate: string }[];
  planned: { name: string; path: string; width: number; height: number; frames: number }[];
  skipped: { name: string; reason: string }[];
  quality: { output: string; ssim: number; psnr: number | null; minSsim: number; frames: number[] }[];
  commands: string[][];
}

const fixtures = mediaFixtures(join(tmpdir(), 'ftrack-encode-e2e-fixtures'));

let work: string;
let env: Record<string, string>;
let counter = 0;

beforeAll(async () => {
  buildCli();
  work = await tempDir('cli-encode');
  await mkdir(join(work, 'tmp'), { recursive: true });
  env = { TMPDIR: join(work, 'tmp'), XDG_DATA_HOME: join(work, 'xdg') };
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

const cli = (args: string[]): Promise<CliResult> => runCli(args, { env, cwd: work });

/** A new, empty output directory per run. */
async function outDir(): Promise<string> {
  const dir = join(work, `out-${++counter}`);
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Every entry of a directory, hidden partial files included. */
const entries = async (dir: string) => (existsSync(dir) ? (await readdir(dir)).sort() : []);

describe('quality gate (built CLI)', () => {
  it('measures every video output against the source: SSIM above the threshold on >= 10 sampled frames, first/middle/last included', async () => {
    const clip = await fixtures.movie23976();
    const result = await cli(['encode', clip, '--out', await outDir(), '--json']);
    expect(result.code, describeResult(result)).toBe(0);
    const { quality, planned } = parseJson<EncodeJson>(result);
    expect(quality.map((q) => q.output).sort()).toEqual(['ftrackreview-mp4', 'ftrackreview-webm']);
    const frames = planned.find((p) => p.name === 'ftrackreview-mp4')!.frames;
    for (const q of quality) {
      expect(q.ssim).toBeGreaterThanOrEqual(q.minSsim);
      expect(q.psnr).toBeGreaterThan(30);
      expect(q.frames.length).toBeGreaterThanOrEqual(10);
      expect(q.frames).toEqual(expect.arrayContaining([0, Math.floor((frames - 1) / 2), frames - 1]));
    }
  });

  it('refuses a visibly degraded output with E_QUALITY naming the worst frames, and leaves --out empty; --no-quality-gate lets it through', async () => {
    const clip = await fixtures.movie23976();
    const config = join(work, 'smeared.config.json');
    // crf 51 at 160x90: what a broken encoder setting looks like on a review copy.
    await writeFile(
      config,
      JSON.stringify({
        profiles: [
          { name: 'smeared', outputs: [{ name: 'smeared', kind: 'video', codec: 'h264', container: 'mp4', crf: 51, size: { maxWidth: 160, maxHeight: 90 } }] },
        ],
      }),
    );
    const out = await outDir();
    const failed = await cli(['encode', clip, '--out', out, '--profile', 'smeared', '--config', config, '--json']);
    expect(failed.code, describeResult(failed)).toBe(ERROR_CODES.E_QUALITY);
    const { error } = parseJson<CliError>(failed);
    expect(error.code).toBe('E_QUALITY');
    expect(error.message).toMatch(/smeared SSIM 0\.\d+ < 0\.97 \(worst frames \d+: 0\.\d+/);
    expect(await entries(out)).toEqual([]);
    const skipped = await cli(['encode', clip, '--out', out, '--profile', 'smeared', '--config', config, '--json', '--no-quality-gate']);
    expect(skipped.code, describeResult(skipped)).toBe(0);
    expect(parseJson<EncodeJson>(skipped).quality).toEqual([]);
  });
});

describe('ftrack-encode encode (built CLI)', () => {
  it('encodes a 23.976 fps movie into --out: exact frame counts, checksums, --json result', async () => {
    const clip = await fixtures.movie23976(); // 320x180, 48 frames at 24000/1001, with audio
    const out = await outDir();
    const result = await cli(['encode', clip, '--out', out, '--json', '--verbose']);
    expect(result.code, describeResult(result)).toBe(0);
    const json = parseJson<EncodeJson>(result);
    // --verbose: each stage's start in ms since the process started, in order (where the wall time goes).
    const marks = result.stderr
      .split('\n')
      .filter((line) => line.includes('"msg":"stage"'))
      .map((line) => JSON.parse(line) as { stage: string; ms: number; cpuMs: { self: number; children: number } });
    expect(marks.map((m) => m.stage)).toEqual(['locate', 'probe', 'encode', 'validate', 'done']);
    expect(marks.every((m, i) => m.ms > 0 && (i === 0 || m.ms >= marks[i - 1]!.ms))).toBe(true);
    // ...and the CPU spent by then, of the CLI itself and of its finished children (ffprobe, ffmpeg).
    expect(marks.every((m, i) => m.cpuMs.self > 0 && (i === 0 || m.cpuMs.self >= marks[i - 1]!.cpuMs.self))).toBe(true);
    const childrenAt = (stage: string) => marks.find((m) => m.stage === stage)!.cpuMs.children;
    expect(childrenAt('validate'), 'the encode ffmpeg is counted once it exits').toBeGreaterThan(childrenAt('encode'));

    expect(json).toMatchObject({ source: clip, profile: 'ftrack-review', backend: 'native', encoder: { id: 'native' } });
    expect(json.profileHash).toMatch(/^[0-9a-f]+$/);
    expect(json.encoder.version).toBeTruthy();
    expect(json.outputs.map((o) => o.name).sort()).toEqual(['ftrackreview-mp4', 'ftrackreview-webm', 'thumbnail']);
    expect(json.skipped.map((s) => s.name)).toEqual(['ftrackreview-mp4-1080']);
    expect(json.commands.length).toBeGreaterThan(0);
    // Only the committed outputs are in --out: no hidden partial files.
    expect(await entries(out)).toEqual(json.outputs.map((o) => basename(o.path)).sort());

    for (const output of json.outputs) {
      expect(output.path.startsWith(`${out}/`), output.path).toBe(true);
      expect(`sha256:${await sha256File(output.path)}`, output.name).toBe(output.checksum);
      const probed = await probeVideo(output.path);
      expect({ codec: probed.codec, width: probed.width, height: probed.height }, output.name).toEqual({ codec: output.codec, width: 320, height: 180 });
      expect(output.width).toBe(320);
      expect(output.height).toBe(180);
      if (output.name === 'thumbnail') {
        expect(probed.frames).toBe(1);
      } else {
        expect(probed.frames, `${output.name} packets`).toBe(48);
        expect(output.frames).toBe(48);
        expect(output.frameRate).toBe('24000/1001');
        expect(probed.frameRate).toBeCloseTo(24000 / 1001, 6);
      }
    }
    const planned = new Map(json.planned.map((p) => [p.name, p]));
    expect(planned.get('ftrackreview-mp4')?.frames).toBe(48);
  });

  it('--dry-run prints the ffmpeg command lines and writes nothing', async () => {
    const clip = await fixtures.movie24();
    const out = join(work, 'dry-run-out');
    const text = await cli(['encode', clip, '--out', out, '--dry-run']);
    expect(text.code, describeResult(text)).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines[0]).toMatch(/ffmpeg /);
    expect(lines[0]).toContain(clip);
    expect(lines[0]).toContain('libx264');
    expect(existsSync(out)).toBe(false);

    const json = await cli(['encode', clip, '--out', out, '--dry-run', '--json']);
    expect(json.code, describeResult(json)).toBe(0);
    const parsed = parseJson<EncodeJson>(json);
    expect(parsed.outputs).toEqual([]);
    expect(parsed.commands[0]).toContain('-i');
    expect(parsed.commands[0]).toContain(clip);
    expect(parsed.planned.map((p) => p.name).sort()).toEqual(['ftrackreview-mp4', 'ftrackreview-webm', 'thumbnail']);
    expect(existsSync(out)).toBe(false);
  });

  it('probe --json describes the movie', async () => {
    const clip = await fixtures.movie23976();
    const result = await cli(['probe', clip, '--json']);
    expect(result.code, describeResult(result)).toBe(0);
    const json = parseJson<{ source: { kind: string; path: string }; info: Record<string, unknown> }>(result);
    expect(json.source).toEqual({ kind: 'file', path: clip });
    expect(json.info).toMatchObject({ width: 320, height: 180, frameCount: 48, frameRate: '24000/1001', codec: 'h264', isStill: false });
    expect((json.info['audio'] as unknown[]).length).toBe(1);
  });

  it('profiles list / show, as text and --json', async () => {
    const list = await cli(['profiles', 'list', '--json']);
    expect(list.code, describeResult(list)).toBe(0);
    const profiles = parseJson<{ name: string; outputs: string[]; hash: string }[]>(list);
    expect(profiles.map((p) => p.name)).toEqual(expect.arrayContaining(['ftrack-review', 'proxy']));
    expect(profiles.find((p) => p.name === 'ftrack-review')?.outputs).toEqual(['ftrackreview-mp4', 'ftrackreview-mp4-1080', 'ftrackreview-webm', 'thumbnail']);

    const listText = await cli(['profiles', 'list']);
    expect(listText.code).toBe(0);
    expect(listText.stdout).toMatch(/^ftrack-review\s/m);
    expect(listText.stdout).toMatch(/^proxy\s/m);

    const show = await cli(['profiles', 'show', 'ftrack-review', '--json']);
    expect(show.code, describeResult(show)).toBe(0);
    const profile = parseJson<{ name: string; outputs: { name: string; codec?: string }[] }>(show);
    expect(profile.name).toBe('ftrack-review');
    expect(profile.outputs.find((o) => o.name === 'ftrackreview-mp4')?.codec).toBe('h264');

    const unknown = await cli(['profiles', 'show', 'no-such-profile', '--json']);
    expect(unknown.code).toBe(ERROR_CODES.E_PROFILE_INVALID);
    expect(parseJson<CliError>(unknown).error.code).toBe('E_PROFILE_INVALID');
  });

  it('--help works and lists the exit codes', async () => {
    const help = await cli(['--help']);
    expect(help.code, describeResult(help)).toBe(0);
    expect(help.stdout).toContain('Exit codes:');
    for (const [code, exit] of Object.entries(ERROR_CODES)) expect(help.stdout).toMatch(new RegExp(`^\\s*${exit}\\s+${code}$`, 'm'));
    for (const command of ['encode', 'probe', 'profiles', 'publish', 'demo']) expect(help.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));

    const encodeHelp = await cli(['encode', '--help']);
    expect(encodeHelp.code).toBe(0);
    expect(encodeHelp.stdout).toContain('--gaps');
    expect(encodeHelp.stdout).toContain('--dry-run');

    const usage = await cli(['encode']);
    expect(usage.code).toBe(ERROR_CODES.E_USAGE);
  });
});

describe('segment-parallel encoding (built CLI)', () => {
  it('--segments 3 encodes in three segments, joined and validated like one pass; nothing else left in --out', async () => {
    const clip = await fixtures.movie23976();
    const out = await outDir();
    const result = await cli(['encode', clip, '--out', out, '--segments', '3', '--json']);
    expect(result.code, describeResult(result)).toBe(0);
    const json = parseJson<EncodeJson & { segments: { start: number; frames: number }[] }>(result);
    expect(json.segments).toEqual([
      { start: 0, frames: 16 },
      { start: 16, frames: 16 },
      { start: 32, frames: 16 },
    ]);
    for (const output of json.outputs.filter((o) => o.name !== 'thumbnail')) {
      expect(output.frames, output.name).toBe(48);
      expect(output.frameRate, output.name).toBe('24000/1001');
    }
    expect(await entries(out)).toEqual(json.outputs.map((o) => basename(o.path)).sort());
    const help = await cli(['encode', '--help']);
    expect(help.stdout).toContain('--segments <n|auto>');
    const bad = await cli(['encode', clip, '--out', out, '--segments', '0', '--json']);
    expect(bad.code).toBe(ERROR_CODES.E_USAGE);
    expect(parseJson<CliError>(bad).error.message).toContain('--segments');
  });
});

describe('image sequences with gaps (built CLI)', () => {
  it('--gaps hold fills the missing frames: exact frame count', async () => {
    const seq = await fixtures.gappedSequence(); // 1001..1012, missing 1004, 1005, 1009
    const out = await outDir();
    const result = await cli(['encode', seq.hashPattern, '--out', out, '--gaps', 'hold', '--json']);
    expect(result.code, describeResult(result)).toBe(0);
    const json = parseJson<EncodeJson>(result);
    const mp4 = json.outputs.find((o) => o.name === 'ftrackreview-mp4');
    expect(mp4).toBeDefined();
    expect(mp4?.frames).toBe(12);
    expect((await probeVideo(mp4!.path)).frames).toBe(12);
    const webm = json.outputs.find((o) => o.name === 'ftrackreview-webm');
    expect((await probeVideo(webm!.path)).frames).toBe(12);
    expect(await entries(out)).toEqual(json.outputs.map((o) => basename(o.path)).sort());
  });

  it('the default policy fails with E_SEQUENCE_GAPS (exit 12) and writes nothing', async () => {
    const seq = await fixtures.gappedSequence();
    const out = await outDir();
    const json = await cli(['encode', seq.pattern, '--out', out, '--json']);
    expect(json.code, describeResult(json)).toBe(ERROR_CODES.E_SEQUENCE_GAPS);
    const error = parseJson<CliError>(json).error;
    expect(error.code).toBe('E_SEQUENCE_GAPS');
    expect(error.message).toMatch(/1004/);
    expect(await entries(out)).toEqual([]);

    const text = await cli(['encode', seq.pattern, '--out', out]);
    expect(text.code).toBe(ERROR_CODES.E_SEQUENCE_GAPS);
    expect(text.stderr).toContain('E_SEQUENCE_GAPS');
    expect(text.stderr).toMatch(/--gaps/);
    expect(await entries(out)).toEqual([]);
  });
});

describe('bad input through the CLI: exit code, a clear message, nothing in --out', () => {
  async function expectFailure(args: (out: string) => string[], code: keyof typeof ERROR_CODES, mentions: string, out?: string): Promise<void> {
    const dir = out ?? (await outDir());
    const json = await cli([...args(dir), '--out', dir, '--json']);
    expect(json.code, describeResult(json)).toBe(ERROR_CODES[code]);
    const error = parseJson<CliError>(json).error;
    expect(error.code).toBe(code);
    expect(error.message).toContain(mentions);

    const text = await cli([...args(dir), '--out', dir]);
    expect(text.code, describeResult(text)).toBe(ERROR_CODES[code]);
    expect(text.stdout).toBe('');
    expect(text.stderr).toContain(code);
    expect(text.stderr).toContain(mentions);
    expect(await entries(dir), 'nothing left in --out').toEqual([]);
  }

  it('a missing path: E_SOURCE_NOT_FOUND (10)', async () => {
    const missing = join(work, 'no-such-clip.mov');
    await expectFailure(() => ['encode', missing], 'E_SOURCE_NOT_FOUND', missing);
  });

  it('a directory: E_SOURCE_UNREADABLE (11)', async () => {
    const dir = join(work, 'a-directory');
    await mkdir(dir, { recursive: true });
    await expectFailure(() => ['encode', dir], 'E_SOURCE_UNREADABLE', dir);
  });

  it('a text file named .mov: E_SOURCE_UNREADABLE (11)', async () => {
    const fake = join(work, 'not-a-movie.mov');
    await writeFile(fake, 'this is not a movie\n');
    await expectFailure(() => ['encode', fake], 'E_SOURCE_UNREADABLE', fake);
  });

  it('an unknown profile: E_PROFILE_INVALID (20)', async () => {
    const clip = await fixtures.movie24();
    await expectFailure(() => ['encode', clip, '--profile', 'no-such-profile'], 'E_PROFILE_INVALID', 'no-such-profile');
  });

  it('an unwritable --out (a path under a regular file): E_OUTPUT_UNWRITABLE (33)', async () => {
    const clip = await fixtures.movie24();
    const parent = join(work, 'unwritable');
    await mkdir(parent, { recursive: true });
    const file = join(parent, 'regular-file');
    await writeFile(file, 'x');
    const out = join(file, 'out');
    await expectFailure(() => ['encode', clip], 'E_OUTPUT_UNWRITABLE', out, out);
    // Nothing written beside the blocking file either (no partial outputs, no stray dirs).
    expect(await entries(parent)).toEqual(['regular-file']);
  });
});
