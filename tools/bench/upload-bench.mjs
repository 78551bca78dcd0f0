#!/usr/bin/env node
// P4 of the publish benchmark: a streamed upload of a big file, measured three ways, interleaved
// (one run of each per round), so the ceiling of each side on this box is known in the same run:
//   full    FtrackServerStorage.upload → `ftrack-encode server`                the P4 figure
//   client  FtrackServerStorage.upload → a discard-only sink                   the client's ceiling
//           (the sink knows the parts' MD5s in advance: it neither hashes nor writes)
//   server  a raw client → `ftrack-encode server`                              the server's ceiling
//           (plain PUTs of parts read into buffers; no hashing)
// Every uploader runs in a child process of its own, so its RSS is its own.
// `node upload-bench.mjs --child <uploader|sink|raw> <json>` is one of those children.
import { createHash, randomUUID } from 'node:crypto';
import { createServer, request as httpRequest } from 'node:http';
import { once } from 'node:events';
import { createReadStream, readFileSync } from 'node:fs';
import { copyFile, open, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildBenchEntry, root } from './build-bench-lib.mjs';
import { median, MiB, round, runNodeChild, sampleRss } from './bench-support.mjs';

const self = fileURLToPath(import.meta.url);
const PARALLEL_PARTS = 6;
const CLOCK_TICKS = 100; // USER_HZ of /proc/<pid>/stat on Linux

if (process.argv[1] === self && process.argv[2] === '--child') {
  const options = JSON.parse(process.argv[4]);
  if (process.argv[3] === 'uploader') await uploaderChild(options);
  else if (process.argv[3] === 'sink') await sinkChild(options);
  else if (process.argv[3] === 'raw') await rawClientChild(options);
  else throw new Error(`unknown child ${process.argv[3]}`);
}

/** The storage lib alone, bundled like the CLI: its hash-worker.mjs copied beside the bundle. */
export async function buildUploaderLib() {
  const libPath = await buildBenchEntry(
    'uploader-lib',
    "import 'reflect-metadata';\nexport { FtrackServerStorage, partSizeFor } from '@ftrack-encode/storage-ftrack-server';\n",
  );
  await copyFile(join(root, 'libs', 'storage-ftrack-server', 'src', 'hash-worker.mjs'), join(dirname(libPath), 'hash-worker.mjs'));
  return libPath;
}

/** One FtrackServerStorage.upload of a file; prints seconds, bytes read, its own peak RSS. */
async function uploaderChild({ serverUrl, apiUser, apiKey, path, libPath }) {
  // Only the storage lib (built by the parent): the RSS measured is the uploader's, not the bench's.
  const lib = await import(pathToFileURL(libPath).href);
  const baselineRssMB = process.memoryUsage().rss / 1e6;
  const info = await stat(path);
  const storage = new lib.FtrackServerStorage({ serverUrl, apiUser, apiKey });
  const componentId = randomUUID();
  const cpuBefore = process.cpuUsage();
  const mainBefore = threadCpuSeconds(process.pid, process.pid);
  const start = performance.now();
  const result = await storage.upload({
    componentId,
    path,
    fileName: 'bench.bin',
    size: info.size,
    mtimeMs: Math.trunc(info.mtimeMs),
    algorithm: 'sha256',
    onBytes: () => undefined,
  });
  const seconds = (performance.now() - start) / 1000;
  process.stdout.write(
    `${JSON.stringify({
      componentId,
      seconds,
      cpuSeconds: cpuSecondsSince(cpuBefore),
      mainThreadCpuSeconds: threadCpuSeconds(process.pid, process.pid) - mainBefore,
      size: result.size,
      bytesRead: result.bytesRead,
      parts: result.partsSent?.length ?? 1,
      maxRssMB: (process.resourceUsage().maxRSS * 1024) / 1e6,
      baselineRssMB,
    })}\n`,
  );
}

/**
 * The discard-only sink: enough of the JSON API for FtrackServerStorage (get_upload_metadata,
 * complete_multipart_upload) and part PUTs whose bodies are read and dropped, answered with the
 * MD5 the parent computed beforehand. Prints its URL, then serves until killed.
 */
