#!/usr/bin/env node
// Encode benchmarks (written to bench/results/encode.{json,md}):
//  P1  wall time of `ftrack-encode encode` vs raw ffmpeg with the identical argv   target <= 1.03
//      (and the CPU seconds of both process trees, which stay comparable on a busy box)
//  P2  ftrack-review from one decode (split graph) vs one process per output       target <= 0.60
//      on the H.264 clip (p2) and on expensive-to-decode sources (p2Expensive: ProRes 4444 4K 1 s
//      and a 1080p half-float EXR sequence, generated once into .cache/bench)
//  Q   the quality gate's extra pass: encode with the gate / without it              target <= 1.10
//      and its breakdown (qualityGateCpu): the gate's pass alone on one encode's outputs, CPU (user+sys
//      of its ffmpeg processes) and wall, as it runs (seeks, one process per output) vs decoding the
//      outputs whole in one process (as it did before) and whole in one process per output
// P1 runs the tool with --no-quality-gate: it measures the fixed overhead around ffmpeg; Q the gate.
// One more run with --verbose gives P1's breakdown (the CLI's stage marks, ms since its start).
// Source: 10 s 1080p 23.976 clip with audio (generated once by the fixture cache).
// Median of BENCH_RUNS (default 5) interleaved runs; both sides of a ratio come from the same run.
// BENCH_ONLY=p1 runs P1 alone (its runs and breakdown) and keeps the other figures of the last full run.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { cpus, freemem, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadBenchLib, root } from './build-bench-lib.mjs';
import { clipSummary } from './bench-support.mjs';

const loadAtStart = loadavg().map((n) => Math.round(n * 100) / 100);
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 5));
const lib = await loadBenchLib();
const found = await lib.findFfmpeg();
if (!found) throw new Error('ffmpeg/ffprobe not found: apt-get install ffmpeg or set FFMPEG_PATH');

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * CPU seconds (user + system) of this process's finished children and everything they waited for,
 * from /proc/self/stat (cutime, cstime; 100 ticks a second): robust where wall time is not, on a
 * box shared with other jobs.
 */
function childrenCpuSeconds() {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** Wall seconds of one process; fails the bench on a non-zero exit. `onCpu` gets the CPU seconds of its whole tree. */
function timed(command, args, env = process.env, onCpu = () => undefined) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const cpuBefore = childrenCpuSeconds();
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - start) / 1000;
      onCpu(childrenCpuSeconds() - cpuBefore);
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

