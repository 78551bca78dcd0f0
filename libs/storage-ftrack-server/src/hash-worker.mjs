// The upload's running hashes (the whole file's digest and the current part's MD5) in a
// worker_thread, fed with chunks of the upload's shared buffers: hashing runs beside the reads
// and the sends instead of on the main thread.
//
// Plain JavaScript on purpose (as libs/encoder-wasm's wasm-worker.mjs): started with
// `new Worker(path)`, it must load as-is under vitest and next to the esbuild CLI bundle
// (tools/build.mjs copies it to dist/). Its messages are typed in hash-worker-protocol.ts and
// `npm run typecheck` checks this file against them (tsconfig.mjs.json, checkJs).
import { createHash } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';

/** @typedef {import('./hash-worker-protocol.js').HashWorkerData} HashWorkerData */
/** @typedef {import('./hash-worker-protocol.js').HashRequest} HashRequest */
/** @typedef {import('./hash-worker-protocol.js').HashReply} HashReply */

if (!parentPort) throw new Error('hash-worker.mjs runs only as a worker_thread (new Worker(path)).');
const port = parentPort;
const { algorithms, buffers } = /** @type {HashWorkerData} */ (workerData);
const hashes = algorithms.map((algorithm) => createHash(algorithm));

port.on('message', (/** @type {HashRequest} */ message) => {
  /** @type {HashReply} */
  let reply;
  if (message.type === 'update') {
    const buffer = buffers[message.slot];
    if (!buffer) throw new Error(`hash-worker.mjs: no buffer in slot ${message.slot}`);
    const bytes = new Uint8Array(buffer, 0, message.length);
    for (const hash of hashes) hash.update(bytes);
    reply = { type: 'hashed', slot: message.slot };
  } else {
    const hash = hashes[message.hash];
    const algorithm = algorithms[message.hash];
    if (!hash || !algorithm) throw new Error(`hash-worker.mjs: no hash ${message.hash}`);
    reply = { type: 'digest', hash: message.hash, hex: hash.digest('hex') };
    hashes[message.hash] = createHash(algorithm);
  }
  port.postMessage(reply);
});

/** @type {HashReply} */
const ready = { type: 'ready' };
port.postMessage(ready);
