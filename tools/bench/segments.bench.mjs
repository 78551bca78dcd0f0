#!/usr/bin/env node
// Segment-parallel encoding benchmark (written to bench/results/segments.{json,md}): one 720p H.264
// mp4 (CRF 23 veryfast, AAC) of a 20 s 1080p 23.976 clip made with ffmpeg (a keyframe every 2 s), encoded
//  - on ffmpeg.wasm in Node in 2 segments (two worker threads, one core each) vs 1 (one pass)
//                                                              target `wasmRatio` ≤ 0.60
//  - wasm in 2 segments vs native ffmpeg in one pass            target ≤ 2.5
//  - native in 2 segments (two processes) vs one pass           reported (no target on 2 cores)
//  - farm: a 60 s 1080p 23.976 source, `--segments auto`, on a farm of two daemons vs one
//    (threadsPerEncode 1, concurrency 1): auto makes one segment job per daemon seen, so one pass
//    on one daemon vs two segment jobs at once + the join     target `farm.speedup` ≥ 1.7
//  - Chromium: 2 segment web workers (single-thread core each) vs one multi-thread core (-threads 2),
//    on a 10 s clip (the same kind, half as long, so the Chromium part stays under 4 minutes)
//                                                              reported as `chromium` (no target)
// Each encoder run is a child process (`--child encode <json>`); the four variants are interleaved
// and each ratio is a ratio of medians. Segment runs include their audio pass, joins and the start
// of their worker threads; the wasm main core is loaded before the clock starts (as in
// wasm.bench.mjs). The farm part runs daemon PROCESSES from the built bundle on a real Redis, both
// farms started once, rounds interleaved (1 daemon, 2 daemons), the submitter timed end to end
// (source checksum, segment jobs, audio and join steps); the last round's jobs (which daemon, from
// when to when, read from the daemons' log lines) are written beside the figures.
// BENCH_RUNS (default 3); BENCH_QUICK=1: a 10 s clip (5 s in Chromium), 1 run, the farm on a 60 s 640x360 source.
// BENCH_SEGMENTS_PARTS=encoders,chromium,farm (the default) or any of them: the parts left out keep
// their figures from the last run; BENCH_SKIP_BROWSER=1 leaves Chromium out.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
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
  root,
  round,
  runNodeChild,
  startDaemonChild,
  WASM_WORKER_PATH,
  writeResults,
} from './bench-support.mjs';

const PROFILE = REVIEW_720_PROFILE;
const VARIANTS = [
  { backend: 'wasm', segments: 1 },
  { backend: 'wasm', segments: 2 },
  { backend: 'native', segments: 1 },
  { backend: 'native', segments: 2 },
];
const key = (v) => `${v.backend}${v.segments}`;

/** One encode in this process: wall seconds of the encode (segments, audio and joins included). */
async function encodeChild({ backend, segments, clip, info, outputDir, libPath }) {
  const lib = await import(pathToFileURL(libPath).href);
  const plan = lib.planEncode({ source: { kind: 'file', path: clip }, info, profile: lib.EncodeProfile.parse(PROFILE), outputDir, planId: 'bench' });
  let encoder;
  if (backend === 'wasm') {
    encoder = new lib.WasmNodeEncoder(
      new lib.WasmCore({ workerPath: WASM_WORKER_PATH }),
      { segmentWorkers: segments },
      () => new lib.WasmCore({ workerPath: WASM_WORKER_PATH }),
    );
  } else {
    const scope = lib.container.createChildContainer();
    lib.registerNativeEncoder(scope);
    encoder = scope.resolve(lib.TOKENS.Encoder);
  }
  await encoder.capabilities(); // wasm: starts the main worker and loads its core
  const fs = { remove: (path) => rm(path, { force: true }) };
  const start = performance.now();
  if (segments > 1) await lib.encodeInSegments({ encoder, fs, logger: lib.silentLogger }, lib.planSegments(plan, segments));
  else await encoder.encode(plan);
  const seconds = (performance.now() - start) / 1000;
  await encoder.dispose?.();
  process.stdout.write(`${JSON.stringify({ backend, segments, seconds, output: plan.outputs[0].tempPath })}\n`);
}