// BENCH_ONLY=p1: P1 alone (its runs and breakdown); the other figures are kept from the last full run.
const p1Only = process.env.BENCH_ONLY === 'p1';
let p2Sources = [];
let plan;
let frames = [];
let gateSamples = {};
if (!p1Only) {
  // ---- P2: one decode for every output vs one process per output, on three sources
  const benchCache = join(root, '.cache', 'bench');

  /** A source in .cache/bench made once by ffmpeg (written under a temp name, then renamed): its path. */
  async function generated(name, args, { sequence = false } = {}) {
    const final = join(benchCache, name);
    if (existsSync(final)) return final;
    const partial = `${final}.partial-${process.pid}`;
    await mkdir(sequence ? partial : benchCache, { recursive: true });
    const target = sequence ? join(partial, 'plate.%04d.exr') : `${partial}${name.slice(name.lastIndexOf('.'))}`;
    const made = spawnSync(found.ffmpeg, ['-hide_banner', '-v', 'error', '-y', ...args, target], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`ffmpeg could not make ${name}: ${made.stderr}`);
    await rename(sequence ? partial : target, final);
    return final;
  }

  process.stdout.write('preparing the expensive-to-decode sources (cached after the first run)...\n');
  const prores = await generated('prores4444-4096x2160-1s.mov', [
    ...['-f', 'lavfi', '-i', 'testsrc2=size=4096x2160:rate=24', '-frames:v', '24'],
    ...['-c:v', 'prores_ks', '-profile:v', '4444', '-pix_fmt', 'yuva444p10le', '-vendor', 'apl0'],
  ]);
  const exrDir = await generated(
    'exr-half-1920x1080-24',
    [
      ...['-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=24', '-frames:v', '24'],
      ...['-pix_fmt', 'gbrpf32le', '-c:v', 'exr', '-format', 'half', '-compression', 'zip1', '-start_number', '1001'],
    ],
    { sequence: true },
  );
  if ((await readdir(exrDir)).length !== 24) throw new Error(`expected 24 EXR frames in ${exrDir}`);

  // The plans the tool itself makes (probe, colour pipeline, outputs), from an in-process dry run.
  const scope = lib.container.createChildContainer();
  lib.registerNodePlatform(scope, { logger: lib.silentLogger, checksumCacheDir: false });
  lib.registerNativeEncoder(scope);
  const encodeMedia = scope.resolve(lib.EncodeMedia);

  p2Sources = [
    { key: 'h264', label: 'H.264 1080p 10 s (veryfast, with audio)', input: clip },
    { key: 'prores4444', label: 'ProRes 4444 4096x2160 1 s', input: prores },
    { key: 'exrHalf', label: 'EXR half float 1920x1080, 24 frames (zip1)', input: join(exrDir, 'plate.####.exr') },
  ];
  for (const source of p2Sources) {
    source.outputDir = join(work, `p2-${source.key}`);
    const filesDir = join(work, `p2-${source.key}-files`);
    source.plan = (await encodeMedia.run(source.input, profile, { outputDir: source.outputDir, dryRun: true, qualityGate: false })).plan;
    const options = { workDir: filesDir, concatListPath: join(filesDir, 'frames.ffconcat') };
    source.single = lib.buildEncodeInvocation(source.plan, options);
    source.naive = lib.buildNaiveInvocations(source.plan, options);
    // The files the graphs read (the display LUT of the EXR, a gapped sequence's list), written once.
    await mkdir(filesDir, { recursive: true });
    for (const invocation of [source.single, ...source.naive]) {
      for (const file of invocation.files) await writeFile(file.path, file.contents, 'utf8');
      for (const link of invocation.links) await symlink(link.target, link.path).catch(() => undefined);
    }
    source.samples = { single: [], naive: [] };
  }
  for (let i = 0; i < RUNS; i++) {
    for (const source of p2Sources) {
      await cleanDir(source.outputDir);
      source.samples.single.push(await timed(found.ffmpeg, source.single.args));
      await cleanDir(source.outputDir);
      let total = 0;
      for (const invocation of source.naive) total += await timed(found.ffmpeg, invocation.args);
      source.samples.naive.push(total);
      process.stdout.write(
        `P2 ${source.key} run ${i + 1}/${RUNS}: single ${source.samples.single[i].toFixed(2)} s, per-output ${source.samples.naive[i].toFixed(2)} s\n`,
      );
    }
  }
  plan = p2Sources[0].plan;

  // ---- Q breakdown: the gate's pass alone, on the outputs and reference frames of one gated encode
  const gateDir = join(work, 'gate');
  await cleanDir(gateDir);
  const gatePlan = (await encodeMedia.run(clip, profile, { outputDir: gateDir, dryRun: true })).plan;
  await timed(found.ffmpeg, lib.buildEncodeInvocation(gatePlan).args);
  const gateOutputs = await Promise.all(
    gatePlan.outputs
      .filter((o) => o.spec.kind === 'video')
      .map(async (planned) => {
        const probed = spawnSync(found.ffprobe, lib.probeArgs(planned.tempPath), { encoding: 'utf8' });
        return { planned, path: planned.tempPath, info: lib.parseProbe(JSON.parse(probed.stdout), { path: planned.tempPath }) };
      }),
  );
  // ffmpeg behind a shell that appends its CPU to a log: `times` prints the shell's own user and sys
  // times, then its children's (not through a pipe: that would run it in a subshell without children).
  const cpuLog = join(gateDir, 'cpu.log');
  const ffmpegTimed = join(gateDir, 'ffmpeg-timed.sh');
  await writeFile(ffmpegTimed, `#!/bin/sh\n"${found.ffmpeg}" "$@"\nrc=$?\ntimes >> "${cpuLog}"\nexit $rc\n`, { mode: 0o755 });
  const gateMeter = new lib.NativeQualityMeter({ ffmpegPath: ffmpegTimed, ffprobePath: found.ffprobe });
  /** Wall and CPU seconds of `work`, the CPU read from the log the timed ffmpeg appends to. */
  async function gateCost(work) {
    await writeFile(cpuLog, '');
    const start = performance.now();
    await work();
    const wall = (performance.now() - start) / 1000;
    const children = (await readFile(cpuLog, 'utf8')).split('\n').filter((_, i) => i % 2 === 1);
    const seconds = children.flatMap((line) => [...line.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2])));
    return { wall, cpu: seconds.reduce((a, b) => a + b, 0) };
  }
  frames = gatePlan.qualityFrames;
  const gateVariants = {
    // As the gate runs: seeks to the sampled frames, one process per output, side by side.
    seeking: () => gateMeter.measure(gatePlan, gateOutputs, frames),
    // The outputs decoded whole, one process per output.
    wholePerOutput: () =>
      gateMeter.measure(
        gatePlan,
        gateOutputs.map(({ planned, path }) => ({ planned, path })),
        frames,
      ),
    // As the gate ran before: every output decoded whole in one process.
    wholeOneProcess: async () => {
      const targets = await lib.qualityTargets(
        gateOutputs.map(({ planned, path }) => ({ planned, path })),
        gateDir,
        async () => 1,
      );
      await new Promise((resolve, reject) => {
        const child = spawn(ffmpegTimed, lib.buildQualityInvocation(gatePlan, targets, frames).args, { stdio: 'ignore' });
        child.on('error', reject);
        child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`gate pass exited ${code}`))));
      });
    },
  };
  gateSamples = Object.fromEntries(Object.keys(gateVariants).map((k) => [k, { wall: [], cpu: [] }]));
  for (let i = 0; i < RUNS; i++) {
    for (const [key, run] of Object.entries(gateVariants)) {
      const { wall, cpu } = await gateCost(run);
      gateSamples[key].wall.push(wall);
      gateSamples[key].cpu.push(cpu);
    }
    process.stdout.write(
      `Q breakdown run ${i + 1}/${RUNS}: ${Object.entries(gateSamples)
        .map(([k, v]) => `${k} ${v.cpu[i].toFixed(2)} s CPU / ${v.wall[i].toFixed(2)} s wall`)
        .join(', ')}\n`,
    );
  }
}

