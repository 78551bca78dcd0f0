#!/usr/bin/env node
// Farm benchmarks (written to bench/results/farm.{json,md}):
//  P8a throughput of 2 workers vs 1 on a batch of short encodes, each ffmpeg with -threads 1   target >= 1.8x
//  P8b queue overhead per job: submit -> a worker starts it (idle worker), p50 and p95          target p50 <= 50 ms
// Real Redis (redis-server on a free loopback port, no persistence), real native ffmpeg, workers in
// this process (each encode is its own ffmpeg process, so two workers really use two cores).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, platform, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildBenchEntry, root } from './build-bench-lib.mjs';

const BATCH = Math.max(2, Number(process.env.BENCH_FARM_BATCH ?? 8));
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const LATENCY_SAMPLES = Math.max(5, Number(process.env.BENCH_FARM_SAMPLES ?? 30));

/** Bundle just what this bench needs from the workspace libs (the shared bench bundler). */
async function loadLib() {
  const entry = await buildBenchEntry(
    'farm-bench-lib',
    [
      "import 'reflect-metadata';",
      "export { parseProfile, planEncode, silentLogger } from '@ftrack-encode/core';",
      "export { NativeEncoder, NativeMediaProbe } from '@ftrack-encode/encoder-native';",
      "export { NodeFileSystem, NodeHasher } from '@ftrack-encode/node-platform';",
      "export { FarmClient, FarmWorker } from '@ftrack-encode/encoder-farm';",
      "export { startRedis } from '@ftrack-encode/encoder-farm/testing';",
      // The file, not the package index: the index also exports the vitest-based contract suites.
      "export { mediaFixtures } from '../../libs/testing/src/media-fixtures.js';",
    ].join('\n'),
  );
  return import(pathToFileURL(entry).href);
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const lib = await loadLib();
const fixtures = lib.mediaFixtures();
const source = await fixtures.ensure({ kind: 'movie', width: 320, height: 180, rate: '24', frames: 48, audio: false });
const probe = new lib.NativeMediaProbe({});
const hasher = new lib.NodeHasher();
const profile = lib.parseProfile(
  {
    name: 'bench-farm',
    outputs: [
      {
        name: 'review',
        kind: 'video',
        codec: 'h264',
        container: 'mp4',
        crf: 23,
        preset: 'medium',
        size: { maxWidth: 320, maxHeight: 180 },
        audio: { codec: 'none' },
      },
    ],
  },
  'bench',
);
const info = await probe.probe({ kind: 'file', path: source.path });
const checksum = await hasher.hashFile(source.path);
const work = await mkdtemp(join(tmpdir(), 'farm-bench-'));
const redis = await lib.startRedis();

async function spec() {
  const outputDir = await mkdtemp(join(work, 'out-'));
  const plan = lib.planEncode({ source: { kind: 'file', path: source.path }, info, profile, outputDir, threads: 1 });
  return { kind: 'encode', plan, sourceChecksum: `sha256:${checksum.hex}` };
}

const deps = () => ({
  encoder: new lib.NativeEncoder({ threads: 1 }),
  probe,
  hasher,
  fs: new lib.NodeFileSystem(),
  logger: lib.silentLogger,
  scratchDir: work,
});

async function batchSeconds(workerCount, prefix) {
  const workers = [];
  for (let i = 0; i < workerCount; i++) workers.push(await lib.FarmWorker.start(deps(), { redisUrl: redis.url, prefix, concurrency: 1 }));
  const client = new lib.FarmClient({ redisUrl: redis.url, prefix });
  const specs = await Promise.all(Array.from({ length: BATCH }, spec));
  const start = performance.now();
  await Promise.all(specs.map((s) => client.run(s)));
  const seconds = (performance.now() - start) / 1000;
  await client.close();
  for (const w of workers) await w.close();
  return seconds;
}

async function overheadMs() {
  const prefix = 'latency';
  const worker = await lib.FarmWorker.start(deps(), { redisUrl: redis.url, prefix, concurrency: 1 });
  const client = new lib.FarmClient({ redisUrl: redis.url, prefix });
  const samples = [];
  for (let i = 0; i < LATENCY_SAMPLES + 2; i++) {
    const job = await client.submit(await spec());
    await client.wait(job);
    const bull = await client.job(job.id);
    if (i >= 2) samples.push(bull.processedOn - bull.timestamp); // first two warm the connections
  }
  await client.close();
  await worker.close();
  return samples;
}

try {
  await batchSeconds(1, 'warmup');
  // Interleaved runs, median of each side: other load on the machine hits both alike.
  const ones = [];
  const twos = [];
  for (let run = 0; run < RUNS; run++) {
    ones.push(await batchSeconds(1, `one-${run}`));
    twos.push(await batchSeconds(2, `two-${run}`));
  }
  const one = percentile(ones, 50);
  const two = percentile(twos, 50);
  const speedup = one / two;
  const latency = await overheadMs();
  const p50 = percentile(latency, 50);
  const p95 = percentile(latency, 95);
  const result = {
    machine: { cpus: cpus().length, model: cpus()[0]?.model, platform: `${platform()} ${release()}` },
    batch: BATCH,
    runs: RUNS,
    clip: '2 s 320x180 24 fps, H.264 medium, -threads 1',
    throughput: { oneWorkerSeconds: one, twoWorkerSeconds: two, speedup, target: 1.8, pass: speedup >= 1.8 },
    queueOverheadMs: { samples: latency.length, p50, p95, target: { p50: 50 }, pass: p50 <= 50 },
  };
  await mkdir(join(root, 'bench', 'results'), { recursive: true });
  await writeFile(join(root, 'bench', 'results', 'farm.json'), `${JSON.stringify(result, null, 2)}\n`);
  const md = [
    '# Farm benchmark (P8)',
    '',
    `Machine: ${result.machine.cpus} × ${result.machine.model} (${result.machine.platform}). Batch of ${BATCH} encodes of a ${result.clip}.`,
    '',
    '| measure | value | target | pass |',
    '| --- | ---: | ---: | :---: |',
    `| 1 worker, batch wall time | ${one.toFixed(2)} s | | |`,
    `| 2 workers, batch wall time | ${two.toFixed(2)} s | | |`,
    `| throughput 2 vs 1 workers | ${speedup.toFixed(2)}× | ≥ 1.8× | ${result.throughput.pass ? 'yes' : 'no'} |`,
    `| queue overhead submit → start, p50 | ${p50} ms | ≤ 50 ms | ${result.queueOverheadMs.pass ? 'yes' : 'no'} |`,
    `| queue overhead submit → start, p95 | ${p95} ms | | |`,
    '',
  ].join('\n');
  await writeFile(join(root, 'bench', 'results', 'farm.md'), md);
  process.stdout.write(`${md}\n`);
} finally {
  await redis.stop();
  await rm(work, { recursive: true, force: true });
}
process.exit(0);
