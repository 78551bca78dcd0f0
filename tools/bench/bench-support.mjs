// Helpers shared by the ftrack-local, publish and wasm benchmarks: the machine block, medians,
// RSS sampling of child processes from /proc, the ftrack-local server child, result files.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, freemem, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { root } from './build-bench-lib.mjs';

export { root };
export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;
export const cliBin = join(root, 'bin', 'ftrack-encode.mjs');

/** BENCH_RUNS (default `fallback`) and BENCH_QUICK (1/true: smaller sizes, fewer runs). */
export function benchSettings(fallbackRuns) {
  const quick = ['1', 'true', 'yes'].includes(String(process.env.BENCH_QUICK ?? '').toLowerCase());
  const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? (quick ? 1 : fallbackRuns)));
  return { quick, runs };
}

/** The plan the wasm and segments benchmarks run: one 720p H.264 review mp4 at CRF 23 veryfast, AAC. */
export const REVIEW_720_PROFILE = {
  name: 'bench-review-720',
  description: 'one 720p H.264 mp4, CRF 23 veryfast, AAC',
  outputs: [
    {
      name: 'ftrackreview-mp4',
      kind: 'video',
      codec: 'h264',
      container: 'mp4',
      crf: 23,
      preset: 'veryfast',
      size: { maxWidth: 1280, maxHeight: 720, fit: 'within' },
      keyframeInterval: 12,
      pixelFormat: 'yuv420p',
      audio: { codec: 'aac', bitrate: '192k' },
    },
  ],
};

/** The ffmpeg.wasm worker script, for benchmarks that run WasmNodeEncoder from a bundle. */
export const WASM_WORKER_PATH = join(root, 'libs', 'encoder-wasm', 'src', 'node', 'wasm-worker.mjs');

/** A benchmark clip as its result file records it. */
export function clipSummary(info) {
  return {
    width: info.width,
    height: info.height,
    frameRate: `${info.frameRate.num}/${info.frameRate.den}`,
    frames: info.frameCount,
    audio: info.audio.length > 0,
  };
}

export function median(values) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const round = (n, digits = 3) => (Number.isFinite(n) ? Math.round(n * 10 ** digits) / 10 ** digits : n);

function firstLine(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  return result.stdout?.split('\n')[0]?.trim() || 'unknown';
}

/** Described once at the start of a benchmark (the load average says how busy the box was). */
export function machineInfo() {
  const cpu = cpus();
  return {
    cpus: cpu.length,
    model: cpu[0]?.model ?? 'unknown',
    memoryGiB: round(totalmem() / GiB),
    freeMemoryGiB: round(freemem() / GiB),
    os: `${platform()} ${release()}`,
    node: process.version,
    ffmpeg: firstLine(process.env.FFMPEG_PATH ?? 'ffmpeg', ['-hide_banner', '-version']),
    loadAverageAtStart: loadavg().map((n) => round(n, 2)),
  };
}

export function machineLine(m) {
  return `Machine: ${m.cpus} × ${m.model}, ${m.memoryGiB} GiB RAM, ${m.os}, Node ${m.node}, ${m.ffmpeg}; load average at start ${m.loadAverageAtStart.join(' / ')}.`;
}

function statusKiB(pid, field) {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0; // gone
  }
}