// ---- P1: the tool vs raw ffmpeg with the identical argv
const cliBin = join(root, 'bin', 'ftrack-encode.mjs');
const p1Out = join(work, 'p1-tool');
const rawOut = join(work, 'p1-raw');
const cliEnv = { ...process.env, FTRACK_ENCODE_NO_BUILD: '1' };
await cleanDir(rawOut);
// --no-quality-gate as in the measured run: with the gate on, the encode also writes its reference frames.
const dry = spawnSync(process.execPath, [cliBin, 'encode', clip, '--profile', 'ftrack-review', '--out', rawOut, '--no-quality-gate', '--dry-run', '--json'], {
  encoding: 'utf8',
});
let rawArgv;
try {
  rawArgv = findCommands(JSON.parse(dry.stdout))?.[0];
} catch {
  rawArgv = undefined;
}
if (!rawArgv) throw new Error(`CLI dry run gave no commands (exit ${dry.status}): ${dry.stderr.slice(-400)}`);
const toolArgs = (gate, extra = []) => [cliBin, 'encode', clip, '--profile', 'ftrack-review', '--out', p1Out, ...(gate ? [] : ['--no-quality-gate']), ...extra];
const runTool = (gate = false, onCpu = undefined) => timed(process.execPath, toolArgs(gate, ['--quiet']), cliEnv, onCpu);
const p1 = { tool: [], ffmpeg: [], gated: [], toolCpu: [], ffmpegCpu: [] };
for (let i = 0; i < RUNS; i++) {
  await cleanDir(p1Out);
  p1.tool.push(await runTool(false, (cpu) => p1.toolCpu.push(cpu)));
  await cleanDir(rawOut);
  p1.ffmpeg.push(await timed(rawArgv[0], rawArgv.slice(1), process.env, (cpu) => p1.ffmpegCpu.push(cpu)));
  if (!p1Only) {
    await cleanDir(p1Out);
    p1.gated.push(await runTool(true));
  }
  process.stdout.write(
    `P1/Q run ${i + 1}/${RUNS}: tool ${p1.tool[i].toFixed(2)} s (CPU ${p1.toolCpu[i].toFixed(2)} s), raw ffmpeg ${p1.ffmpeg[i].toFixed(2)} s (CPU ${p1.ffmpegCpu[i].toFixed(2)} s)${p1Only ? '' : `, with the quality gate ${p1.gated[i].toFixed(2)} s`}\n`,
  );
}
const breakdown = await p1Breakdown();
await rm(work, { recursive: true, force: true });

