#!/usr/bin/env node
// wasm benchmark (written to bench/results/wasm.{json,md}):
//  P3  the same plan — 10 s 1080p 23.976 clip → one 720p H.264 mp4 (CRF 23, veryfast, AAC) — on
//      ffmpeg.wasm in Node (WasmNodeEncoder, single-thread core in a worker thread) vs native ffmpeg
//      (libs/encoder-native), both in a child process, interleaved runs      target wasm ≤ 5 × native
//      plus the peak RSS of each child process tree (/proc samples; Node host + ffmpeg for native);
//  and ffmpeg.wasm in Chromium (WasmBrowserEncoder; single-thread core, and the multi-thread core on a
//  cross-origin-isolated page), recorded without a target.
// BENCH_RUNS (default 2) Node runs; BENCH_BROWSER_RUNS (default 1) Chromium runs; BENCH_QUICK=1: 1 run,
// BENCH_SKIP_BROWSER=1 leaves Chromium out. `--child encode <json>` is the encoding child process.
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildBenchEntry, loadBenchLib } from './build-bench-lib.mjs';
import { PAGE_ASSETS, withChromiumPage } from './chromium-bench.mjs';
import {
  benchSettings,
  clipSummary,
  machineInfo,
  machineLine,
  mdTable,
  median,
  REVIEW_720_PROFILE,
  round,
  runNodeChild,
  sampleRss,
  WASM_WORKER_PATH,
  writeResults,
} from './bench-support.mjs';

/** The plan every backend runs: one 720p H.264 review mp4 at CRF 23 veryfast (with AAC, as the clip has audio). */
const PROFILE = REVIEW_720_PROFILE;

/** One encode of the plan in this process: seconds of core start (wasm) and of the encode itself. */
async function encodeChild({ backend, clip, info, outputDir, libPath }) {
  const lib = await import(pathToFileURL(libPath).href);
  const profile = lib.EncodeProfile.parse(PROFILE);
  const plan = lib.planEncode({ source: { kind: 'file', path: clip }, info, profile, outputDir, planId: 'bench' });
  let encoder;
  let loadSeconds = 0;
  if (backend === 'wasm') {
    encoder = new lib.WasmNodeEncoder(new lib.WasmCore({ workerPath: WASM_WORKER_PATH }));
    const start = performance.now();
    await encoder.capabilities(); // starts the worker, loads the core, probes the build
    loadSeconds = (performance.now() - start) / 1000;
  } else {
    const scope = lib.container.createChildContainer();
    lib.registerNativeEncoder(scope);
    encoder = scope.resolve(lib.TOKENS.Encoder);
  }
  const [argv] = await encoder.describe(plan);
  const start = performance.now();
  const produced = await encoder.encode(plan);
  const seconds = (performance.now() - start) / 1000;
  await encoder.dispose?.();
  process.stdout.write(
    `${JSON.stringify({ backend, seconds, loadSeconds, output: produced[0].path, argv, maxRssMB: (process.resourceUsage().maxRSS * 1024) / 1e6 })}\n`,
  );
}

