// The Encoder contract for WasmBrowserEncoder in real Chromium: the same behaviours as
// describeEncoderContract (libs/testing), run inside a page bundled with esbuild, with our own
// served @ffmpeg cores — single-thread on a plain page, multi-thread on a cross-origin isolated
// one. Node generates the media (native ffmpeg), hands it to the page through an
// <input type=file>, and re-checks the downloaded outputs with native ffprobe. Beyond the
// Node contract: several picked image files encode as one image sequence (encodeFiles).
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { checkOutput, type MediaSource, type PlannedOutput } from '@ftrack-encode/core';
import { parseProbe, probeArgs } from '@ftrack-encode/ffmpeg';
import { frameExactness, mediaFixtures } from '@ftrack-encode/testing';
import { build } from 'esbuild';
import { execa } from 'execa';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, listenOnLoopback, REPO_ROOT, type StaticServer, type TestBrowser } from './support/browser.js';

const ENCODE_TIMEOUT = 180_000;

/**
 * The page's side of the contract. It imports the contract profiles from their vitest-free
 * module (the package index pulls in vitest and node:fs) and exposes one function per behaviour.
 */
const HARNESS = `
import { WasmBrowserEncoder } from '@ftrack-encode/encoder-wasm/browser';
import { checkOutput, planEncode } from '@ftrack-encode/core';
import { CONTRACT_PROFILE, CONTRACT_SLOW_PROFILE } from './libs/testing/src/contract-profile.ts';

// Every web worker the page starts and stops: each ffmpeg.wasm core is one (@ffmpeg/ffmpeg's worker).
const workers = { created: 0, terminated: 0 };
const PageWorker = window.Worker;
window.Worker = class extends PageWorker {
  constructor(...args) {
    super(...args);
    workers.created++;
  }
  terminate() {
    workers.terminated++;
    super.terminate();
  }
};

const origin = location.origin;
const encoder = new WasmBrowserEncoder({
  assets: {
    coreURL: origin + '/ffmpeg/st/ffmpeg-core.js',
    wasmURL: origin + '/ffmpeg/st/ffmpeg-core.wasm',
    mt: { coreURL: origin + '/ffmpeg/mt/ffmpeg-core.js', wasmURL: origin + '/ffmpeg/mt/ffmpeg-core.wasm', workerURL: origin + '/ffmpeg/mt/ffmpeg-core.worker.js' },
    // esbuild leaves @ffmpeg/ffmpeg's new URL('./worker.js', import.meta.url) alone: serve it bundled.
    classWorkerURL: origin + '/ffmpeg-worker.js',
  },
});

function picked(index = 0) {
  const file = document.querySelector('#pick').files[index];
  if (!file) throw new Error('no file picked at ' + index);
  return file;
}

const errorOf = (e) => ({ code: e && e.code ? e.code : null, message: String(e && e.message ? e.message : e) });

async function toBase64(blob) {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

async function planFor(file, profile) {
  const source = encoder.sourceFor(file);
  const info = await encoder.probeFile(file);
  return planEncode({ source, info, profile, outputDir: '/out', capabilities: await encoder.capabilities() });
}

/** Whether encode() kept a Blob for any planned output (it must not after a failure). */
function keptBlobs(plan) {
  return plan.outputs.filter((o) => {
    try {
      encoder.takeBlob(o.tempPath);
      return true;
    } catch {
      return false;
    }
  }).map((o) => o.name);
}

window.contract = {
  isolation: () => ({ crossOriginIsolated: globalThis.crossOriginIsolated === true, multiThread: encoder.multiThread }),
  async capabilities() {
    const caps = await encoder.capabilities();
    return { encoderId: encoder.id, id: caps.id, codecs: caps.codecs, sequences: caps.sequences, version: caps.version };
  },
  async encodeMovie() {
    const plan = await planFor(picked(), CONTRACT_PROFILE);
    const commands = await encoder.describe(plan);
    const seen = [];
    const produced = await encoder.encode(plan, { onProgress: (p) => seen.push(p) });
    const outputs = [];
    for (const p of produced) {
      const planned = plan.outputs.find((o) => o.name === p.name);
      const blob = encoder.takeBlob(p.path);
      // The page's own probe (ffprobe in the core) of what the encoder wrote.
      const info = await encoder.probeFile(new File([blob], p.path.slice(p.path.lastIndexOf('/') + 1)));
      outputs.push({ name: p.name, path: p.path, planned, pageProblems: planned ? checkOutput(planned, info) : ['not planned'], base64: await toBase64(blob) });
    }
    return {
      planned: plan.outputs.map((o) => o.name),
      commandsAreStrings: commands.length > 0 && commands.every((c) => c.every((a) => typeof a === 'string')),
      outputs,
      percents: seen.filter((p) => p.stage === 'encode' && p.percent !== undefined).map((p) => p.percent),
    };
  },
  /** Every picked file is a frame: one image sequence (encodeFiles), checked like encodeMovie. */
  async encodeSequence(segments) {
    const files = [...document.querySelector('#pick').files];
    const source = encoder.sourceForFiles(files);
    const encoded = await encoder.encodeFiles(files, CONTRACT_PROFILE, segments ? { segments } : {});
    const outputs = [];
    for (const { name, blob, planned } of encoded) {
      const info = await encoder.probeFile(new File([blob], planned.tempPath.slice(planned.tempPath.lastIndexOf('/') + 1)));
      outputs.push({ name, path: planned.tempPath, planned, pageProblems: checkOutput(planned, info), base64: await toBase64(blob) });
    }
    return { source, outputs };
  },
  /** encodeFile with segments: each on its own web worker, the audio once, stream-copy joins. */
  async encodeSegments(count) {
    const seen = [];
    const caps = await encoder.capabilities();
    const encoded = await encoder.encodeFile(picked(), CONTRACT_PROFILE, { segments: count, onProgress: (p) => seen.push(p) });
    const outputs = [];
    for (const { name, blob, planned } of encoded) outputs.push({ name, path: planned.tempPath, planned, pageProblems: [], base64: await toBase64(blob) });
    return {
      workers: caps.segments.workers,
      // Cores are pooled: an earlier segmented encode may have started them already.
      workersAlive: workers.created - workers.terminated,
      messages: seen.map((p) => p.message).filter(Boolean),
      outputs,
      percents: seen.filter((p) => p.stage === 'encode' && p.percent !== undefined).map((p) => p.percent),
      held: encoder.heldOutputs(),
    };
  },
  /** The join check's meter on real pictures: the review output against its own source and against the second picked file. */
  async measureReview(frames) {
    const own = await planFor(picked(0), CONTRACT_PROFILE);
    const other = await planFor(picked(1), CONTRACT_PROFILE);
    await encoder.encode(own);
    const review = own.outputs.find((o) => o.name === 'review');
    const ssim = async (plan) => (await encoder.measure(plan, [{ planned: review, path: review.tempPath }], frames)).get('review').map((s) => s.ssim);
    const result = { own: await ssim(own), other: await ssim(other) };
    keptBlobs(own);
    return { ...result, held: encoder.heldOutputs() };
  },
  /** Cancel a segmented encode once the segments make progress: every busy worker stops, nothing kept. */
  async cancelSegments() {
    const before = { ...workers };
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 4000);
    const result = await encoder
      .encodeFile(picked(), CONTRACT_SLOW_PROFILE, {
        segments: 2,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.stage === 'encode' && (p.percent ?? 0) > 0) controller.abort();
        },
      })
      .then((produced) => ({ produced }), (e) => ({ error: errorOf(e) }));
    clearTimeout(timer);
    return { ...result, terminated: workers.terminated - before.terminated, held: encoder.heldOutputs() };
  },
  async cancelMidEncode() {
    const plan = await planFor(picked(), CONTRACT_SLOW_PROFILE);
    const controller = new AbortController();
    // Abort once frames are flowing (or after 2 s if progress is rare).
    const timer = setTimeout(() => controller.abort(), 2000);
    let framesSeen = 0;
    const result = await encoder
      .encode(plan, {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.stage !== 'encode' || !p.frame) return;
          framesSeen = p.frame;
          controller.abort();
        },
      })
      .then((produced) => ({ produced }), (e) => ({ error: errorOf(e) }));
    clearTimeout(timer);
    return { ...result, framesSeen, sourceFrames: plan.info.frameCount, kept: keptBlobs(plan) };
  },
  async alreadyAborted() {
    const plan = await planFor(picked(), CONTRACT_PROFILE);
    const result = await encoder.encode(plan, { signal: AbortSignal.abort() }).then((produced) => ({ produced }), (e) => ({ error: errorOf(e) }));
    return { ...result, kept: keptBlobs(plan) };
  },
  async notMedia() {
    // Plan from a real movie (file 0), then encode a text file (file 1) with that plan.
    const plan = await planFor(picked(0), CONTRACT_PROFILE);
    const bogus = { ...plan, source: encoder.sourceFor(picked(1)) };
    const result = await encoder.encode(bogus).then((produced) => ({ produced }), (e) => ({ error: errorOf(e) }));
    return { ...result, kept: keptBlobs(plan) };
  },
};
document.body.dataset.state = 'ready';
`;