/**
 * Where P1's time goes: one more tool run with --verbose, whose stage marks say how many ms after
 * the process started each stage began (start-up = before 'locate'; exit = after 'done').
 */
async function p1Breakdown() {
  await cleanDir(p1Out);
  const start = performance.now();
  const run = spawnSync(process.execPath, toolArgs(false, ['--json', '--verbose']), { encoding: 'utf8', env: cliEnv });
  const wallMs = performance.now() - start;
  if (run.status !== 0) throw new Error(`encode --verbose exited ${run.status}: ${run.stderr.slice(-400)}`);
  const marks = new Map();
  for (const line of run.stderr.split('\n')) {
    try {
      const entry = JSON.parse(line);
      if (entry.msg === 'stage' && !marks.has(entry.stage)) marks.set(entry.stage, entry);
    } catch {
      // not a log line
    }
  }
  const at = (stage) => marks.get(stage)?.ms ?? NaN;
  // CPU by then: the CLI's own, and its finished children's (the source probe runs from the start).
  const cpu = (stage, of) => marks.get(stage)?.cpuMs?.[of] ?? NaN;
  const between = (from, to) => ({
    ms: (to ? at(to) : NaN) - (from ? at(from) : 0),
    selfMs: cpu(to, 'self') - (from ? cpu(from, 'self') : 0),
    childrenMs: cpu(to, 'children') - (from ? cpu(from, 'children') : 0),
  });
  const phases = [
    // The source's ffprobe and level scan start before the bundle loads: their CPU shows in start-up.
    ['start-up: Node, bundle, config, scope (to locate); the source probe starts first', between(undefined, 'locate')],
    ['locate the source', between('locate', 'probe')],
    ['probe the source (what is left of ffprobe + audio levels), colour, plan', between('probe', 'encode')],
    ['ffmpeg encode', between('encode', 'validate')],
    ['validate outputs (probe, checksum), commit', between('validate', 'done')],
    ['print the result and exit (wall - done)', { ms: wallMs - at('done'), selfMs: NaN, childrenMs: NaN }],
  ];
  return {
    wallSeconds: round(wallMs / 1000),
    phases: phases.map(([what, p]) => ({
      what,
      seconds: round(p.ms / 1000),
      cpuSelfSeconds: round(p.selfMs / 1000),
      cpuChildrenSeconds: round(p.childrenMs / 1000),
    })),
  };
}