function probeOutput(ffprobe, path) {
  const result = spawnSync(
    ffprobe,
    ['-v', 'error', '-count_packets', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height,nb_read_packets', '-of', 'json', path],
    {
      encoding: 'utf8',
    },
  );
  const [stream] = JSON.parse(result.stdout || '{}').streams ?? [];
  return stream ? { codec: stream.codec_name, width: stream.width, height: stream.height, frames: Number(stream.nb_read_packets) } : undefined;
}

async function main() {
  const { quick, runs: RUNS } = benchSettings(2);
  const BROWSER_RUNS = Math.max(0, Number(process.env.BENCH_BROWSER_RUNS ?? 1));
  const skipBrowser = ['1', 'true'].includes(String(process.env.BENCH_SKIP_BROWSER ?? ''));
  const machine = machineInfo();
  const lib = await loadBenchLib();
  const found = await lib.findFfmpeg();
  if (!found) throw new Error('ffmpeg/ffprobe not found: apt-get install ffmpeg or set FFMPEG_PATH');
  process.stdout.write('preparing the 10 s 1080p 23.976 clip (cached after the first run)...\n');
  const clip = await lib.mediaFixtures().bench1080p();
  const info = lib.parseProbe(JSON.parse(spawnSync(found.ffprobe, lib.probeArgs(clip), { encoding: 'utf8' }).stdout), { path: clip });
  const libPath = await buildBenchEntry(
    'encode-lib',
    [
      "import 'reflect-metadata';",
      "export { container } from 'tsyringe';",
      "export { EncodeProfile, planEncode, TOKENS } from '@ftrack-encode/core';",
      "export { registerNativeEncoder } from '@ftrack-encode/encoder-native';",
      "export { WasmCore, WasmNodeEncoder } from '@ftrack-encode/encoder-wasm';",
    ].join('\n'),
  );
  const work = await mkdtemp(join(tmpdir(), 'ftrack-encode-wasm-bench-'));
  const self = fileURLToPath(import.meta.url);

  try {
    // ---- P3: Node wasm vs native, interleaved, each in its own child process
    const samples = { native: [], wasm: [] };
    const encodeIn = async (backend, run) => {
      const outputDir = join(work, `${backend}-${run}`);
      await mkdir(outputDir, { recursive: true });
      let sampler;
      const result = await runNodeChild([self, '--child', 'encode', JSON.stringify({ backend, clip, info, outputDir, libPath })], {
        onSpawn: (child) => (sampler = sampleRss(child.pid, { intervalMs: 50, tree: true })),
      });
      const rss = sampler.stop();
      const output = probeOutput(found.ffprobe, result.output);
      await rm(outputDir, { recursive: true, force: true });
      return { ...result, peakTreeRssMB: (rss.sampledPeakMiB * 1024 * 1024) / 1e6, output };
    };
    for (let i = 0; i < RUNS; i++) {
      for (const backend of ['native', 'wasm']) {
        const r = await encodeIn(backend, i);
        samples[backend].push(r);
        process.stdout.write(
          `P3 run ${i + 1}/${RUNS} ${backend}: encode ${r.seconds.toFixed(2)} s${backend === 'wasm' ? ` (+ ${r.loadSeconds.toFixed(2)} s core start)` : ''}, peak RSS ${r.peakTreeRssMB.toFixed(0)} MB, output ${r.output?.width}x${r.output?.height} ${r.output?.frames} frames\n`,
        );
      }
    }

    // ---- Chromium: the browser encoder, single-thread and multi-thread core
    let browser = { skipped: true, reason: 'BENCH_SKIP_BROWSER' };
    if (!skipBrowser && BROWSER_RUNS > 0) {
      try {
        browser = await browserRuns({ clip, info, work, runs: BROWSER_RUNS });
      } catch (error) {
        browser = { error: String(error?.stack ?? error).slice(0, 2000) };
        process.stdout.write(`Chromium part failed: ${browser.error}\n`);
      }
    }

    // ---- report
    const nativeSeconds = median(samples.native.map((r) => r.seconds));
    const wasmSeconds = median(samples.wasm.map((r) => r.seconds));
    const wasmWithLoad = median(samples.wasm.map((r) => r.seconds + r.loadSeconds));
    const ratio = wasmSeconds / nativeSeconds;
    const summary = (list) => ({
      medianSeconds: round(median(list.map((r) => r.seconds))),
      peakRssMB: round(Math.max(...list.map((r) => r.peakTreeRssMB)), 1),
      samples: list.map((r) => ({
        seconds: round(r.seconds),
        loadSeconds: round(r.loadSeconds),
        peakTreeRssMB: round(r.peakTreeRssMB, 1),
        childMaxRssMB: round(r.maxRssMB, 1),
        output: r.output,
      })),
      argv: list[0].argv,
    });
    const result = {
      date: new Date().toISOString(),
      runs: RUNS,
      quick,
      machine,
      clip: clipSummary(info),
      profile: PROFILE,
      p3: {
        what: 'encode() of the same plan: WasmNodeEncoder (single-thread @ffmpeg/core in a worker thread, -threads 1) vs NativeEncoder (ffmpeg decides threads); wall time of encode(), core start excluded (reported apart)',
        native: summary(samples.native),
        wasm: { ...summary(samples.wasm), medianCoreStartSeconds: round(median(samples.wasm.map((r) => r.loadSeconds))) },
        ratio: round(ratio),
        ratioIncludingCoreStart: round(wasmWithLoad / nativeSeconds),
        target: 5,
        pass: ratio <= 5,
      },
      chromium: browser,
    };
    const browserRows = [];
    const browserNotes = [];
    if (browser.error) browserNotes.push(`Chromium part failed, no browser numbers: \`${browser.error.split('\n')[0]}\``);
    else if (browser.skipped) browserNotes.push('Chromium part skipped (BENCH_SKIP_BROWSER).');
    else {
      for (const [label, entry] of [
        ['single-thread core', browser.singleThread],
        ['multi-thread core, COOP/COEP page', browser.multiThread],
      ]) {
        if (entry?.error) browserNotes.push(`Chromium ${label} failed: \`${entry.error.split('\n')[0]}\``);
        else if (entry) {
          browserRows.push([
            `Chromium wasm, ${label} (-threads ${entry.threads}): encode`,
            `${entry.medianSeconds} s (${round(entry.medianSeconds / nativeSeconds, 2)} × native)`,
          ]);
        }
      }
    }
    const md = `# wasm benchmark

${result.date} — median of ${RUNS} interleaved Node run(s)${quick ? ' (BENCH_QUICK)' : ''}; Chromium ${browser.runs ?? 0} run(s).

${machineLine(machine)}

Clip: ${result.clip.width}x${result.clip.height} at ${result.clip.frameRate} fps, ${result.clip.frames} frames, audio ${result.clip.audio ? 'yes' : 'no'}.
Plan (every backend): one 720p H.264 mp4, CRF 23, veryfast, keyframe every 12, AAC 192k.

${mdTable([
  [
    'P3 wasm in Node / native, encode wall time',
    `${result.p3.ratio} (${result.p3.wasm.medianSeconds} s / ${result.p3.native.medianSeconds} s)`,
    '≤ 5',
    result.p3.pass,
  ],
  [
    'wasm in Node, core start (worker + core load + build probe)',
    `${result.p3.wasm.medianCoreStartSeconds} s (ratio with it: ${result.p3.ratioIncludingCoreStart})`,
  ],
  ['peak RSS, native (Node host + ffmpeg)', `${result.p3.native.peakRssMB} MB`],
  ['peak RSS, wasm in Node (Node host + worker)', `${result.p3.wasm.peakRssMB} MB`],
  ...browserRows,
])}

Samples (s): native ${result.p3.native.samples.map((s) => s.seconds).join(', ')}; wasm ${result.p3.wasm.samples.map((s) => s.seconds).join(', ')}.
Absolute seconds depend on how busy the machine is (load average above); the ratio is measured in the same run.
${browserNotes.length ? `\n${browserNotes.map((n) => `- ${n}`).join('\n')}\n` : ''}`;
    await writeResults('wasm', result, md);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

// ---------- Chromium

/** The page's script: WasmBrowserEncoder + planEncode, bundled for the browser (@ffmpeg/ffmpeg included). */
const PAGE_ENTRY = `
import { WasmBrowserEncoder } from '@ftrack-encode/encoder-wasm/browser';
import { EncodeProfile, planEncode } from '@ftrack-encode/core';

(globalThis as any).runBench = async ({ mt, info, profile, assets }: { mt: boolean; info: any; profile: unknown; assets: any }) => {
  const file = new File([await (await fetch('/clip.mp4')).blob()], 'clip.mp4', { type: 'video/mp4' });
  const encoder = new WasmBrowserEncoder({ assets: mt ? assets : { ...assets, mt: undefined } });
  let start = performance.now();
  const capabilities = await encoder.capabilities();
  const loadSeconds = (performance.now() - start) / 1000;
  const plan = planEncode({ source: encoder.sourceFor(file), info, profile: EncodeProfile.parse(profile), outputDir: '/out', capabilities, planId: 'bench' });
  const [argv] = await encoder.describe(plan);
  start = performance.now();
  const produced = await encoder.encode(plan);
  const seconds = (performance.now() - start) / 1000;
  const blob = encoder.takeBlob(produced[0]!.path);
  encoder.terminate();
  return { seconds, loadSeconds, outputBytes: blob.size, multiThread: encoder.multiThread, crossOriginIsolated: globalThis.crossOriginIsolated, argv };
};
`;

async function browserRuns({ clip, info, work, runs }) {
  return withChromiumPage({ pageEntry: PAGE_ENTRY, sourcefile: 'wasm-bench-page.ts', fn: 'runBench', clip, work }, async ({ run, version }) => {
    const result = { runs, chromium: version };
    for (const [key, mt] of [
      ['singleThread', false],
      ['multiThread', true],
    ]) {
      const list = [];
      try {
        for (let i = 0; i < runs; i++) {
          const r = await run({ mt, info, profile: PROFILE, assets: PAGE_ASSETS });
          if (mt && !r.multiThread)
            throw new Error(`page not cross-origin isolated (crossOriginIsolated=${r.crossOriginIsolated}): the single-thread core ran`);
          list.push(r);
          process.stdout.write(
            `Chromium ${key} run ${i + 1}/${runs}: encode ${r.seconds.toFixed(2)} s (+ ${r.loadSeconds.toFixed(2)} s core load), ${r.outputBytes} bytes\n`,
          );
        }
        result[key] = {
          threads: list[0].argv.includes('-threads') ? Number(list[0].argv[list[0].argv.indexOf('-threads') + 1]) : 'auto',
          medianSeconds: round(median(list.map((r) => r.seconds))),
          medianCoreLoadSeconds: round(median(list.map((r) => r.loadSeconds))),
          samples: list.map((r) => ({ seconds: round(r.seconds), loadSeconds: round(r.loadSeconds), outputBytes: r.outputBytes })),
          argv: list[0].argv,
        };
      } catch (error) {
        result[key] = { error: String(error?.message ?? error).slice(0, 2000) };
        process.stdout.write(`Chromium ${key} failed: ${result[key].error}\n`);
      }
    }
    return result;
  });
}

// Last, so every constant above is initialised before it runs.
if (process.argv[2] === '--child') {
  await encodeChild(JSON.parse(process.argv[4]));
} else {
  await main();
}