function descendants(pid) {
  const found = [pid];
  for (let i = 0; i < found.length; i++) {
    try {
      for (const task of readdirSync(`/proc/${found[i]}/task`)) {
        const text = readFileSync(`/proc/${found[i]}/task/${task}/children`, 'utf8').trim();
        if (text) found.push(...text.split(/\s+/).map(Number));
      }
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

/**
 * Peak memory of a process (and, with `tree`, its children summed) sampled from /proc every
 * `intervalMs`. The process's own VmHWM (kernel-kept peak) is read at every sample too.
 */
export function sampleRss(pid, { intervalMs = 50, tree = false } = {}) {
  let peakKiB = 0;
  let hwmKiB = 0;
  const tick = () => {
    const pids = tree ? descendants(pid) : [pid];
    const sum = pids.reduce((total, p) => total + statusKiB(p, 'VmRSS'), 0);
    peakKiB = Math.max(peakKiB, sum);
    hwmKiB = Math.max(hwmKiB, statusKiB(pid, 'VmHWM'));
  };
  tick();
  // unref: a sampler whose stop() an error path skipped must not keep the bench alive.
  const timer = setInterval(tick, intervalMs).unref();
  return {
    /** Current peak without stopping. */
    peakMiB: () => Math.max(peakKiB, hwmKiB) / 1024,
    stop() {
      tick();
      clearInterval(timer);
      return { peakMiB: round(Math.max(peakKiB, hwmKiB) / 1024, 1), hwmMiB: round(hwmKiB / 1024, 1), sampledPeakMiB: round(peakKiB / 1024, 1) };
    },
  };
}

/** Reads /proc/<pid>/status VmHWM now, in MiB (the peak so far). */
export function vmHwmMiB(pid) {
  return round(statusKiB(pid, 'VmHWM') / 1024, 1);
}

let built = false;
/** Builds the CLI bundle if its sources changed (bin/ftrack-encode.mjs does that on use), once. */
export function ensureCliBuilt() {
  if (built) return;
  const result = spawnSync(process.execPath, [cliBin, '--help'], { encoding: 'utf8', env: { ...process.env, FTRACK_ENCODE_NO_BUILD: '' } });
  if (result.status !== 0) throw new Error(`node bin/ftrack-encode.mjs --help failed: ${result.stderr}`);
  built = true;
}

/**
 * `node bin/ftrack-encode.mjs server --port 0 --json --seed demo --data <dir>` in a child process:
 * resolves with the JSON line it prints (url, user, apiKey, seed ids) and its pid.
 */
export async function startServerChild(dataDir) {
  ensureCliBuilt();
  const child = spawn(process.execPath, [cliBin, 'server', '--port', '0', '--json', '--seed', 'demo', '--data', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FTRACK_ENCODE_NO_BUILD: '1' },
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const info = await new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      try {
        resolve(JSON.parse(line));
      } catch {
        reject(new Error(`server printed ${line}`));
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${stderr}`)));
    child.once('error', reject);
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    ...info,
    pid: child.pid,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timeout = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timeout);
    },
  };
}

/** `ftrack-encode publish`: seconds until its JSON result is on stdout, and until the process exits. */
export function timedPublish(args, env) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    let resultSeconds;
    child.stdout.on('data', (d) => {
      stdout += d;
      if (resultSeconds === undefined && stdout.trimEnd().endsWith('}')) {
        try {
          JSON.parse(stdout);
          resultSeconds = (performance.now() - start) / 1000;
        } catch {
          // not complete yet
        }
      }
    });
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code) => {
      const exitSeconds = (performance.now() - start) / 1000;
      let result;
      try {
        result = JSON.parse(stdout);
      } catch {
        return reject(new Error(`publish printed no JSON (exit ${code}): ${stdout.slice(-500)} ${stderr}`));
      }
      if (code !== 0 || result?.error) return reject(new Error(`publish failed (exit ${code}): ${JSON.stringify(result.error ?? result)}`));
      resolve({ resultSeconds: resultSeconds ?? exitSeconds, exitSeconds, skipped: result?.skipped, components: result?.components?.length ?? 0 });
    });
  });
}

/** Runs a node script in a child; resolves with the last JSON line it printed on stdout. */
export function runNodeChild(args, { env = process.env, onSpawn } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code) => {
      const last = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`${args.join(' ')} exited ${code}: ${stderr || stdout.slice(-2000)}`));
      try {
        resolve(JSON.parse(last));
      } catch {
        reject(new Error(`child printed no JSON: ${stdout.slice(-500)} ${stderr}`));
      }
    });
  });
}

/**
 * A `bytes`-long request body made on the fly from one 1 MiB random block, so 1 GiB never sits
 * in memory. `pull` streams: the producer waits for the consumer.
 */
export function generatedBody(bytes, block = randomBlock()) {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= bytes) return controller.close();
      const n = Math.min(block.length, bytes - sent);
      // A copy: fetch may hold the chunk after enqueue; reusing one buffer would race.
      controller.enqueue(new Uint8Array(block.subarray(0, n)));
      sent += n;
    },
  });
}

export function randomBlock(size = MiB) {
  const block = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(block.subarray(i, Math.min(size, i + 65536)));
  return block;
}

export const passText = (pass) => (pass === undefined ? '—' : pass ? 'pass' : 'FAIL');

/** | metric | value | target | | rows: [metric, value, target, pass?] */
export function mdTable(rows) {
  return ['| metric | value | target | |', '|---|---|---|---|', ...rows.map(([m, v, t, p]) => `| ${m} | ${v} | ${t ?? '—'} | ${passText(p)} |`)].join('\n');
}

/**
 * A part of another bench's results file that bench does not write itself: the re-publish bench
 * adds its keys and its .md section to publish.json/.md (tools read them there).
 */
export const REPUBLISH_PART = {
  name: 'publish',
  keys: ['hugeSequenceRepublishSeconds', 'hugeSequenceRepublish'],
  heading: '## Re-publish of a huge unchanged sequence',
};

/**
 * Writes bench/results/<name>.json and .md. `keep`: a part another bench wrote into these files
 * (its keys and its .md section from `heading` on) survives this bench running alone.
 */
export async function writeResults(name, result, md, keep) {
  const dir = join(root, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  const jsonPath = join(dir, `${name}.json`);
  const mdPath = join(dir, `${name}.md`);
  if (keep) {
    const old = await readFile(jsonPath, 'utf8').then(JSON.parse, () => ({}));
    result = { ...result, ...Object.fromEntries(keep.keys.filter((k) => k in old).map((k) => [k, old[k]])) };
    const oldMd = await readFile(mdPath, 'utf8').catch(() => '');
    if (oldMd.includes(keep.heading)) md = `${md.trimEnd()}\n\n${oldMd.slice(oldMd.indexOf(keep.heading))}`;
  }
  await writeFile(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(mdPath, md);
  process.stdout.write(`\n${md}`);
}

/** Read-modify-write of the `part` of another bench's results (its keys, its .md section). */
export async function mergeResultsPart(part, keys, section) {
  const dir = join(root, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  const jsonPath = join(dir, `${part.name}.json`);
  const mdPath = join(dir, `${part.name}.md`);
  const json = await readFile(jsonPath, 'utf8').then(JSON.parse, () => ({}));
  await writeFile(jsonPath, `${JSON.stringify({ ...json, ...keys }, null, 2)}\n`);
  const md = await readFile(mdPath, 'utf8').catch(() => '');
  const kept = md.includes(part.heading) ? md.slice(0, md.indexOf(part.heading)) : md;
  await writeFile(mdPath, `${kept.trimEnd()}\n\n${section}`);
  process.stdout.write(`\n${section}`);
}

/**
 * `ftrack-encode-daemon` as a child (no ftrack: encode jobs only; its config sets the concurrency); resolves once it logs "daemon ready".
 * Keeps the times of its "job started" / "job completed" log lines (pino `time`, ms).
 */
export async function startDaemonChild({ name, configPath, cwd, redisUrl }) {
  ensureCliBuilt();
  const env = { ...process.env, FTRACK_ENCODE_NO_BUILD: '1', REDIS_URL: redisUrl };
  for (const key of ['FTRACK_SERVER', 'FTRACK_API_USER', 'FTRACK_API_KEY']) delete env[key];
  const child = spawn(
    process.execPath,
    [join(root, 'bin', 'ftrack-encode-daemon.mjs'), '--config', configPath, '--json', '--health-port', '0', '--name', name],
    {
      cwd,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const daemon = { name, child, healthPort: 0, readyAt: 0, started: new Map(), completed: new Map(), tail: [] };
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let buffer = '';
  await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`daemon ${name} exited with ${code}: ${daemon.tail.join('\n')}`)));
    child.stderr.on('data', (chunk) => {
      buffer += chunk.toString();
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        daemon.tail = [...daemon.tail.slice(-5), line];
        let entry;
        try {
          entry = JSON.parse(line);
        } catch {
          continue;
        }
        if (entry.msg === 'daemon ready') {
          daemon.readyAt = entry.time;
          daemon.healthPort = entry.healthPort;
          resolve();
        } else if (entry.msg === 'job started') daemon.started.set(entry.jobId, entry.time);
        else if (entry.msg === 'job completed') daemon.completed.set(entry.jobId, entry.time);
      }
    });
  });
  daemon.stop = async () => {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return daemon;
}
