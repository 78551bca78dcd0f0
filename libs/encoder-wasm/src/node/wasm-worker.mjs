// ffmpeg.wasm (@ffmpeg/core, single thread) inside a Node worker_thread.
//
// Plain JavaScript on purpose: this file is started with `new Worker(url)` and must load
// as-is under vitest (no TS transform in workers) and next to the esbuild CLI bundle
// (copied to dist/). It imports only node: builtins; the core's location comes in
// workerData, resolved by the main thread. The message shapes are typed in worker-protocol.ts,
// the core's API in ffmpeg-core-module.ts; `npm run typecheck` checks this file against both
// (tsconfig.mjs.json, checkJs), so the JSDoc types below are enforced, not decoration.
//
// The core's exec() is synchronous and blocks this thread until ffmpeg returns, which is
// why it lives here: the main event loop stays free, and worker.terminate() is the cancel.
import { parentPort, workerData } from 'node:worker_threads';
import { closeSync, openSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';

/** @typedef {import('./worker-protocol.js').ExecRequest} ExecRequest */
/** @typedef {import('./worker-protocol.js').ExecResult} ExecResult */
/** @typedef {import('./worker-protocol.js').WorkerData} WorkerData */
/** @typedef {import('./worker-protocol.js').WorkerMessage} WorkerMessage */
/** @typedef {import('./ffmpeg-core-module.js').FFmpegCoreModule} FFmpegCoreModule */
/** @typedef {import('./ffmpeg-core-module.js').FFmpegCoreModuleFactory} FFmpegCoreModuleFactory */
/** @typedef {import('./ffmpeg-core-module.js').FFmpegCoreLog} FFmpegCoreLog */
/** @typedef {import('./ffmpeg-core-module.js').WorkerFsBlob} WorkerFsBlob */

if (!parentPort) throw new Error('wasm-worker.mjs runs only as a worker_thread (new Worker(path)).');
const port = parentPort;
const data = /** @type {WorkerData} */ (workerData);

/** @param {WorkerMessage} message */
function send(message) {
  port.postMessage(message);
}

/**
 * The web-worker globals Emscripten's build looks for, which Node lacks. (The DOM lib types
 * `self` as a Window, so this view of globalThis types only what the shims below set.)
 * @typedef {{ self: { location?: { href: string } }, FileReaderSync: new () => { readAsArrayBuffer(slice: DiskSlice): ArrayBuffer } }} WebWorkerGlobals
 */
const webGlobals = /** @type {WebWorkerGlobals} */ (/** @type {unknown} */ (globalThis));

// Emscripten's ESM build thinks it runs in a web worker: it needs `self` and `self.location`.
webGlobals.self = globalThis;
webGlobals.self.location = { href: 'file:///' };

// Inputs are mounted with WORKERFS, which reads byte ranges through FileReaderSync.
// Our "blobs" read those ranges straight from disk, so an input is never copied into
// the wasm heap or MEMFS (a 2 GB movie costs no memory here).
webGlobals.FileReaderSync = class FileReaderSync {
  /** @param {DiskSlice} slice */
  readAsArrayBuffer(slice) {
    return slice.read();
  }
};

class DiskSlice {
  /**
   * @param {DiskBlob} blob
   * @param {number} start
   * @param {number} end
   */
  constructor(blob, start, end) {
    this.blob = blob;
    this.start = start;
    this.size = Math.max(0, end - start);
  }
  /** @returns {ArrayBuffer} */
  read() {
    const fd = this.blob.open();
    const bytes = new Uint8Array(this.size);
    let done = 0;
    while (done < this.size) {
      const n = readSync(fd, bytes, done, this.size - done, this.start + done);
      if (n === 0) break;
      done += n;
    }
    return done === this.size ? bytes.buffer : bytes.buffer.slice(0, done);
  }
}

/** Open descriptors, most recent last: a 1000-frame sequence must not hold 1000 of them. */
/** @type {DiskBlob[]} */
const openBlobs = [];
const MAX_OPEN = 16;

/** @implements {WorkerFsBlob} */
class DiskBlob {
  /** @param {string} path */
  constructor(path) {
    this.path = path;
    /** @type {number | undefined} */
    this.fd = undefined;
    this.size = statSync(path).size;
  }
  /** @returns {number} */
  open() {
    const at = openBlobs.indexOf(this);
    if (at >= 0) openBlobs.splice(at, 1);
    else {
      this.fd = openSync(this.path, 'r');
      if (openBlobs.length >= MAX_OPEN) openBlobs.shift()?.close();
    }
    openBlobs.push(this);
    // Every blob in openBlobs holds a descriptor: close() takes it off the list.
    return /** @type {number} */ (this.fd);
  }
  /**
   * @param {number} start
   * @param {number} [end]
   */
  slice(start, end) {
    return new DiskSlice(this, start, Math.min(end ?? this.size, this.size));
  }
  close() {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
    const at = openBlobs.indexOf(this);
    if (at >= 0) openBlobs.splice(at, 1);
  }
}

const LOG_TAIL = 120;
/** `-progress pipe:1` lines are strict `key=value`; x264 debug lines ("frame=   3 QP=..") are not. */
const PROGRESS_LINE = /^[a-z_]+=\S*$/;

/**
 * Set by load() before 'ready' is posted; the main thread sends no request before that.
 * @type {FFmpegCoreModule}
 */
let core;
/** @type {{ id: number, progress: boolean, captureLog: boolean, log: string[] } | null} */
let current = null;

/** @param {FFmpegCoreLog} log */
function onLog({ type, message }) {
  if (!current) return;
  if (current.progress && type === 'stdout' && PROGRESS_LINE.test(message)) {
    send({ type: 'progress', id: current.id, line: message });
    return;
  }
  // The core logs at debug level whatever -loglevel says: keep everything only when asked.
  if (current.captureLog) current.log.push(message);
  else {
    current.log.push(message);
    if (current.log.length > LOG_TAIL * 2) current.log.splice(0, current.log.length - LOG_TAIL);
  }
}

/** @param {string} path */
function mkdirTree(path) {
  const parts = path.split('/').filter(Boolean);
  let dir = '';
  for (const part of parts) {
    dir += `/${part}`;
    try {
      core.FS.mkdir(dir);
    } catch {
      // exists
    }
  }
}

/**
 * @param {string} path
 * @returns {string}
 */
function parentDir(path) {
  return path.slice(0, path.lastIndexOf('/')) || '/';
}

/**
 * @param {string} path
 * @returns {boolean}
 */
function exists(path) {
  try {
    core.FS.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** @param {string} path */
function unlinkQuietly(path) {
  try {
    core.FS.unlink(path);
  } catch {
    // already gone
  }
}

/**
 * @param {ExecRequest} request
 * @returns {ExecResult}
 */
function run(request) {
  /** @type {DiskBlob[]} */
  const blobs = [];
  /** @type {string[]} */
  const mounted = [];
  /** @type {string[]} */
  const log = [];
  current = { id: request.id, progress: request.progress, captureLog: request.captureLog, log };
  try {
    for (const mount of request.mounts) {
      const entries = mount.files.map((file) => {
        const data = new DiskBlob(file.diskPath);
        blobs.push(data);
        return { name: file.name, data };
      });
      mkdirTree(mount.mountPoint);
      core.FS.mount(core.FS.filesystems.WORKERFS, { blobs: entries }, mount.mountPoint);
      mounted.push(mount.mountPoint);
    }
    for (const file of request.files) {
      mkdirTree(parentDir(file.path));
      core.FS.writeFile(file.path, file.contents);
    }
    for (const link of request.links) {
      mkdirTree(parentDir(link.path));
      core.FS.symlink(link.target, link.path);
    }
    for (const output of request.outputs) mkdirTree(parentDir(output.memfsPath));
    for (const path of request.collect) mkdirTree(parentDir(path));

    core.setTimeout(request.timeoutMs ?? -1);
    if (request.program === 'ffprobe') core.ffprobe(...request.args);
    else core.exec(...request.args);
    const ret = core.ret;
    core.reset();

    /** @type {ExecResult['written']} */
    const written = [];
    for (const output of request.outputs) {
      if (!exists(output.memfsPath)) continue;
      const data = core.FS.readFile(output.memfsPath);
      unlinkQuietly(output.memfsPath);
      writeFileSync(output.diskPath, data);
      written.push({ memfsPath: output.memfsPath, diskPath: output.diskPath, size: data.byteLength });
    }
    /** @type {ExecResult['collected']} */
    const collected = {};
    for (const path of request.collect) {
      if (!exists(path)) continue;
      collected[path] = core.FS.readFile(path, { encoding: 'utf8' });
      unlinkQuietly(path);
    }
    return { type: 'result', id: request.id, ret, written, collected, log: request.captureLog ? log : log.slice(-LOG_TAIL) };
  } finally {
    current = null;
    for (const output of request.outputs) unlinkQuietly(output.memfsPath);
    for (const file of request.files) unlinkQuietly(file.path);
    for (const link of request.links) unlinkQuietly(link.path);
    for (const point of mounted) core.FS.unmount(point);
    for (const blob of blobs) blob.close();
  }
}

/** @returns {Promise<string>} the `ffmpeg version ...` line of the loaded core */
async function load() {
  /** @type {{ default: FFmpegCoreModuleFactory }} */
  const { default: createFFmpegCore } = await import(data.coreUrl);
  core = await createFFmpegCore({ wasmBinary: readFileSync(data.wasmPath) });
  core.setLogger(onLog);
  // Upstream ffmpeg.wasm #823: a JPEG encode as the first command of a fresh core crashes.
  // Any command first avoids it; -version also tells us what we loaded.
  /** @type {string[]} */
  const log = [];
  current = { id: 0, progress: false, captureLog: true, log };
  core.exec('-version');
  core.reset();
  current = null;
  return log.find((line) => line.startsWith('ffmpeg version')) ?? 'ffmpeg version unknown';
}

port.on('message', (/** @type {ExecRequest} */ request) => {
  if (request.type !== 'exec') return;
  try {
    send(run(request));
  } catch (error) {
    // A throw out of exec (e.g. "memory access out of bounds") leaves the core unusable:
    // the main thread terminates this worker and starts a fresh one.
    send({ type: 'crash', id: request.id, message: error instanceof Error ? error.message : String(error) });
  }
});

load().then(
  (version) => send({ type: 'ready', version }),
  (error) => send({ type: 'crash', id: 0, message: `loading @ffmpeg/core failed: ${error instanceof Error ? error.message : String(error)}` }),
);
