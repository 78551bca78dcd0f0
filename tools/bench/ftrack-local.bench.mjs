#!/usr/bin/env node
import 'reflect-metadata';
// ftrack-local benchmark (written to bench/results/ftrack-local.{json,md}), no targets, recorded:
//  - simple queries per second through the real @ftrack/api Session (one at a time, and 8 in flight),
//    against an in-process startFtrackLocal({ port: 0, seed: 'demo' });
//  - one session.call with 1,000 creates (seconds);
//  - single-part and multi-part upload throughput of a 1 GiB body (raw fetch: get_upload_metadata →
//    PUT(s) → complete_multipart_upload) to a server CHILD process (`ftrack-encode server`), with
//    that child's RSS sampled from /proc while it receives. The body is generated as a stream.
// Client and in-process server share one process and the 2 cores, so qps is end to end.
//  - Scale (issue 11, with targets): a ~200k-entity store, version query p50/p95, a paged walk of
//    10,000 versions, 1,000 creates in one batch, the server child's peak RSS (ftrack-local-scale.mjs).
// BENCH_RUNS (default 2) repeats each measure; BENCH_QUICK=1 uses 256 MiB bodies, fewer queries and a
// 20k-entity store. BENCH_ONLY=scale runs only the scale section and replaces the `scale` key / the
// "## Scale" section of the existing result files (the other figures keep their date).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Session } from '@ftrack/api';
import { loadBenchLib, root } from './build-bench-lib.mjs';
import { runScale, scaleMarkdown } from './ftrack-local-scale.mjs';
import {
  benchSettings,
  GiB,
  generatedBody,
  machineInfo,
  machineLine,
  mdTable,
  median,
  MiB,
  randomBlock,
  round,
  sampleRss,
  startServerChild,
  vmHwmMiB,
  writeResults,
} from './bench-support.mjs';

