#!/usr/bin/env node
// Encode benchmarks (written to bench/results/encode.{json,md}):
//  P1  wall time of `ftrack-encode encode` vs raw ffmpeg with the identical argv   target <= 1.03
//  P2  ftrack-review from one decode (split graph) vs one process per output       target <= 0.60
//  Q   the quality gate's extra pass: encode with the gate / without it              target <= 1.10
// P1 runs the tool with --no-quality-gate: it measures the fixed overhead around ffmpeg; Q the gate.
// Source: 10 s 1080p 23.976 clip with audio (generated once by the fixture cache).
// Median of BENCH_RUNS (default 5) interleaved runs; both sides of a ratio come from the same run.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, freemem, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadBenchLib, root } from './build-bench-lib.mjs';
import { clipSummary } from './bench-support.mjs';

const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 5));
const lib = await loadBenchLib();
const found = await lib.findFfmpeg();
if (!found) throw new Error('ffmpeg/ffprobe not found: apt-get install ffmpeg or set FFMPEG_PATH');

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Wall seconds of one process; fails the bench on a non-zero exit. */
function timed(command, args, env = process.env) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - start) / 1000;
      code === 0 ? resolve(seconds) : reject(new Error(`${command} exited ${code}: ${stderr}`));
    });
  });
}

async function cleanDir(dir) {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
}

function firstLine(command, args) {
  return spawnSync(command, args, { encoding: 'utf8' }).stdout.split('\n')[0]?.trim() ?? 'unknown';
}

function findCommands(value) {
  if (!value || typeof value !== 'object') return undefined;
  if (Array.isArray(value.commands) && Array.isArray(value.commands[0])) return value.commands;
  for (const child of Object.values(value)) {
    const found = findCommands(child);
    if (found) return found;
  }
  return undefined;
}

const fixtures = lib.mediaFixtures();
process.stdout.write('preparing the 10 s 1080p 23.976 clip (cached after the first run)...\n');
const clip = await fixtures.bench1080p();
const probe = spawnSync(found.ffprobe, lib.probeArgs(clip), { encoding: 'utf8' });
const info = lib.parseProbe(JSON.parse(probe.stdout), { path: clip });
const profile = new lib.ProfileCatalog().get('ftrack-review');
const work = await mkdtemp(join(tmpdir(), 'ftrack-encode-bench-'));

// ---- P2: one decode for every output vs one process per output
const p2Dir = join(work, 'p2');
const plan = lib.planEncode({ source: { kind: 'file', path: clip }, info, profile, outputDir: p2Dir, planId: 'bench' });
const single = lib.buildEncodeInvocation(plan);
const naive = lib.buildNaiveInvocations(plan);
const p2 = { single: [], naive: [] };
for (let i = 0; i < RUNS; i++) {
  await cleanDir(p2Dir);
  p2.single.push(await timed(found.ffmpeg, single.args));
  await cleanDir(p2Dir);
  let total = 0;
  for (const invocation of naive) total += await timed(found.ffmpeg, invocation.args);
  p2.naive.push(total);
  process.stdout.write(`P2 run ${i + 1}/${RUNS}: single ${p2.single[i].toFixed(2)} s, per-output ${p2.naive[i].toFixed(2)} s\n`);
}

// ---- P1: the tool vs raw ffmpeg with the identical argv
const cliBin = join(root, 'bin', 'ftrack-encode.mjs');
const p1Out = join(work, 'p1-tool');
const rawOut = join(work, 'p1-raw');
let p1Mode = 'cli';
let rawArgv;
let runTool;
if (existsSync(cliBin) && existsSync(join(root, 'apps', 'cli', 'src', 'main.ts'))) {
  await cleanDir(rawOut);
  const dry = spawnSync(process.execPath, [cliBin, 'encode', clip, '--profile', 'ftrack-review', '--out', rawOut, '--dry-run', '--json'], { encoding: 'utf8' });
  try {
    rawArgv = findCommands(JSON.parse(dry.stdout))?.[0];
  } catch {
    rawArgv = undefined;
  }
  if (!rawArgv) process.stdout.write(`CLI dry run gave no commands (exit ${dry.status}): ${dry.stderr.slice(-400)}; measuring the library instead\n`);
  const env = { ...process.env, FTRACK_ENCODE_NO_BUILD: '1' };
  runTool = (gate = false) =>
    timed(process.execPath, [cliBin, 'encode', clip, '--profile', 'ftrack-review', '--out', p1Out, '--quiet', ...(gate ? [] : ['--no-quality-gate'])], env);
}
if (!rawArgv) {
  // No CLI yet: the same use case in-process (probe, plan, encode, validate, hash, commit).
  p1Mode = 'library';
  const scope = lib.container.createChildContainer();
  lib.registerNodePlatform(scope, { logger: lib.silentLogger });
  lib.registerNativeEncoder(scope);
  const encodeMedia = scope.resolve(lib.EncodeMedia);
  await cleanDir(rawOut);
  rawArgv = (await encodeMedia.run(clip, profile, { outputDir: rawOut, dryRun: true })).commands[0];
  runTool = async (gate = false) => {
    const start = performance.now();
    await encodeMedia.run(clip, profile, { outputDir: p1Out, qualityGate: gate });
    return (performance.now() - start) / 1000;
  };
}
const p1 = { tool: [], ffmpeg: [], gated: [] };
for (let i = 0; i < RUNS; i++) {
  await cleanDir(p1Out);
  p1.tool.push(await runTool(false));
  await cleanDir(rawOut);
  p1.ffmpeg.push(await timed(rawArgv[0], rawArgv.slice(1)));
  await cleanDir(p1Out);
  p1.gated.push(await runTool(true));
  process.stdout.write(
    `P1/Q run ${i + 1}/${RUNS} (${p1Mode}): tool ${p1.tool[i].toFixed(2)} s, raw ffmpeg ${p1.ffmpeg[i].toFixed(2)} s, with the quality gate ${p1.gated[i].toFixed(2)} s\n`,
  );
}
await rm(work, { recursive: true, force: true });

