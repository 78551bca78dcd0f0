#!/usr/bin/env node
// Colour benchmark (bench/results/colour.{json,md}): a 1080p half-float EXR sequence of 48 frames
// through ftrack-review with the OCIO display transform (ACEScg -> sRGB "ACES 1.0 - SDR Video",
// baked once to a LUT, applied by lut3d inside the single decode) vs without any transform
// (read as sRGB, shown on sRGB). Target: ratio <= 1.15. Median of BENCH_RUNS (default 3)
// interleaved runs of the built CLI; the LUT is baked (and cached) before timing starts.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadBenchLib, root } from './build-bench-lib.mjs';
import { benchSettings, cliBin, ensureCliBuilt, machineInfo, machineLine, median, round } from './bench-support.mjs';

const { runs } = benchSettings(3);
const lib = await loadBenchLib();
const work = join(tmpdir(), 'ftrack-encode-bench-colour');
const frames = join(work, 'exr');
const pattern = join(frames, 'plate.%04d.exr');

/** 48 frames of a moving pattern, 1080p, half float, ZIP compressed (what a comp writes). */
async function makeSequence() {
  if (existsSync(join(frames, 'plate.1048.exr'))) return;
  await mkdir(frames, { recursive: true });
  const made = spawnSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=1920x1080:rate=24',
    '-frames:v',
    '48',
    '-vf',
    'format=gbrpf32le',
    '-c:v',
    'exr',
    '-format',
    'half',
    '-compression',
    'zip1',
    '-start_number',
    '1001',
    pattern,
  ]);
  if (made.status !== 0) throw new Error(`making the EXR sequence failed: ${made.stderr}`);
}

function timed(args, env) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, [cliBin, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, FTRACK_ENCODE_NO_BUILD: '1', ...env },
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
    child.on('close', (code) => (code === 0 ? resolve((performance.now() - start) / 1000) : reject(new Error(`encode exited ${code}: ${stderr}`))));
  });
}

ensureCliBuilt();
const machine = machineInfo();
await makeSequence();
const config = await lib.writeOcioConfig(join(work, 'ocio'));
const cache = join(work, 'cache');
const env = { XDG_CACHE_HOME: cache };
const out = join(work, 'out');
const common = ['encode', join(frames, 'plate.####.exr'), '--out', out, '--no-quality-gate'];
const withOcio = [...common, '--ocio-config', config, '--input-colourspace', 'ACEScg', '--display', 'sRGB', '--view', 'ACES 1.0 - SDR Video'];
const plain = [...common, '--input-colourspace', 'srgb', '--display', 'srgb'];
await timed(withOcio, env); // bakes and caches the LUT: a site bakes once
const ocio = [];
const none = [];
for (let i = 0; i < runs; i++) {
  await rm(out, { recursive: true, force: true });
  none.push(await timed(plain, env));
  await rm(out, { recursive: true, force: true });
  ocio.push(await timed(withOcio, env));
}
const result = {
  machine,
  source: '48 frames 1920x1080 half-float EXR (ZIP), ftrack-review',
  runs,
  ocioSeconds: round(median(ocio)),
  noTransformSeconds: round(median(none)),
  ratio: round(median(ocio) / median(none)),
  target: 1.15,
};
result.pass = result.ratio <= result.target;
await mkdir(join(root, 'bench', 'results'), { recursive: true });
await writeFile(join(root, 'bench', 'results', 'colour.json'), `${JSON.stringify(result, null, 2)}\n`);
await writeFile(
  join(root, 'bench', 'results', 'colour.md'),
  [
    '# Colour: OCIO display transform vs no transform',
    '',
    machineLine(machine),
    '',
    '| measure | OCIO (ACEScg → sRGB, ACES 1.0 SDR) | no transform | ratio | target | pass |',
    '|---|---|---|---|---|---|',
    `| ${result.source}, median of ${runs} | ${result.ocioSeconds} s | ${result.noTransformSeconds} s | ${result.ratio} | ≤ ${result.target} | ${result.pass ? 'yes' : 'no'} |`,
    '',
  ].join('\n'),
);
console.log(JSON.stringify(result));