const { quick, runs: RUNS } = benchSettings(2);
const QUERIES = Number(process.env.BENCH_QUERIES ?? (quick ? 300 : 1500));
const CREATES = 1000;
const UPLOAD_BYTES = Number(process.env.BENCH_UPLOAD_BYTES ?? (quick ? 256 * MiB : GiB));
const PARALLEL_PARTS = 6; // the JS client's default connection count
const machine = machineInfo();
const lib = await loadBenchLib();
const scaleOnly = process.env.BENCH_ONLY === 'scale';
const work = await mkdtemp(join(tmpdir(), 'ftrack-local-bench-'));
let result;
let md;
if (!scaleOnly) {
  // ---- in-process server: queries and batch create
  const local = await lib.startFtrackLocal({ port: 0, seed: 'demo', dataDir: join(work, 'in-process') });
  const session = new Session(local.url, local.user, local.apiKey, { decodeDatesAsIso: true, autoConnectEventHub: false });
  await session.initializing;
  const { shotId, sequenceId } = local.seed;
  const expression = `select id, name from Shot where id is "${shotId}"`;

  async function queryRate(count, inFlight) {
    let next = 0;
    const start = performance.now();
    const worker = async () => {
      while (next < count) {
        next++;
        const result = await session.query(expression);
        if (result.data[0]?.id !== shotId) throw new Error(`query returned ${JSON.stringify(result.data)}`);
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
    return count / ((performance.now() - start) / 1000);
  }

  async function batchCreate(run) {
    const operations = Array.from({ length: CREATES }, (_, i) => ({
      action: 'create',
      entity_type: 'Shot',
      entity_data: { __entity_type__: 'Shot', id: randomUUID(), name: `bench_r${run}_${String(i).padStart(4, '0')}`, parent_id: sequenceId },
    }));
    const start = performance.now();
    const results = await session.call(operations);
    const seconds = (performance.now() - start) / 1000;
    if (results.length !== CREATES || results.some((r) => r.data?.__entity_type__ !== 'Shot')) throw new Error('batch create returned something else');
    return seconds;
  }

  process.stdout.write(`queries: warm-up, then ${QUERIES} per measure\n`);
  await queryRate(50, 1);
  const qps = { sequential: [], parallel8: [] };
  const createSeconds = [];
  for (let i = 0; i < RUNS; i++) {
    qps.sequential.push(await queryRate(QUERIES, 1));
    qps.parallel8.push(await queryRate(QUERIES, 8));
    createSeconds.push(await batchCreate(i));
    process.stdout.write(
      `run ${i + 1}/${RUNS}: ${qps.sequential[i].toFixed(0)} qps (1 in flight), ${qps.parallel8[i].toFixed(0)} qps (8 in flight), 1,000 creates in ${createSeconds[i].toFixed(2)} s\n`,
    );
  }
  const shotCount = (await session.call([{ action: 'query', expression: `select id from Shot where parent_id is "${sequenceId}"` }]))[0].data.length;
  await local.close();

  // ---- server child: uploads and its RSS
  const server = await startServerChild(join(work, 'child'));
  const authHeaders = { 'Content-Type': 'application/json', Accept: 'application/json', 'ftrack-user': server.user, 'ftrack-api-key': server.apiKey };
  async function api(operations) {
    const response = await fetch(`${server.url}/api`, { method: 'POST', headers: authHeaders, body: JSON.stringify(operations) });
    const body = await response.json();
    if (!Array.isArray(body)) throw new Error(`API error: ${JSON.stringify(body)}`);
    return body;
  }
  async function removeStored(componentId) {
    const params = new URLSearchParams({ id: componentId, username: server.user, apiKey: server.apiKey });
    await (await fetch(`${server.url}/component/remove?${params}`)).arrayBuffer();
  }
  const block = randomBlock();

  async function put(url, bytes, headers = {}) {
    const response = await fetch(url, { method: 'PUT', headers, body: generatedBody(bytes, block), duplex: 'half' });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`PUT answered ${response.status}`);
    return response.headers.get('etag')?.replace(/"/g, '') ?? '';
  }

  async function singlePart(bytes) {
    const componentId = randomUUID();
    const start = performance.now();
    const [meta] = await api([{ action: 'get_upload_metadata', component_id: componentId, file_name: 'bench.bin', file_size: bytes, parts: null }]);
    // Every returned header except Content-Length (protocol §8.1).
    const headers = Object.fromEntries(Object.entries(meta.headers ?? {}).filter(([k]) => k.toLowerCase() !== 'content-length'));
    await put(meta.url, bytes, headers);
    const seconds = (performance.now() - start) / 1000;
    await removeStored(componentId);
    return { seconds, parts: 1 };
  }

  async function multiPart(bytes) {
    const componentId = randomUUID();
    const partSize = lib.partSizeFor(bytes);
    const count = Math.ceil(bytes / partSize);
    const start = performance.now();
    const [meta] = await api([{ action: 'get_upload_metadata', component_id: componentId, file_name: 'bench.bin', file_size: bytes, parts: count }]);
    const etags = new Array(count);
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const index = next++;
        const { part_number: partNumber, signed_url: url } = meta.urls[index];
        etags[index] = { part_number: partNumber, e_tag: await put(url, Math.min(partSize, bytes - index * partSize)) };
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_PARTS, count) }, worker));
    const putSeconds = (performance.now() - start) / 1000;
    await api([{ action: 'complete_multipart_upload', component_id: componentId, upload_id: meta.upload_id, parts: etags }]);
    const seconds = (performance.now() - start) / 1000;
    await removeStored(componentId);
    return { seconds, putSeconds, parts: count, partSize };
  }

  // Ceiling of this client on this box: the same PUTs to a child that only discards the body.
  const SINK = `import { createServer } from 'node:http';
const s = createServer((req, res) => { req.resume(); req.on('end', () => { res.writeHead(200, { ETag: '"0"' }); res.end(); }); });
s.listen(0, '127.0.0.1', () => console.log(s.address().port));`;
  const sink = spawn(process.execPath, ['--input-type=module', '-e', SINK], { stdio: ['ignore', 'pipe', 'inherit'] });
  const sinkUrl = `http://127.0.0.1:${await new Promise((resolve) => sink.stdout.once('data', (d) => resolve(String(d).trim())))}/`;
  async function sinkPut(bytes) {
    const start = performance.now();
    await put(sinkUrl, bytes);
    return { seconds: (performance.now() - start) / 1000, parts: 1 };
  }

  const idleRssMiB = sampleRss(server.pid).stop().sampledPeakMiB;
  const uploads = { single: [], multi: [], sink: [] };
  for (let i = 0; i < RUNS; i++) {
    for (const [kind, upload] of [
      ['sink', sinkPut],
      ['single', singlePart],
      ['multi', multiPart],
    ]) {
      const sampler = sampleRss(server.pid);
      const result = await upload(UPLOAD_BYTES);
      const rss = sampler.stop();
      uploads[kind].push({ ...result, mbPerSecond: UPLOAD_BYTES / 1e6 / result.seconds, ...(kind === 'sink' ? {} : { serverPeakRssMiB: rss.sampledPeakMiB }) });
      process.stdout.write(
        `upload run ${i + 1}/${RUNS} ${kind}: ${(UPLOAD_BYTES / 1e6 / result.seconds).toFixed(0)} MB/s (${result.parts} part(s)), server RSS peak ${rss.sampledPeakMiB} MiB\n`,
      );
    }
  }
  const serverHwmMiB = vmHwmMiB(server.pid);
  await server.stop();
  sink.kill();

  // ---- report
  const summary = (samples) => ({
    medianMBps: round(median(samples.map((s) => s.mbPerSecond)), 1),
    medianSeconds: round(median(samples.map((s) => s.seconds))),
    ...(samples[0].serverPeakRssMiB === undefined ? {} : { serverPeakRssMiB: Math.max(...samples.map((s) => s.serverPeakRssMiB)) }),
    samples: samples.map((s) => ({
      ...s,
      seconds: round(s.seconds),
      ...(s.putSeconds ? { putSeconds: round(s.putSeconds) } : {}),
      mbPerSecond: round(s.mbPerSecond, 1),
    })),
  });
  result = {
    date: new Date().toISOString(),
    runs: RUNS,
    quick,
    machine,
    queries: {
      what: `session.query('${expression.replace(shotId, '<shot id>')}') with the real @ftrack/api Session against in-process ftrack-local; ${QUERIES} queries per measure`,
      medianQps: { oneInFlight: round(median(qps.sequential), 0), eightInFlight: round(median(qps.parallel8), 0) },
      samples: { oneInFlight: qps.sequential.map((n) => round(n, 0)), eightInFlight: qps.parallel8.map((n) => round(n, 0)) },
    },
    batchCreate: {
      what: 'one session.call with 1,000 Shot creates (one transaction on the server)',
      medianSeconds: round(median(createSeconds)),
      samples: createSeconds.map((s) => round(s)),
      shotsUnderSequenceAfterwards: shotCount,
    },
    uploads: {
      what: 'raw fetch to a `ftrack-encode server` child: get_upload_metadata → PUT(s) → complete_multipart_upload; body generated as a stream; server RSS sampled from /proc every 50 ms',
      bytes: UPLOAD_BYTES,
      parallelParts: PARALLEL_PARTS,
      serverIdleRssMiB: idleRssMiB,
      serverVmHwmMiB: serverHwmMiB,
      singlePart: summary(uploads.single),
      multiPart: { ...summary(uploads.multi), parts: uploads.multi[0].parts, partSizeMiB: uploads.multi[0].partSize / MiB },
      discardSink: {
        what: 'the same fetch client PUTting one body to a child that discards it: the ceiling of client + loopback here',
        ...summary(uploads.sink),
      },
      singlePartVsSink: round(median(uploads.single.map((s) => s.mbPerSecond)) / median(uploads.sink.map((s) => s.mbPerSecond))),
    },
  };
  const size = UPLOAD_BYTES >= GiB ? `${UPLOAD_BYTES / GiB} GiB` : `${UPLOAD_BYTES / MiB} MiB`;
  md = `# ftrack-local benchmark

${result.date} — median of ${RUNS} run(s)${quick ? ' (BENCH_QUICK)' : ''}. No targets: recorded for comparison between changes.

${machineLine(machine)}

${mdTable([
  ['simple queries, 1 in flight (real @ftrack/api Session, in-process server)', `${result.queries.medianQps.oneInFlight} qps`],
  ['simple queries, 8 in flight', `${result.queries.medianQps.eightInFlight} qps`],
  ['1,000 creates in one session.call', `${result.batchCreate.medianSeconds} s`],
  [`single-part upload, ${size} (server child, loopback)`, `${result.uploads.singlePart.medianMBps} MB/s`],
  [
    `multi-part upload, ${size}, ${result.uploads.multiPart.parts} × ${result.uploads.multiPart.partSizeMiB} MiB, ${PARALLEL_PARTS} in flight, incl. completion`,
    `${result.uploads.multiPart.medianMBps} MB/s`,
  ],
  [`same client to a discard-only child (ceiling of client + loopback on this box)`, `${result.uploads.discardSink.medianMBps} MB/s`],
  [`single-part ÷ ceiling, same run`, `${result.uploads.singlePartVsSink}`],
  [`server peak RSS during single-part ${size}`, `${result.uploads.singlePart.serverPeakRssMiB} MiB (idle ${idleRssMiB} MiB)`],
  [`server peak RSS during multi-part ${size}`, `${result.uploads.multiPart.serverPeakRssMiB} MiB`],
  ['server VmHWM over the whole child run', `${serverHwmMiB} MiB`],
])}

Query: \`${result.queries.what}\`. Client and in-process server share one Node process and the 2 cores.
Samples — qps 1 in flight: ${result.queries.samples.oneInFlight.join(', ')}; 8 in flight: ${result.queries.samples.eightInFlight.join(', ')}; creates (s): ${result.batchCreate.samples.join(', ')};
single-part MB/s: ${result.uploads.singlePart.samples.map((s) => s.mbPerSecond).join(', ')}; multi-part MB/s: ${result.uploads.multiPart.samples.map((s) => s.mbPerSecond).join(', ')}; discard sink MB/s: ${result.uploads.discardSink.samples.map((s) => s.mbPerSecond).join(', ')}.
Absolute MB/s depend on how busy the machine is (see the load average); the ratio to the sink is measured in the same run.
`;
} else {
  // Only the scale section: keep the other figures of the last full run.
  result = JSON.parse(await readFile(join(root, 'bench', 'results', 'ftrack-local.json'), 'utf8'));
  md = (await readFile(join(root, 'bench', 'results', 'ftrack-local.md'), 'utf8')).split('\n## Scale\n')[0];
}

// ---- scale (issue 11): a large store, a server child, the real client over HTTP
try {
  result.scale = { date: new Date().toISOString(), ...(await runScale(lib, { quick, runs: RUNS, work })) };
} finally {
  await rm(work, { recursive: true, force: true });
}
md = `${md.trimEnd()}\n\n${scaleMarkdown(result.scale)}`;
await writeResults('ftrack-local', result, md);