const PAGE =
  '<!doctype html><meta charset="utf-8"><title>encoder contract</title><body><input id="pick" type="file" multiple><script type="module" src="/harness.js"></script></body>';

const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.wasm': 'application/wasm' };

async function bundle(options: { stdin?: string; entry?: string }): Promise<string> {
  const result = await build({
    ...(options.stdin ? { stdin: { contents: options.stdin, resolveDir: REPO_ROOT, loader: 'ts' as const } } : { entryPoints: [options.entry!] }),
    absWorkingDir: REPO_ROOT,
    tsconfig: join(REPO_ROOT, 'tsconfig.base.json'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/** The esm build directory of an @ffmpeg core package (its "exports" hide the files). */
function coreDir(pkg: string): string {
  const require = createRequire(join(REPO_ROOT, 'package.json'));
  return dirname(require.resolve(pkg).replace(/[\\/]umd[\\/]/, '/esm/'));
}

/** The harness page, its bundle and our own ffmpeg cores; COOP/COEP only when `isolated`. */
async function serveHarness(files: { harness: string; worker: string }, isolated: boolean): Promise<StaticServer> {
  const cores: Record<string, string> = { st: coreDir('@ffmpeg/core'), mt: coreDir('@ffmpeg/core-mt') };
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const headers: Record<string, string> = isolated ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {};
    const send = (type: string, body: string | Buffer): void => void res.writeHead(200, { ...headers, 'Content-Type': type }).end(body);
    if (path === '/') return send('text/html; charset=utf-8', PAGE);
    if (path === '/harness.js') return send(TYPES['.js']!, files.harness);
    if (path === '/ffmpeg-worker.js') return send(TYPES['.js']!, files.worker);
    const core = /^\/ffmpeg\/(st|mt)\/(ffmpeg-core(?:\.worker)?\.(?:js|wasm))$/.exec(path);
    if (!core) return void res.writeHead(404, headers).end();
    const file = join(cores[core[1]!]!, core[2]!);
    if (!existsSync(file) || !statSync(file).isFile()) return void res.writeHead(404, headers).end();
    readFile(file).then(
      (body) => send(TYPES[extname(file)]!, body),
      () => res.writeHead(500, headers).end(),
    );
  });
  return listenOnLoopback(server);
}

interface PageError {
  code: string | null;
  message: string;
}
interface Outcome {
  produced?: unknown[];
  error?: PageError;
  kept: string[];
}
interface EncodedOutput {
  name: string;
  path: string;
  planned: PlannedOutput;
  pageProblems: unknown[];
  base64: string;
}
interface MovieResult {
  planned: string[];
  commandsAreStrings: boolean;
  outputs: EncodedOutput[];
  percents: number[];
}
interface Harness {
  isolation(): { crossOriginIsolated: boolean; multiThread: boolean };
  capabilities(): Promise<{ encoderId: string; id: string; codecs: string[]; sequences: boolean; version: string }>;
  encodeMovie(): Promise<MovieResult>;
  encodeSequence(segments?: number): Promise<{ source: MediaSource; outputs: EncodedOutput[] }>;
  encodeSegments(
    count: number,
  ): Promise<{ workers: number; workersAlive: number; messages: string[]; outputs: EncodedOutput[]; percents: number[]; held: string[] }>;
  measureReview(frames: number[]): Promise<{ own: number[]; other: number[]; held: string[] }>;
  cancelSegments(): Promise<Omit<Outcome, 'kept'> & { terminated: number; held: string[] }>;
  cancelMidEncode(): Promise<Outcome & { framesSeen: number; sourceFrames: number }>;
  alreadyAborted(): Promise<Outcome>;
  notMedia(): Promise<Outcome>;
}
type Call = keyof Harness;

const fixtures = mediaFixtures();
let browser: TestBrowser;
let scratch: string;
let files: { harness: string; worker: string };

beforeAll(async () => {
  files = {
    harness: await bundle({ stdin: HARNESS }),
    worker: await bundle({ entry: join(REPO_ROOT, 'node_modules/@ffmpeg/ffmpeg/dist/esm/worker.js') }),
  };
  scratch = await mkdtemp(join(tmpdir(), 'wasm-browser-contract-'));
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** Native ffprobe of bytes the page produced. */
async function nativeProbe(name: string, base64: string) {
  const path = join(scratch, `${Date.now()}-${name}`);
  await writeFile(path, Buffer.from(base64, 'base64'));
  const { stdout } = await execa('ffprobe', probeArgs(path));
  return parseProbe(JSON.parse(stdout), { path });
}

describe.each([
  { variant: 'single-thread core, plain page', isolated: false },
  { variant: 'multi-thread core, cross-origin isolated page', isolated: true },
])('WasmBrowserEncoder contract in Chromium: $variant', ({ isolated }) => {
  let server: StaticServer;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await serveHarness(files, isolated);
    page = await browser.context.newPage();
    page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`);
    });
    await page.goto(`${server.origin}/`);
    await page.waitForSelector('body[data-state="ready"]');
  }, 60_000);

  afterAll(async () => {
    await page?.close();
    await server?.close();
  });

  async function call<K extends Call>(
    name: K,
    picks: Parameters<Page['setInputFiles']>[1] = [],
    ...args: Parameters<Harness[K]>
  ): Promise<Awaited<ReturnType<Harness[K]>>> {
    await page.setInputFiles('#pick', picks);
    const result: unknown = await page.evaluate(
      ([fn, fnArgs]: [Call, unknown[]]): unknown => (window as unknown as { contract: Record<Call, (...a: unknown[]) => unknown> }).contract[fn](...fnArgs),
      [name, args] as [Call, unknown[]],
    );
    return result as Awaited<ReturnType<Harness[K]>>;
  }

  it('runs the core the page can run', async () => {
    expect(await call('isolation')).toEqual({ crossOriginIsolated: isolated, multiThread: isolated });
  });

  it(
    'declares its capabilities (no sequences from one picked file)',
    async () => {
      const caps = await call('capabilities');
      expect(caps.id).toBe(caps.encoderId);
      expect(caps.codecs).toEqual(expect.arrayContaining(['h264', 'mjpeg']));
      expect(caps.sequences).toBe(false);
      expect(caps.version.length).toBeGreaterThan(0);
    },
    ENCODE_TIMEOUT,
  );

  it(
    'encodes a movie into every planned output, frame-exact at 23.976 fps',
    async () => {
      const movie = await fixtures.ensure({ kind: 'movie', width: 160, height: 90, rate: '24000/1001', frames: 48 });
      const result = await call('encodeMovie', movie.kind === 'movie' ? movie.path : []);
      expect(result.commandsAreStrings).toBe(true);
      expect(result.outputs.map((o) => o.name).sort()).toEqual([...result.planned].sort());
      expect(result.planned.sort()).toEqual(['review', 'thumbnail']);
      for (const output of result.outputs) {
        expect(output.path).toBe(output.planned.tempPath);
        expect(output.pageProblems, `${output.name} probed in the page`).toEqual([]);
        expect(
          checkOutput(output.planned, await nativeProbe(output.path.slice(output.path.lastIndexOf('/') + 1), output.base64)),
          `${output.name} probed natively`,
        ).toEqual([]);
      }
      const review = result.outputs.find((o) => o.name === 'review')!;
      expect(review.planned.withAudio).toBe(true);
      expect(review.planned.frameCount).toBe(48);
      expect(review.planned.frameRate).toMatchObject({ num: 24000, den: 1001 });
    },
    ENCODE_TIMEOUT,
  );

  it(
    'encodes several picked image files as one image sequence (encodeFiles)',
    async () => {
      const sequence = await fixtures.ensure({ kind: 'sequence', format: 'png', width: 160, height: 90, frames: 12 });
      if (sequence.kind !== 'sequence') throw new Error('expected a sequence fixture');
      const frames = (await readdir(sequence.dir)).filter((n) => n.endsWith('.png')).map((n) => join(sequence.dir, n));
      const { source, outputs } = await call('encodeSequence', frames);
      expect(source).toMatchObject({ kind: 'sequence', first: sequence.first, last: sequence.last, missing: [] });
      expect(outputs.map((o) => o.name).sort()).toEqual(['review', 'thumbnail']);
      for (const output of outputs) {
        expect(output.pageProblems, `${output.name} probed in the page`).toEqual([]);
        expect(
          checkOutput(output.planned, await nativeProbe(`seq-${output.path.slice(output.path.lastIndexOf('/') + 1)}`, output.base64)),
          `${output.name} probed natively`,
        ).toEqual([]);
      }
      expect(outputs.find((o) => o.name === 'review')?.planned.frameCount).toBe(12);
    },
    ENCODE_TIMEOUT,
  );

  it(
    'encodes picked image files in 3 segments: every frame, valid',
    async () => {
      const sequence = await fixtures.ensure({ kind: 'sequence', format: 'png', width: 160, height: 90, frames: 12 });
      if (sequence.kind !== 'sequence') throw new Error('expected a sequence fixture');
      const frames = (await readdir(sequence.dir)).filter((n) => n.endsWith('.png')).map((n) => join(sequence.dir, n));
      const { outputs } = await call('encodeSequence', frames, 3);
      const review = outputs.find((o) => o.name === 'review')!;
      expect(review.pageProblems).toEqual([]);
      const info = await nativeProbe(`seq-seg-${review.path.slice(review.path.lastIndexOf('/') + 1)}`, review.base64);
      expect(checkOutput(review.planned, info)).toEqual([]);
      expect(info.frameCount).toBe(12);
    },
    ENCODE_TIMEOUT,
  );

  it(
    'reports monotonic encode progress that ends at 99 % or more',
    async () => {
      const movie = await fixtures.ensure({ kind: 'movie', width: 160, height: 90, rate: '30000/1001', frames: 60 });
      const { percents } = await call('encodeMovie', movie.kind === 'movie' ? movie.path : []);
      expect(percents.length).toBeGreaterThan(0);
      for (let i = 1; i < percents.length; i++) expect(percents[i]!).toBeGreaterThanOrEqual(percents[i - 1]!);
      expect(percents[percents.length - 1]!).toBeGreaterThanOrEqual(99);
      expect(Math.max(...percents)).toBeLessThanOrEqual(100);
    },
    ENCODE_TIMEOUT,
  );

  it(
    'encodes a movie in 2 segments on 2 web workers and joins them: every frame where it belongs, valid, nothing left over',
    async () => {
      const source = await fixtures.counterMovie();
      const result = await call('encodeSegments', source, 2);
      expect(result.workers).toBeGreaterThanOrEqual(1);
      // Two segments were encoded and joined, each on a core of its own beside the page's main core.
      expect(result.messages).toContain('joining 2 segments');
      // The joins were checked in the page: the frames either side of the boundary against the source.
      expect(result.messages).toContain('segment joins: SSIM on 2 frames');
      expect(result.workersAlive).toBeGreaterThanOrEqual(3);
      expect(result.outputs.map((o) => o.name).sort()).toEqual(['review', 'thumbnail']);
      for (const output of result.outputs) {
        const path = join(scratch, `seg-${isolated ? 'mt' : 'st'}-${output.path.slice(output.path.lastIndexOf('/') + 1)}`);
        await writeFile(path, Buffer.from(output.base64, 'base64'));
        const { stdout } = await execa('ffprobe', probeArgs(path));
        expect(checkOutput(output.planned, parseProbe(JSON.parse(stdout), { path })), `${output.name} probed natively`).toEqual([]);
        if (output.planned.spec.kind !== 'video') continue;
        const { same, misplaced } = await frameExactness(path, source);
        expect(same, output.name).toHaveLength(48);
        expect(misplaced, output.name).toEqual([]);
      }
      // One bar over both segments and the joins: it never goes back, and ends at 100.
      for (let i = 1; i < result.percents.length; i++) expect(result.percents[i]!).toBeGreaterThanOrEqual(result.percents[i - 1]!);
      expect(result.percents.at(-1)).toBe(100);
      expect(result.held).toEqual([]);
    },
    ENCODE_TIMEOUT,
  );

  it(
    'measures encoded frames against the source in the page (the segment-join check): its own source matches, another does not',
    async () => {
      const counter = await fixtures.counterMovie();
      const other = await fixtures.movie23976();
      const result = await call('measureReview', [counter, other], [23, 24]);
      expect(result.own).toHaveLength(2);
      // The join check's bar for this output is its own gate (the contract review's minSsim 0.9, a tiny picture).
      for (const ssim of result.own) expect(ssim).toBeGreaterThanOrEqual(0.9);
      expect(result.other).toHaveLength(2);
      for (const ssim of result.other) expect(ssim).toBeLessThan(0.85);
      expect(result.held).toEqual([]);
    },
    ENCODE_TIMEOUT,
  );

  it(
    'cancels a segmented encode: E_CANCELLED, the busy workers terminated, no output kept',
    async () => {
      const result = await call('cancelSegments', await fixtures.cancelClip());
      expect(result.error?.code, JSON.stringify(result)).toBe('E_CANCELLED');
      expect(result.produced).toBeUndefined();
      expect(result.terminated).toBeGreaterThanOrEqual(2);
      expect(result.held).toEqual([]);
    },
    ENCODE_TIMEOUT,
  );

  it(
    'cancels mid-encode: E_CANCELLED and no output returned',
    async () => {
      const result = await call('cancelMidEncode', await fixtures.cancelClip());
      expect(result.error?.code, JSON.stringify(result)).toBe('E_CANCELLED');
      expect(result.produced).toBeUndefined();
      expect(result.framesSeen).toBeLessThan(result.sourceFrames);
      expect(result.kept).toEqual([]);
    },
    ENCODE_TIMEOUT,
  );

  it(
    'refuses to start when the signal is already aborted',
    async () => {
      const result = await call('alreadyAborted', await fixtures.movie24());
      expect(result.error?.code, JSON.stringify(result)).toBe('E_CANCELLED');
      expect(result.kept).toEqual([]);
    },
    ENCODE_TIMEOUT,
  );

  it(
    'fails cleanly on an input that is not media: no output returned',
    async () => {
      // setInputFiles takes paths or payloads, not both: the movie as a payload too.
      const result = await call('notMedia', [
        { name: 'movie24.mp4', mimeType: 'video/mp4', buffer: await readFile(await fixtures.movie24()) },
        { name: 'not-media.mp4', mimeType: 'video/mp4', buffer: Buffer.from('this is a text file, not a movie\n'.repeat(100)) },
      ]);
      expect(result.error?.code ?? 'none', JSON.stringify(result)).toMatch(/^E_(ENCODER_FAILED|SOURCE_UNREADABLE)$/);
      expect(result.produced).toBeUndefined();
      expect(result.kept).toEqual([]);
      expect(
        pageErrors.filter((e) => e.startsWith('pageerror')),
        'uncaught errors in the page',
      ).toEqual([]);
    },
    ENCODE_TIMEOUT,
  );
});