/**
 * How many cores two busy worker threads of this process really get for a second (the box is
 * shared): about 2 on a quiet 2-core machine, about 1 when something else keeps a core busy, and
 * then no 2-segment run can be faster than one.
 */
async function parallelCpu() {
  const code = `const t = Date.now(); let x = 0; while (Date.now() - t < 1000) x += Math.sqrt(x + 1); require('node:worker_threads').parentPort.postMessage(x);`;
  const start = performance.now();
  const used = process.cpuUsage();
  await Promise.all([0, 1].map(() => new Promise((resolve) => new Worker(code, { eval: true }).once('message', resolve))));
  const { user, system } = process.cpuUsage(used);
  return round((user + system) / 1000 / (performance.now() - start), 2);
}

/**
 * The page's script: the web app's encoder (WasmBrowserEncoder.encodeFile) with 2 segment web workers
 * (single-thread core each) or in one pass on the multi-thread core (-threads 2). The main core is
 * loaded before the clock starts; the segment workers start inside the timed run.
 */
const CHROMIUM_PAGE = `
import { WasmBrowserEncoder } from '@ftrack-encode/encoder-wasm/browser';
import { EncodeProfile } from '@ftrack-encode/core';

(globalThis as any).runSegments = async ({ segments, info, profile, assets }: { segments: number; info: any; profile: unknown; assets: any }) => {
  const file = new File([await (await fetch('/clip.mp4')).blob()], 'clip.mp4', { type: 'video/mp4' });
  const encoder = new WasmBrowserEncoder({ assets, segmentWorkers: 2 });
  await encoder.capabilities();
  const start = performance.now();
  const encoded = await encoder.encodeFile(file, EncodeProfile.parse(profile), { info, segments });
  const seconds = (performance.now() - start) / 1000;
  const bytes = new Uint8Array(await encoded.find((o) => o.planned.spec.kind === 'video')!.blob.arrayBuffer());
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  encoder.terminate();
  return { seconds, multiThread: encoder.multiThread, base64: btoa(text) };
};
`;

/** Chromium, interleaved: 2 segment workers vs the multi-thread core; every output's frames counted natively. */
async function chromiumPart({ lib, found, quick, runs }) {
  const work = await mkdtemp(join(tmpdir(), 'ftrack-encode-segments-chromium-bench-'));
  const frames = quick ? 120 : 240;
  const clip = (
    await lib.mediaFixtures().ensure({ kind: 'movie', width: 1920, height: 1080, rate: '24000/1001', frames, preset: 'veryfast', keyframeInterval: 48 })
  ).path;
  const info = lib.parseProbe(JSON.parse(spawnSync(found.ffprobe, lib.probeArgs(clip), { encoding: 'utf8' }).stdout), { path: clip });
  const samples = { twoWorkers: [], multiThread: [] };
  const version = await withChromiumPage(
    { pageEntry: CHROMIUM_PAGE, sourcefile: 'segments-bench-page.ts', fn: 'runSegments', clip, work },
    async ({ run, version }) => {
      for (let i = 0; i < runs; i++) {
        for (const [key, segments] of [
          ['twoWorkers', 2],
          ['multiThread', 1],
        ]) {
          const r = await run({ segments, info, profile: PROFILE, assets: PAGE_ASSETS });
          if (!r.multiThread) throw new Error('the page is not cross-origin isolated: no multi-thread core to compare with');
          const output = join(work, `chromium-${key}-${i}.mp4`);
          await writeFile(output, Buffer.from(r.base64, 'base64'));
          const outputFrames = countFrames(found.ffprobe, output);
          if (outputFrames !== info.frameCount) throw new Error(`Chromium ${key} wrote ${outputFrames} frames, expected ${info.frameCount}`);
          samples[key].push(r.seconds);
          process.stdout.write(`Chromium run ${i + 1}/${runs} ${key}: ${r.seconds.toFixed(2)} s, ${outputFrames} frames\n`);
        }
      }
      return version;
    },
  ).finally(() => rm(work, { recursive: true, force: true }));
  const twoWorkersSeconds = round(median(samples.twoWorkers));
  const multiThreadSeconds = round(median(samples.multiThread));
  return { chromium: version, clip: clipSummary(info), twoWorkersSeconds, multiThreadSeconds, ratio: round(twoWorkersSeconds / multiThreadSeconds), samples };
}