// ---- report
function round(n) {
  return Math.round(n * 1000) / 1000;
}
const p1Ratio = median(p1.tool) / median(p1.ffmpeg);
const qRatio = median(p1.gated) / median(p1.tool);
const p2Of = (source) => {
  const ratio = median(source.samples.single) / median(source.samples.naive);
  return {
    source: source.label,
    outputs: source.plan.outputs.map((o) => `${o.name} ${o.width}x${o.height} ${o.spec.codec}`),
    medianSeconds: { singleDecode: round(median(source.samples.single)), perOutput: round(median(source.samples.naive)) },
    samples: { singleDecode: source.samples.single.map(round), perOutput: source.samples.naive.map(round) },
    ratio: round(ratio),
    target: 0.6,
    pass: ratio <= 0.6,
  };
};
const p2What = 'ftrack-review outputs from one ffmpeg (one decode, split graph) vs one ffmpeg per output, run one after another';
const expensive = Object.fromEntries(p2Sources.slice(1).map((s) => [s.key, p2Of(s)]));
const worstExpensive = Math.max(...Object.values(expensive).map((e) => e.ratio));
const p1Result = {
  what: 'node bin/ftrack-encode.mjs encode --profile ftrack-review --no-quality-gate vs raw ffmpeg with the argv of --dry-run --json',
  medianSeconds: { tool: round(median(p1.tool)), ffmpeg: round(median(p1.ffmpeg)) },
  samples: { tool: p1.tool.map(round), ffmpeg: p1.ffmpeg.map(round), toolCpu: p1.toolCpu.map(round), ffmpegCpu: p1.ffmpegCpu.map(round) },
  ratio: round(p1Ratio),
  target: 1.03,
  pass: p1Ratio <= 1.03,
  // CPU seconds (user + system) of the tool's whole process tree vs raw ffmpeg's: on 2 cores that
  // ffmpeg keeps busy, every CPU second the tool adds is wall time; and CPU is steady under load.
  cpu: {
    medianSeconds: { tool: round(median(p1.toolCpu)), ffmpeg: round(median(p1.ffmpegCpu)) },
    ratio: round(median(p1.toolCpu) / median(p1.ffmpegCpu)),
    medianExtraSeconds: round(median(p1.toolCpu.map((cpu, i) => cpu - p1.ffmpegCpu[i]))),
  },
  breakdown,
};
const cpu = cpus();
const result = p1Only
  ? { ...previousResult(), p1: p1Result, p1Run: { date: new Date().toISOString(), runs: RUNS, loadAverageAtStart: loadAtStart } }
  : {
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
        loadAverageAtStart: loadAtStart,
      },
      clip: clipSummary(info),
      outputs: plan.outputs.map((o) => `${o.name} ${o.width}x${o.height} ${o.spec.codec}`),
      p1: p1Result,
      qualityGate: {
        what: 'encode --profile ftrack-review with the quality gate (SSIM/PSNR on sampled frames, one extra pass) vs --no-quality-gate',
        medianSeconds: { withGate: round(median(p1.gated)), withoutGate: round(median(p1.tool)) },
        samples: { withGate: p1.gated.map(round), withoutGate: p1.tool.map(round) },
        ratio: round(qRatio),
        target: 1.1,
        pass: qRatio <= 1.1,
      },
      qualityGateCpu: {
        what: `the gate's pass alone on the ${frames.length} sampled frames of one encode's video outputs: CPU (user+sys of its ffmpeg processes) and wall`,
        variants: Object.fromEntries(
          Object.entries(gateSamples).map(([k, v]) => [
            k,
            { medianCpuSeconds: round(median(v.cpu)), medianWallSeconds: round(median(v.wall)), samples: { cpu: v.cpu.map(round), wall: v.wall.map(round) } },
          ]),
        ),
        cpuRatio: round(median(gateSamples.seeking.cpu) / median(gateSamples.wholeOneProcess.cpu)),
      },
      p2: { what: p2What, ...p2Of(p2Sources[0]) },
      p2Expensive: {
        what: `${p2What}; ratio = the worse of the expensive-to-decode sources`,
        ratio: worstExpensive,
        target: 0.6,
        pass: worstExpensive <= 0.6,
        sources: expensive,
      },
    };

/** The last full run's figures, for a P1-only run to keep. */
function previousResult() {
  const file = join(root, 'bench', 'results', 'encode.json');
  if (!existsSync(file)) throw new Error('BENCH_ONLY=p1 keeps the other figures of a full run: run the whole encode bench once first');
  return JSON.parse(readFileSync(file, 'utf8'));
}
const cell = (n) => (Number.isFinite(n) ? n : '–');
const missedBy = (entry, target) => (entry.pass ? '' : ` (missed by ${round(entry.ratio - target)})`);
const p2Row = (name, entry) =>
  `| ${name} | ${entry.source} | ${entry.medianSeconds.singleDecode} vs ${entry.medianSeconds.perOutput} | ${entry.ratio}${missedBy(entry, 0.6)} | ≤ 0.60 | ${entry.pass ? 'pass' : 'FAIL'} |`;