async function sinkChild({ partMd5s }) {
  let base = '';
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    if (req.method === 'PUT' && url.pathname === '/put') {
      req.on('data', () => undefined);
      req.on('end', () => {
        res.writeHead(200, { ETag: `"${partMd5s[Number(url.searchParams.get('part')) - 1] ?? ''}"`, 'Content-Length': 0 });
        res.end();
      });
      return;
    }
    let text = '';
    req.on('data', (d) => (text += d));
    req.on('end', () => {
      const answers = JSON.parse(text).map((op) => {
        if (op.action === 'get_upload_metadata' && op.parts) {
          return { upload_id: 'sink', urls: Array.from({ length: op.parts }, (_, i) => ({ part_number: i + 1, signed_url: `${base}/put?part=${i + 1}` })) };
        }
        if (op.action === 'get_upload_metadata') return { url: `${base}/put?part=1`, headers: {} };
        return {};
      });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(answers));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${server.address().port}`;
  process.stdout.write(`${JSON.stringify({ url: base })}\n`);
}

/**
 * The raw client: get_upload_metadata, then each part read into a buffer and sent in one plain
 * PUT (node:http), PARALLEL_PARTS at a time, then complete_multipart_upload. The clock includes the reads
 * (page-cache reads, a few ms per part, overlapped with the other parts' PUTs).
 */
async function rawClientChild({ serverUrl, apiUser, apiKey, path, partSize }) {
  const size = (await stat(path)).size;
  const parts = Math.ceil(size / partSize);
  const headers = { 'Content-Type': 'application/json', 'ftrack-user': apiUser, 'ftrack-api-key': apiKey };
  const api = async (operations) => {
    const body = await (await fetch(`${serverUrl}/api`, { method: 'POST', headers, body: JSON.stringify(operations) })).json();
    if (!Array.isArray(body)) throw new Error(`API error: ${JSON.stringify(body)}`);
    return body;
  };
  const componentId = randomUUID();
  const file = await open(path, 'r');
  const buffers = Array.from({ length: PARALLEL_PARTS }, () => Buffer.allocUnsafe(partSize));
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const [meta] = await api([{ action: 'get_upload_metadata', component_id: componentId, file_name: 'bench.bin', file_size: size, parts }]);
  const etags = [];
  let next = 0;
  await Promise.all(
    buffers.map(async (buffer) => {
      for (let index = next++; index < parts; index = next++) {
        const length = Math.min(partSize, size - index * partSize);
        await file.read(buffer, 0, length, index * partSize);
        const { status, etag } = await plainPut(meta.urls[index].signed_url, buffer.subarray(0, length));
        if (status !== 200) throw new Error(`part ${index + 1} answered ${status}`);
        etags[index] = { part_number: index + 1, e_tag: etag.replace(/"/g, '') };
      }
    }),
  );
  await api([{ action: 'complete_multipart_upload', component_id: componentId, upload_id: meta.upload_id, parts: etags }]);
  const seconds = (performance.now() - start) / 1000;
  const cpuSeconds = cpuSecondsSince(cpuBefore);
  await file.close();
  process.stdout.write(`${JSON.stringify({ componentId, seconds, cpuSeconds, size, parts })}\n`);
}

/** CPU seconds (user + system, every thread) this process used since `before`. */
function cpuSecondsSince(before) {
  const { user, system } = process.cpuUsage(before);
  return (user + system) / 1e6;
}

/** CPU seconds (user + system) a process has used so far, from /proc (clock ticks of 10 ms). */
function processCpuSeconds(pid) {
  return statCpuSeconds(`/proc/${pid}/stat`);
}

/** CPU seconds (user + system) one thread of a process has used so far (its main thread: tid = pid). */
function threadCpuSeconds(pid, tid) {
  return statCpuSeconds(`/proc/${pid}/task/${tid}/stat`);
}

function statCpuSeconds(path) {
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const fields = readFileSync(path, 'utf8').split(') ').pop().split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** One PUT of a buffer with node:http (fetch cannot feed loopback fast enough to find the server's limit). */
function plainPut(url, body) {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: 'PUT', headers: { 'Content-Length': body.length } }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode, etag: String(response.headers.etag ?? '') }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** MD5 of each part of a file, as the client will cut it. */
async function partMd5sOf(path, partSize) {
  const md5s = [];
  let hash = createHash('md5');
  let inPart = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: MiB })) {
    for (let offset = 0; offset < chunk.length;) {
      const take = Math.min(chunk.length - offset, partSize - inPart);
      hash.update(chunk.subarray(offset, offset + take));
      offset += take;
      inPart += take;
      if (inPart === partSize) {
        md5s.push(hash.digest('hex'));
        hash = createHash('md5');
        inPart = 0;
      }
    }
  }
  if (inPart > 0) md5s.push(hash.digest('hex'));
  return md5s;
}

/** FtrackServerStorage.upload of `path` in an uploader child: MB/s, bytes read, peak RSS (own maxRSS and /proc samples). */
export async function uploadInChild(credentials, path, libPath) {
  let sampler;
  const result = await runNodeChild([self, '--child', 'uploader', JSON.stringify({ ...credentials, path, libPath })], {
    onSpawn: (child) => (sampler = sampleRss(child.pid, { intervalMs: 25 })),
  });
  const rss = sampler.stop();
  return { ...result, mbPerSecond: result.size / 1e6 / result.seconds, sampledPeakMB: (rss.peakMiB * MiB) / 1e6 };
}

async function startSink(partMd5s) {
  const child = spawn(process.execPath, [self, '--child', 'sink', JSON.stringify({ partMd5s })], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = await once(createInterface({ input: child.stdout }), 'line');
  return {
    url: JSON.parse(line).url,
    async stop() {
      child.kill('SIGTERM');
      if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
    },
  };
}

/**
 * P4: `runs` rounds of full / client-ceiling / server-ceiling uploads of `path` against the
 * server described by `credentials` (its process `serverPid`, whose CPU time each upload is
 * charged). `removeStored(componentId)` clears each upload afterwards.
 */
export async function measureUploadCeilings({ credentials, serverPid, path, runs, libPath, removeStored, log = (line) => process.stdout.write(`${line}\n`) }) {
  const lib = await import(pathToFileURL(libPath).href);
  const { size } = await stat(path);
  const gib = size / (1024 * MiB);
  const partSize = lib.partSizeFor(size);
  const sink = await startSink(await partMd5sOf(path, partSize));
  /** The server's CPU seconds during `upload` (its clean-up after excluded). */
  const chargingServer = async (upload) => {
    const before = processCpuSeconds(serverPid);
    const mainBefore = threadCpuSeconds(serverPid, serverPid);
    const result = await upload();
    const serverCpuSeconds = processCpuSeconds(serverPid) - before;
    const serverMainThreadCpuSeconds = threadCpuSeconds(serverPid, serverPid) - mainBefore;
    await removeStored(result.componentId);
    return { ...result, serverCpuSeconds, serverMainThreadCpuSeconds };
  };
  const kinds = {
    full: () => chargingServer(() => uploadInChild(credentials, path, libPath)),
    client: () => uploadInChild({ ...credentials, serverUrl: sink.url }, path, libPath),
    server: () =>
      chargingServer(async () => {
        const result = await runNodeChild([self, '--child', 'raw', JSON.stringify({ ...credentials, path, partSize })]);
        return { ...result, mbPerSecond: result.size / 1e6 / result.seconds };
      }),
  };
  const samples = { full: [], client: [], server: [] };
  try {
    for (let i = 0; i < runs; i++) {
      for (const [kind, run] of Object.entries(kinds)) {
        const r = await run();
        samples[kind].push(r);
        const rss = r.maxRssMB === undefined ? '' : `, uploader peak RSS ${Math.max(r.maxRssMB, r.sampledPeakMB).toFixed(0)} MB`;
        const main = (seconds) => (seconds === undefined ? '' : ` (main thread ${(seconds / gib).toFixed(2)})`);
        const server = r.serverCpuSeconds === undefined ? '' : ` server ${(r.serverCpuSeconds / gib).toFixed(2)}${main(r.serverMainThreadCpuSeconds)}`;
        const cpu = `CPU s/GiB client ${(r.cpuSeconds / gib).toFixed(2)}${main(r.mainThreadCpuSeconds)}${server}`;
        log(`P4 run ${i + 1}/${runs} ${kind}: ${r.mbPerSecond.toFixed(0)} MB/s, ${r.parts} parts${rss}, ${cpu}`);
      }
    }
  } finally {
    await sink.stop();
  }
  const mbps = (kind) => median(samples[kind].map((r) => r.mbPerSecond));
  const peakRss = (kind) => Math.max(...samples[kind].map((r) => Math.max(r.maxRssMB, r.sampledPeakMB)));
  const cpuPerGiB = (kind, side) => round(median(samples[kind].map((r) => r[side] / gib)), 2);
  const medianMBps = mbps('full');
  const peakRssMB = peakRss('full');
  return {
    samples,
    p4: {
      what: `FtrackServerStorage.upload of a ${size / MiB} MiB file in its own child process to a \`ftrack-encode server\` child (loopback); peak RSS = max(the child's own maxRSS, /proc samples every 25 ms). Interleaved with the client's and the server's ceilings`,
      bytes: size,
      parts: samples.full[0].parts,
      partSizeMiB: partSize / MiB,
      medianMBps: round(medianMBps, 1),
      peakRssMB: round(peakRssMB, 1),
      cpuSecondsPerGiB: {
        what: 'median CPU seconds (user + system, all threads) per GiB uploaded: the uploading process (process.cpuUsage) and the server (/proc/<pid>/stat) during the upload; *MainThread: the main thread alone (/proc/<pid>/task/<pid>/stat), which must not be the bottleneck. Both share the box, so CPU either side spends slows the other',
        client: cpuPerGiB('full', 'cpuSeconds'),
        server: cpuPerGiB('full', 'serverCpuSeconds'),
        clientMainThread: cpuPerGiB('full', 'mainThreadCpuSeconds'),
        serverMainThread: cpuPerGiB('full', 'serverMainThreadCpuSeconds'),
        clientToDiscardSink: cpuPerGiB('client', 'cpuSeconds'),
        rawClient: cpuPerGiB('server', 'cpuSeconds'),
        serverFromRawClient: cpuPerGiB('server', 'serverCpuSeconds'),
      },
      ceilings: {
        clientToDiscardSink: {
          what: 'the same uploader child to a discard-only sink child (answers the part MD5s computed beforehand; no hashing, no disk): the client ceiling',
          medianMBps: round(mbps('client'), 1),
          peakRssMB: round(peakRss('client'), 1),
        },
        rawClientToServer: {
          what: `a raw client child to the same server: parts read into buffers and sent in plain PUTs (node:http; fetch is slower than the server here), ${PARALLEL_PARTS} in flight, no hashing: the server ceiling`,
          medianMBps: round(mbps('server'), 1),
        },
        fullOverLowerCeiling: round(medianMBps / Math.min(mbps('client'), mbps('server')), 3),
      },
      samples: samples.full.map((r, i) => ({
        seconds: round(r.seconds),
        mbPerSecond: round(r.mbPerSecond, 1),
        clientCpuSeconds: round(r.cpuSeconds, 2),
        clientMainThreadCpuSeconds: round(r.mainThreadCpuSeconds, 2),
        serverCpuSeconds: round(r.serverCpuSeconds, 2),
        serverMainThreadCpuSeconds: round(r.serverMainThreadCpuSeconds, 2),
        maxRssMB: round(r.maxRssMB, 1),
        sampledPeakMB: round(r.sampledPeakMB, 1),
        rssBeforeUploadMB: round(r.baselineRssMB, 1),
        clientCeilingMBps: round(samples.client[i].mbPerSecond, 1),
        serverCeilingMBps: round(samples.server[i].mbPerSecond, 1),
      })),
      targets: { mbPerSecond: 300, peakRssMB: 120 },
      pass: { throughput: medianMBps >= 300, memory: peakRssMB <= 120 },
    },
  };
}