function countFrames(ffprobe, path) {
  const result = spawnSync(
    ffprobe,
    ['-v', 'error', '-count_packets', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_packets', '-of', 'csv=p=0', path],
    {
      encoding: 'utf8',
    },
  );
  return Number(result.stdout.trim());
}

const FARM_TARGET = 1.7;

/** wasm and native, 1 and 2 segments, interleaved: the encoder figures of the result. */
async function encoderPart({ quick, runs: RUNS, lib, found }) {
  const frames = quick ? 240 : 480;
  process.stdout.write(`preparing the ${frames / 24} s 1080p 23.976 clip (cached after the first run)...\n`);
  // A keyframe every 2 s, like camera and editorial review sources: a segment's seek decodes at most that much extra.
  const clip = (
    await lib.mediaFixtures().ensure({ kind: 'movie', width: 1920, height: 1080, rate: '24000/1001', frames, preset: 'veryfast', keyframeInterval: 48 })
  ).path;
  const cpuCores = await parallelCpu();
  process.stdout.write(`CPU this process gets with two busy threads: ${cpuCores} cores\n`);
  const info = lib.parseProbe(JSON.parse(spawnSync(found.ffprobe, lib.probeArgs(clip), { encoding: 'utf8' }).stdout), { path: clip });
  const libPath = await buildBenchEntry(
    'segments-lib',
    [
      "import 'reflect-metadata';",
      "export { container } from 'tsyringe';",
      "export { EncodeProfile, encodeInSegments, planEncode, planSegments, silentLogger, TOKENS } from '@ftrack-encode/core';",
      "export { registerNativeEncoder } from '@ftrack-encode/encoder-native';",
      "export { WasmCore, WasmNodeEncoder } from '@ftrack-encode/encoder-wasm';",
    ].join('\n'),
  );
  const work = await mkdtemp(join(tmpdir(), 'ftrack-encode-segments-bench-'));
  const self = fileURLToPath(import.meta.url);
  const samples = Object.fromEntries(VARIANTS.map((v) => [key(v), []]));
  try {
    for (let i = 0; i < RUNS; i++) {
      for (const variant of VARIANTS) {
        const outputDir = join(work, `${key(variant)}-${i}`);
        await mkdir(outputDir, { recursive: true });
        const r = await runNodeChild([self, '--child', 'encode', JSON.stringify({ ...variant, clip, info, outputDir, libPath })]);
        const outputFrames = countFrames(found.ffprobe, r.output);
        if (outputFrames !== info.frameCount) throw new Error(`${key(variant)} wrote ${outputFrames} frames, expected ${info.frameCount}`);
        await rm(outputDir, { recursive: true, force: true });
        samples[key(variant)].push(r.seconds);
        process.stdout.write(`run ${i + 1}/${RUNS} ${variant.backend} ${variant.segments} segment(s): ${r.seconds.toFixed(2)} s, ${outputFrames} frames\n`);
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const med = Object.fromEntries(Object.entries(samples).map(([k, list]) => [k, round(median(list))]));
  const wasmRatio = round(med.wasm2 / med.wasm1);
  const wasmVsNative = round(med.wasm2 / med.native1);
  return {
    runs: RUNS,
    quick,
    clip: clipSummary(info),
    cpuCoresAvailableAtStart: cpuCores,
    profile: PROFILE,
    medianSeconds: med,
    samples,
    wasmRatio,
    wasmRatioTarget: 0.6,
    wasmRatioPass: wasmRatio <= 0.6,
    wasmSegmentsVsNative: wasmVsNative,
    wasmSegmentsVsNativeTarget: 2.5,
    wasmSegmentsVsNativePass: wasmVsNative <= 2.5,
    nativeRatio: round(med.native2 / med.native1),
  };
}

/**
 * The farm figure: the same source through `auto` on a farm of one daemon and a farm of two, each
 * its own queue prefix, started once; the submitter (FarmEncoder + the segment orchestration, as
 * `encode --backend farm --segments auto` runs it) timed end to end, rounds interleaved.
 */
async function farmPart({ quick, runs, lib, found }) {
  const size = quick ? { width: 640, height: 360 } : { width: 1920, height: 1080 };
  process.stdout.write(`preparing the 60 s ${size.width}x${size.height} 23.976 farm source (cached after the first run)...\n`);
  const clip = (await lib.mediaFixtures().ensure({ kind: 'movie', ...size, rate: '24000/1001', frames: 1440, preset: 'veryfast', keyframeInterval: 48 })).path;
  const info = lib.parseProbe(JSON.parse(spawnSync(found.ffprobe, lib.probeArgs(clip), { encoding: 'utf8' }).stdout), { path: clip });
  const farmLib = await import(
    pathToFileURL(
      await buildBenchEntry(
        'segments-farm-lib',
        [
          "import 'reflect-metadata';",
          "export { EncodeProfile, encodeInSegments, planEncode, planSegments, resolveSegmentCount, silentLogger } from '@ftrack-encode/core';",
          "export { NodeHasher } from '@ftrack-encode/node-platform';",
          "export { FarmClient, FarmEncoder } from '@ftrack-encode/encoder-farm';",
          "export { startRedis } from '@ftrack-encode/encoder-farm/testing';",
        ].join('\n'),
      ),
    ).href
  );
  const work = await mkdtemp(join(tmpdir(), 'ftrack-encode-segments-farm-bench-'));
  const partStart = performance.now();
  const redis = await farmLib.startRedis();
  const farms = [
    { name: 'oneDaemon', prefix: 'seg-farm-1', count: 1, samples: [], segments: 0, daemons: [] },
    { name: 'twoDaemons', prefix: 'seg-farm-2', count: 2, samples: [], segments: 0, daemons: [] },
  ];
  const daemons = [];
  const fs = { remove: (path) => rm(path, { force: true }) };
  try {
    for (const farm of farms) {
      const configPath = join(work, `${farm.prefix}.config.json`);
      await writeFile(
        configPath,
        JSON.stringify({ farm: { queuePrefix: farm.prefix, threadsPerEncode: 1, concurrency: 1, scratchDir: join(work, 'scratch') } }),
      );
      for (let d = 0; d < farm.count; d++) farm.daemons.push(await startDaemonChild({ name: `d${d}`, configPath, cwd: work, redisUrl: redis.url }));
      daemons.push(...farm.daemons);
      farm.client = new farmLib.FarmClient({ redisUrl: redis.url, prefix: farm.prefix });
      farm.encoder = new farmLib.FarmEncoder(farm.client, new farmLib.NodeHasher());
    }
    const profile = farmLib.EncodeProfile.parse(PROFILE);
    for (let i = 0; i < runs; i++) {
      for (const farm of farms) {
        const workers = (await farm.encoder.capabilities()).segments.workers;
        farm.segments = farmLib.resolveSegmentCount('auto', info.frameCount, info.frameRate, workers);
        const outputDir = await mkdtemp(join(work, `${farm.name}-`));
        const plan = farmLib.planEncode({ source: { kind: 'file', path: clip }, info, profile, outputDir, threads: 1 });
        const wallStart = Date.now();
        const start = performance.now();
        if (farm.segments > 1)
          await farmLib.encodeInSegments({ encoder: farm.encoder, fs, logger: farmLib.silentLogger }, farmLib.planSegments(plan, farm.segments));
        else await farm.encoder.encode(plan);
        const seconds = (performance.now() - start) / 1000;
        const outputFrames = countFrames(found.ffprobe, plan.outputs[0].tempPath);
        if (outputFrames !== info.frameCount) throw new Error(`farm ${farm.name} wrote ${outputFrames} frames, expected ${info.frameCount}`);
        await rm(outputDir, { recursive: true, force: true });
        farm.samples.push(seconds);
        farm.timeline = jobTimeline(farm.daemons, wallStart);
        process.stdout.write(
          `run ${i + 1}/${runs} farm of ${farm.count} daemon(s), ${farm.segments} segment(s): ${seconds.toFixed(2)} s, ${outputFrames} frames\n`,
        );
      }
    }
  } finally {
    for (const farm of farms) await farm.client?.close();
    await Promise.all(daemons.map((d) => d.stop()));
    await redis.stop();
    await rm(work, { recursive: true, force: true });
  }
  const [one, two] = farms.map((f) => round(median(f.samples)));
  const speedup = round(one / two);
  return {
    runs,
    source: { ...clipSummary(info), seconds: round(info.frameCount / (info.frameRate.num / info.frameRate.den), 1) },
    segments: Object.fromEntries(farms.map((f) => [f.name, f.segments])),
    medianSeconds: { oneDaemon: one, twoDaemons: two },
    samples: Object.fromEntries(farms.map((f) => [f.name, f.samples])),
    /** The last round's jobs: which daemon ran each, seconds after the submitter started. */
    timelines: Object.fromEntries(farms.map((f) => [f.name, f.timeline])),
    speedup,
    target: FARM_TARGET,
    pass: speedup >= FARM_TARGET,
    /** The farm part's own wall time (daemon start-up, all rounds), to judge the source size. */
    partSeconds: round((performance.now() - partStart) / 1000, 1),
  };
}

/** Each job the daemons started since `since` (epoch ms), from their log lines: what, where, from when to when (s). */
function jobTimeline(daemons, since) {
  const what = (id) =>
    id.startsWith('step-') ? (id.endsWith('-audio') ? 'audio' : 'join') : /-seg(\d+)-/.test(id) ? `segment ${/-seg(\d+)-/.exec(id)[1]}` : 'one pass';
  const at = (time) => round((time - since) / 1000, 2);
  return daemons
    .flatMap((d) =>
      [...d.started]
        .filter(([, time]) => time >= since)
        .map(([id, time]) => ({ job: what(id), daemon: d.name, start: at(time), end: at(d.completed.get(id) ?? NaN) })),
    )
    .sort((a, b) => a.start - b.start);
}

const timelineText = (jobs) => (jobs ?? []).map((j) => `${j.job} on ${j.daemon} ${j.start}–${j.end} s`).join('; ');

function renderMd(result) {
  const med = result.medianSeconds;
  const farm = result.farm;
  const chromium = result.chromium;
  const chromiumRow =
    chromium?.ratio === undefined
      ? []
      : [
          [
            `Chromium, 2 segment web workers (single-thread core each) / one multi-thread core (-threads 2), ${chromium.clip.frames}-frame clip`,
            `${chromium.ratio} (${chromium.twoWorkersSeconds} s / ${chromium.multiThreadSeconds} s)`,
          ],
        ];
  const farmRow = farm
    ? [
        [
          `farm, ${farm.source.seconds} s ${farm.source.width}x${farm.source.height}, \`auto\`: 2 daemons / 1 daemon throughput (\`farm.speedup\`)`,
          `${farm.speedup} (${farm.medianSeconds.oneDaemon} s / ${farm.medianSeconds.twoDaemons} s; ${farm.segments.oneDaemon} vs ${farm.segments.twoDaemons} segments)`,
          `≥ ${farm.target}`,
          farm.pass,
        ],
      ]
    : [];
  return `# segments benchmark

${result.date} — median of ${result.runs} interleaved run(s)${result.quick ? ' (BENCH_QUICK)' : ''}, each in its own child process.

${machineLine(result.machine)} Two busy threads of this process got ${result.cpuCoresAvailableAtStart} cores at the start (a shared box gives less than 2).

Clip: ${result.clip.width}x${result.clip.height} at ${result.clip.frameRate} fps, ${result.clip.frames} frames, a keyframe every 48, audio ${result.clip.audio ? 'yes' : 'no'}.
Plan: one 720p H.264 mp4, CRF 23, veryfast, keyframe every 12, AAC 192k. Segment runs include the audio pass, the joins
and starting their worker threads.

${mdTable([
  ['wasm in Node, 2 segments / 1 segment (`wasmRatio`)', `${result.wasmRatio} (${med.wasm2} s / ${med.wasm1} s)`, '≤ 0.60', result.wasmRatioPass],
  [
    'wasm in Node, 2 segments / native one pass',
    `${result.wasmSegmentsVsNative} (${med.wasm2} s / ${med.native1} s)`,
    '≤ 2.5',
    result.wasmSegmentsVsNativePass,
  ],
  ['native, 2 segments / 1 segment', `${result.nativeRatio} (${med.native2} s / ${med.native1} s)`],
  ...chromiumRow,
  ...farmRow,
])}
${chromium?.error ? `\nChromium part failed, no browser numbers: \`${chromium.error.split('\n')[0]}\`\n` : chromium ? '' : '\nChromium part not run (BENCH_SKIP_BROWSER).\n'}

Samples (s): ${Object.entries({
    ...result.samples,
    ...(chromium?.samples ? { chromiumTwoWorkers: chromium.samples.twoWorkers, chromiumMultiThread: chromium.samples.multiThread } : {}),
  })
    .map(([k, list]) => `${k} ${list.map((s) => round(s, 2)).join(', ')}`)
    .join('; ')}.
Absolute seconds depend on how busy the machine is (load average above); the ratios are measured in the same run.
${
  farm
    ? `
Farm (${farm.date ?? result.date}, load average at its start ${farm.loadAverageAtStart?.join(' / ') ?? 'as above'}): daemon processes from the built bundle, \`threadsPerEncode\` 1 and
concurrency 1 each, on one Redis; the same plan as above from a ${farm.source.seconds} s ${farm.source.width}x${farm.source.height} ${farm.source.frameRate} source, \`--segments auto\`
(one segment per daemon seen: one pass on the 1-daemon farm, two segment jobs at once plus the audio and join steps on
the 2-daemon farm), timed at the submitter from the source checksum to the joined file, median of ${farm.runs} interleaved round(s).
A full run takes a 1080p source as in the issue, BENCH_QUICK a 640x360 one (this run: ${farm.source.width}x${farm.source.height}); this farm part took ${farm.partSeconds} s, the source generation (cached) not included.
Samples (s): 1 daemon ${farm.samples.oneDaemon.map((s) => round(s, 2)).join(', ')}; 2 daemons ${farm.samples.twoDaemons.map((s) => round(s, 2)).join(', ')}.
${farm.timelines ? `Last round, each job from its daemon's log (s after the submitter started): 1 daemon: ${timelineText(farm.timelines.oneDaemon)}; 2 daemons: ${timelineText(farm.timelines.twoDaemons)}.\n` : ''}`
    : ''
}`;
}

async function main() {
  const { quick, runs } = benchSettings(3);
  const parts = (process.env.BENCH_SEGMENTS_PARTS ?? 'encoders,chromium,farm')
    .split(',')
    .filter((p) => p !== 'chromium' || process.env.BENCH_SKIP_BROWSER !== '1');
  const machine = machineInfo();
  const lib = await loadBenchLib();
  const found = await lib.findFfmpeg();
  if (!found) throw new Error('ffmpeg/ffprobe not found: apt-get install ffmpeg or set FFMPEG_PATH');
  const previous = JSON.parse(readFileSync(join(root, 'bench', 'results', 'segments.json'), 'utf8'));
  const date = new Date().toISOString();
  const encoders = parts.includes('encoders') ? { date, machine, ...(await encoderPart({ quick, runs, lib, found })) } : previous;
  const farm = parts.includes('farm')
    ? { date, loadAverageAtStart: machine.loadAverageAtStart, quick, ...(await farmPart({ quick, runs, lib, found })) }
    : previous.farm;
  let chromium = previous.chromium;
  if (parts.includes('chromium')) {
    chromium = await chromiumPart({ lib, found, quick, runs }).catch((error) => {
      process.stdout.write(`Chromium part failed: ${String(error?.stack ?? error)}\n`);
      return { error: String(error?.stack ?? error).slice(0, 2000) };
    });
  }
  const result = { ...encoders, ...(chromium ? { chromium } : {}), ...(farm ? { farm } : {}) };
  await writeResults('segments', result, renderMd(result));
}

if (process.argv[2] === '--child') {
  await encodeChild(JSON.parse(process.argv[4]));
} else {
  await main();
}