// ---- report
const round = (n) => Math.round(n * 1000) / 1000;
const p1Ratio = median(p1.tool) / median(p1.ffmpeg);
const p2Ratio = median(p2.single) / median(p2.naive);
const qRatio = median(p1.gated) / median(p1.tool);
const cpu = cpus();
const result = {
  date: new Date().toISOString(),
  runs: RUNS,
  machine: {
    cpus: cpu.length,
    model: cpu[0]?.model ?? 'unknown',
    memoryGiB: round(totalmem() / 2 ** 30),
    freeMemoryGiB: round(freemem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
    ffmpeg: firstLine(found.ffmpeg, ['-hide_banner', '-version']),
  },
  clip: clipSummary(info),
  outputs: plan.outputs.map((o) => `${o.name} ${o.width}x${o.height} ${o.spec.codec}`),
  p1: {
    what:
      p1Mode === 'cli'
        ? 'node bin/ftrack-encode.mjs encode --profile ftrack-review vs raw ffmpeg with the argv of --dry-run --json'
        : 'EncodeMedia (library, in-process) vs raw ffmpeg with the identical argv',
    mode: p1Mode,
    medianSeconds: { tool: round(median(p1.tool)), ffmpeg: round(median(p1.ffmpeg)) },
    samples: { tool: p1.tool.map(round), ffmpeg: p1.ffmpeg.map(round) },
    ratio: round(p1Ratio),
    target: 1.03,
    pass: p1Ratio <= 1.03,
  },
  qualityGate: {
    what: 'encode --profile ftrack-review with the quality gate (SSIM/PSNR on sampled frames, one extra pass) vs --no-quality-gate',
    medianSeconds: { withGate: round(median(p1.gated)), withoutGate: round(median(p1.tool)) },
    samples: { withGate: p1.gated.map(round), withoutGate: p1.tool.map(round) },
    ratio: round(qRatio),
    target: 1.1,
    pass: qRatio <= 1.1,
  },
  p2: {
    what: 'ftrack-review outputs from one ffmpeg (one decode, split graph) vs one ffmpeg per output, run one after another',
    medianSeconds: { singleDecode: round(median(p2.single)), perOutput: round(median(p2.naive)) },
    samples: { singleDecode: p2.single.map(round), perOutput: p2.naive.map(round) },
    ratio: round(p2Ratio),
    target: 0.6,
    pass: p2Ratio <= 0.6,
  },
};
const md = `# Encode benchmark

${result.date} — median of ${RUNS} interleaved runs.

Machine: ${result.machine.cpus} × ${result.machine.model}, ${result.machine.memoryGiB} GiB RAM, ${result.machine.os}, Node ${result.machine.node}, ${result.machine.ffmpeg}.

Clip: ${result.clip.width}x${result.clip.height} at ${result.clip.frameRate} fps, ${result.clip.frames} frames, audio ${result.clip.audio ? 'yes' : 'no'}.
Outputs (ftrack-review): ${result.outputs.join('; ')}.

| | measured | median (s) | ratio | target | |
|---|---|---|---|---|---|
| P1 | ${result.p1.what} | ${result.p1.medianSeconds.tool} vs ${result.p1.medianSeconds.ffmpeg} | ${result.p1.ratio} | ≤ 1.03 | ${result.p1.pass ? 'pass' : 'FAIL'} |
| Q | ${result.qualityGate.what} | ${result.qualityGate.medianSeconds.withGate} vs ${result.qualityGate.medianSeconds.withoutGate} | ${result.qualityGate.ratio} | ≤ 1.10 | ${result.qualityGate.pass ? 'pass' : 'FAIL'} |
| P2 | ${result.p2.what} | ${result.p2.medianSeconds.singleDecode} vs ${result.p2.medianSeconds.perOutput} | ${result.p2.ratio} | ≤ 0.60 | ${result.p2.pass ? 'pass' : 'FAIL'} |

Samples (s): P1 tool ${result.p1.samples.tool.join(', ')}; ffmpeg ${result.p1.samples.ffmpeg.join(', ')}.
P2 single decode ${result.p2.samples.singleDecode.join(', ')}; per output ${result.p2.samples.perOutput.join(', ')}.
`;
await mkdir(join(root, 'bench', 'results'), { recursive: true });
await writeFile(join(root, 'bench', 'results', 'encode.json'), `${JSON.stringify(result, null, 2)}\n`);
await writeFile(join(root, 'bench', 'results', 'encode.md'), md);
process.stdout.write(`\n${md}`);
