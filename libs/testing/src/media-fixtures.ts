import { existsSync } from 'node:fs';
import { mkdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { stableHash } from '@ftrack-encode/core';

/**
 * Test media made by ffmpeg (lavfi testsrc2/smptehdbars + sine), never downloaded. Each fixture is
 * generated once into a cache keyed by its parameters; generation writes to a temp name and renames,
 * so parallel test workers never see half a file.
 */
export interface MovieFixtureSpec {
  kind: 'movie';
  width?: number;
  height?: number;
  /** Exact rate, e.g. "24", "24000/1001", "30000/1001". */
  rate?: string;
  frames?: number;
  audio?: boolean;
  /** Sample aspect ratio such as "2/1" (anamorphic). */
  sar?: string;
  /** counter: testsrc2 with its frame number drawn large, so every frame differs clearly from its neighbours. */
  pattern?: 'testsrc2' | 'counter' | 'smptehdbars';
  /** mpegts is written as .m2ts: a .ts file in the repo's fixture cache would read as TypeScript to the linters. */
  container?: 'mp4' | 'mov' | 'mpegts';
  /** mp4/mov: moov before mdat. */
  faststart?: boolean;
  /** x264 preset used to write the fixture (slower = smaller, more realistic decode cost). */
  preset?: string;
  /** Frames between keyframes (x264 -g); default x264's 250. */
  keyframeInterval?: number;
}

export interface SequenceFixtureSpec {
  kind: 'sequence';
  format?: 'png' | 'exr' | 'jpg';
  width?: number;
  height?: number;
  first?: number;
  frames?: number;
  padding?: number;
  /** Frame numbers deleted after rendering (gaps). */
  missing?: number[];
  /** File name before the frame number. */
  name?: string;
}

export interface StillFixtureSpec {
  kind: 'still';
  format?: 'png' | 'jpg' | 'exr';
  width?: number;
  height?: number;
}

export type FixtureSpec = MovieFixtureSpec | SequenceFixtureSpec | StillFixtureSpec;

export interface FileFixture {
  kind: 'movie' | 'still';
  path: string;
}

export interface SequenceFixture {
  kind: 'sequence';
  dir: string;
  /** Absolute printf pattern (…/name.%04d.png). */
  pattern: string;
  /** Same with hashes (…/name.####.png). */
  hashPattern: string;
  first: number;
  last: number;
  missing: number[];
}

export type Fixture = FileFixture | SequenceFixture;

export interface FixtureOptions {
  cacheDir?: string;
  ffmpegPath?: string;
}

/** The repository root (where nx.json is), found from this file so bundles work too. */
export function repoRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

export function defaultFixtureDir(): string {
  return process.env['FTRACK_ENCODE_FIXTURES'] ?? join(repoRoot(), '.cache', 'fixtures');
}

function ffmpegBinary(options: FixtureOptions): string {
  return options.ffmpegPath ?? process.env['FFMPEG_PATH'] ?? 'ffmpeg';
}

async function ffmpeg(options: FixtureOptions, args: string[]): Promise<void> {
  await execa(ffmpegBinary(options), ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', ...args]);
}

function tempName(path: string): string {
  return `${dirname(path)}/.tmp-${randomBytes(6).toString('hex')}-${path.slice(dirname(path).length + 1)}`;
}

const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

function videoSource(pattern: string, width: number, height: number, rate: string): string {
  if (pattern === 'counter')
    return `testsrc2=size=${width}x${height}:rate=${rate},drawtext=fontfile=${FONT}:text=%{n}:fontsize=h/2:x=(w-text_w)/2:y=(h-text_h)/2:fontcolor=white:box=1:boxcolor=black`;
  return `${pattern}=size=${width}x${height}:rate=${rate}`;
}

async function makeMovie(spec: MovieFixtureSpec, path: string, options: FixtureOptions): Promise<void> {
  const { width = 320, height = 180, rate = '24', frames = 24, audio = true, container = 'mp4', faststart = true } = spec;
  const seconds = (frames * Number(rate.split('/')[1] ?? 1)) / Number(rate.split('/')[0]);
  const odd = width % 2 === 1 || height % 2 === 1;
  const args = ['-f', 'lavfi', '-i', videoSource(spec.pattern ?? 'testsrc2', width, height, rate)];
  if (audio) args.push('-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds.toFixed(6)}`);
  // testsrc2 rounds odd sizes: scale to the exact size asked for.
  args.push('-frames:v', String(frames), '-vf', `scale=${width}:${height},setsar=${spec.sar ?? '1'}`);
  // 4:2:0 needs even sizes: odd fixtures use 4:4:4 (still plain H.264 High 4:4:4).
  args.push('-c:v', 'libx264', '-preset', spec.preset ?? 'ultrafast', '-pix_fmt', odd ? 'yuv444p' : 'yuv420p');
  if (spec.keyframeInterval) args.push('-g', String(spec.keyframeInterval));
  if (audio) args.push('-c:a', 'aac', '-b:a', '96k');
  if (faststart && container !== 'mpegts') args.push('-movflags', '+faststart');
  args.push('-f', container, path);
  await ffmpeg(options, args);
}

async function makeStill(spec: StillFixtureSpec, path: string, options: FixtureOptions): Promise<void> {
  const { width = 320, height = 180, format = 'png' } = spec;
  const codec = format === 'jpg' ? ['-c:v', 'mjpeg', '-pix_fmt', 'yuvj444p'] : format === 'exr' ? ['-c:v', 'exr', '-pix_fmt', 'gbrpf32le'] : ['-c:v', 'png'];
  await ffmpeg(options, [
    '-f',
    'lavfi',
    '-i',
    videoSource('smptehdbars', width, height, '1'),
    '-frames:v',
    '1',
    ...codec,
    '-f',
    'image2',
    '-update',
    '1',
    path,
  ]);
}

function pad(frame: number, padding: number): string {
  return String(frame).padStart(padding, '0');
}

async function makeSequence(spec: SequenceFixtureSpec, dir: string, options: FixtureOptions): Promise<void> {
  const { width = 160, height = 90, first = 1001, frames = 12, padding = 4, format = 'png', name = 'shot' } = spec;
  await mkdir(dir, { recursive: true });
  const codec = format === 'jpg' ? ['-c:v', 'mjpeg', '-pix_fmt', 'yuvj444p'] : format === 'exr' ? ['-c:v', 'exr', '-pix_fmt', 'gbrpf32le'] : ['-c:v', 'png'];
  const printf = join(dir, `${name}.%0${padding}d.${format}`).replace(/%(?!0\d+d)/g, '%%');
  await ffmpeg(options, [
    '-f',
    'lavfi',
    '-i',
    videoSource('testsrc2', width, height, '24'),
    '-frames:v',
    String(frames),
    ...codec,
    '-f',
    'image2',
    '-start_number',
    String(first),
    printf,
  ]);
  for (const f of spec.missing ?? []) await unlink(join(dir, `${name}.${pad(f, padding)}.${format}`));
}

/** Bump when the way fixtures are made changes, so caches regenerate. */
const FIXTURE_VERSION = 2;

function fixtureKey(spec: FixtureSpec): string {
  return `${spec.kind}-${stableHash({ ...spec, v: FIXTURE_VERSION }).slice(0, 12)}`;
}

const pending = new Map<string, Promise<Fixture>>();

/** Generate (once) and return the fixture described by `spec`. */
export async function ensureFixture(spec: FixtureSpec, options: FixtureOptions = {}): Promise<Fixture> {
  const cacheDir = options.cacheDir ?? defaultFixtureDir();
  const key = `${cacheDir}\0${fixtureKey(spec)}`;
  let promise = pending.get(key);
  if (!promise) {
    promise = generate(spec, cacheDir, options);
    pending.set(key, promise);
    promise.catch(() => pending.delete(key));
  }
  return promise;
}

async function generate(spec: FixtureSpec, cacheDir: string, options: FixtureOptions): Promise<Fixture> {
  await mkdir(cacheDir, { recursive: true });
  const key = fixtureKey(spec);
  if (spec.kind === 'sequence') {
    const { first = 1001, frames = 12, padding = 4, format = 'png', name = 'shot' } = spec;
    const dir = join(cacheDir, key);
    const result: SequenceFixture = {
      kind: 'sequence',
      dir,
      pattern: join(dir, `${name}.%0${padding}d.${format}`),
      hashPattern: join(dir, `${name}.${'#'.repeat(padding)}.${format}`),
      first,
      last: first + frames - 1,
      missing: [...(spec.missing ?? [])].sort((a, b) => a - b),
    };
    if (existsSync(join(dir, '.complete'))) return result;
    const temp = tempName(dir);
    try {
      await makeSequence(spec, temp, options);
      await mkdir(join(temp, '.complete'));
      await rename(temp, dir).catch(async (error: NodeJS.ErrnoException) => {
        // Another worker finished first: keep theirs.
        if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
      });
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
    if (!existsSync(join(dir, '.complete'))) throw new Error(`fixture ${dir} is incomplete`);
    return result;
  }
  const ext = spec.kind === 'still' ? (spec.format ?? 'png') : spec.container === 'mpegts' ? 'm2ts' : (spec.container ?? 'mp4');
  const path = join(cacheDir, `${key}.${ext}`);
  if (existsSync(path) && (await stat(path)).size > 0) return { kind: spec.kind, path };
  const temp = tempName(path);
  try {
    if (spec.kind === 'still') await makeStill(spec, temp, options);
    else await makeMovie(spec, temp, options);
    await rename(temp, path);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  return { kind: spec.kind, path };
}

/** The fixtures the suites and the benchmark use, by name. */
export function mediaFixtures(cacheDir?: string, options: Omit<FixtureOptions, 'cacheDir'> = {}) {
  const opts: FixtureOptions = { ...options, ...(cacheDir ? { cacheDir } : {}) };
  const file = async (spec: MovieFixtureSpec | StillFixtureSpec) => ((await ensureFixture(spec, opts)) as FileFixture).path;
  const sequence = async (spec: Omit<SequenceFixtureSpec, 'kind'>) => (await ensureFixture({ kind: 'sequence', ...spec }, opts)) as SequenceFixture;
  return {
    ensure: (spec: FixtureSpec) => ensureFixture(spec, opts),
    /** 1 s, 320x180, with audio, at 24 / 24000/1001 / 30000/1001 fps. */
    movie24: () => file({ kind: 'movie', rate: '24', frames: 24 }),
    movie23976: () => file({ kind: 'movie', rate: '24000/1001', frames: 48 }),
    movie2997: () => file({ kind: 'movie', rate: '30000/1001', frames: 60 }),
    noAudio: () => file({ kind: 'movie', rate: '24', frames: 24, audio: false }),
    oddSize: () => file({ kind: 'movie', width: 321, height: 181, rate: '24', frames: 12, audio: false }),
    anamorphic: () => file({ kind: 'movie', width: 160, height: 180, sar: '2/1', rate: '24', frames: 12, audio: false }),
    /** moov after mdat (no +faststart). */
    slowStart: () => file({ kind: 'movie', rate: '24', frames: 12, faststart: false }),
    still: () => file({ kind: 'still', format: 'png', width: 320, height: 180 }),
    pngSequence: () => sequence({ format: 'png', frames: 12 }),
    exrSequence: () => sequence({ format: 'exr', frames: 6, name: 'comp' }),
    gappedSequence: () => sequence({ format: 'png', frames: 12, missing: [1004, 1005, 1009], name: 'gappy' }),
    /** 2 s 320x180 23.976 with audio, its frame number drawn on every frame; B-frames, a keyframe every 12. */
    counterMovie: () => file({ kind: 'movie', pattern: 'counter', rate: '24000/1001', frames: 48, preset: 'veryfast', keyframeInterval: 12 }),
    /** 10 s 640x360 without audio: long enough to cancel mid-encode. */
    cancelClip: () => file({ kind: 'movie', width: 640, height: 360, rate: '24', frames: 240, audio: false }),
    /** The benchmark clip: 10 s 1080p 23.976 with audio. */
    bench1080p: () => file({ kind: 'movie', width: 1920, height: 1080, rate: '24000/1001', frames: 240, preset: 'veryfast' }),
  };
}

export type MediaFixtures = ReturnType<typeof mediaFixtures>;