const md = `# Encode benchmark

${result.date} — median of ${result.runs} interleaved runs; load average at start ${result.machine.loadAverageAtStart.join(' / ')}.${
  result.p1Run
    ? ` P1 re-run alone (BENCH_ONLY=p1) at ${result.p1Run.date}, median of ${result.p1Run.runs}, load average at start ${result.p1Run.loadAverageAtStart.join(' / ')}.`
    : ''
}

Machine: ${result.machine.cpus} × ${result.machine.model}, ${result.machine.memoryGiB} GiB RAM, ${result.machine.os}, Node ${result.machine.node}, ${result.machine.ffmpeg}.

Clip (P1, Q, P2 H.264): ${result.clip.width}x${result.clip.height} at ${result.clip.frameRate} fps, ${result.clip.frames} frames, audio ${result.clip.audio ? 'yes' : 'no'}.
Outputs (ftrack-review): ${result.outputs.join('; ')}.

| | measured | median (s) | ratio | target | |
|---|---|---|---|---|---|
| P1 | ${result.p1.what} | ${result.p1.medianSeconds.tool} vs ${result.p1.medianSeconds.ffmpeg} | ${result.p1.ratio}${missedBy(result.p1, 1.03)} | ≤ 1.03 | ${result.p1.pass ? 'pass' : 'FAIL'} |
| Q | ${result.qualityGate.what} | ${result.qualityGate.medianSeconds.withGate} vs ${result.qualityGate.medianSeconds.withoutGate} | ${result.qualityGate.ratio}${missedBy(result.qualityGate, 1.1)} | ≤ 1.10 | ${result.qualityGate.pass ? 'pass' : 'FAIL'} |

Q breakdown — ${result.qualityGateCpu.what} (CPU as it runs / as it ran before: ${result.qualityGateCpu.cpuRatio}):

| gate pass | CPU median (s) | wall median (s) |
|---|---|---|
| as it runs: seeks to the sampled frames, one process per output side by side | ${result.qualityGateCpu.variants.seeking.medianCpuSeconds} | ${result.qualityGateCpu.variants.seeking.medianWallSeconds} |
| outputs decoded whole, one process per output | ${result.qualityGateCpu.variants.wholePerOutput.medianCpuSeconds} | ${result.qualityGateCpu.variants.wholePerOutput.medianWallSeconds} |
| as it ran before: outputs decoded whole in one process | ${result.qualityGateCpu.variants.wholeOneProcess.medianCpuSeconds} | ${result.qualityGateCpu.variants.wholeOneProcess.medianWallSeconds} |

P2 — ${result.p2.what}:

| | source | median (s) single vs per output | ratio | target | |
|---|---|---|---|---|---|
${p2Row('P2', result.p2)}
${Object.values(result.p2Expensive.sources)
  .map((entry) => p2Row('P2 expensive', entry))
  .join('\n')}

Expensive sources' outputs: ${Object.values(result.p2Expensive.sources)
  .map((e) => `${e.source}: ${e.outputs.join('; ')}`)
  .join('. ')}.

P1 in CPU seconds (user + system of the whole process tree, median): tool ${result.p1.cpu.medianSeconds.tool} vs raw ffmpeg ${result.p1.cpu.medianSeconds.ffmpeg}, ratio ${result.p1.cpu.ratio}; the tool's extra CPU, paired per run: ${result.p1.cpu.medianExtraSeconds} s.

P1 breakdown (one extra run with \`--verbose\`, ${result.p1.breakdown.wallSeconds} s wall; raw ffmpeg median ${result.p1.medianSeconds.ffmpeg} s). CPU: the CLI's own, and its children's that finished in the phase:

| phase | wall s | CPU s (CLI) | CPU s (children) |
|---|---|---|---|
${result.p1.breakdown.phases.map((p) => `| ${p.what} | ${p.seconds} | ${cell(p.cpuSelfSeconds)} | ${cell(p.cpuChildrenSeconds)} |`).join('\n')}

Samples (s): P1 tool ${result.p1.samples.tool.join(', ')}; ffmpeg ${result.p1.samples.ffmpeg.join(', ')}; CPU tool ${result.p1.samples.toolCpu.join(', ')}; CPU ffmpeg ${result.p1.samples.ffmpegCpu.join(', ')}.
P2 single decode / per output: ${[result.p2, ...Object.values(result.p2Expensive.sources)]
  .map((e) => `${e.source}: ${e.samples.singleDecode.join(', ')} / ${e.samples.perOutput.join(', ')}`)
  .join('; ')}.
`;
await mkdir(join(root, 'bench', 'results'), { recursive: true });
await writeFile(join(root, 'bench', 'results', 'encode.json'), `${JSON.stringify(result, null, 2)}\n`);
await writeFile(join(root, 'bench', 'results', 'encode.md'), md);
process.stdout.write(`\n${md}`);
