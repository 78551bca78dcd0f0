// The storage's write thread: MD5-hashes each request body and writes it at its offset, so the
// server's main thread only receives (the bytes arrive transferred, not copied). Writes are
// synchronous here on purpose: this thread has nothing else to do, and one writer per file is
// cheaper than several thread-pool writes contending for it.
//
// Plain JavaScript on purpose (as storage-ftrack-server's hash-worker.mjs): started with
// `new Worker(path)`, it must load as-is under vitest and next to the esbuild CLI bundle
// (tools/build.mjs copies it to dist/). Its messages are typed in write-worker-protocol.ts and
// `npm run typecheck` checks this file against them (tsconfig.mjs.json, checkJs).
import { createHash } from 'node:crypto';
import { writevSync } from 'node:fs';
import { MessageChannel, parentPort } from 'node:worker_threads';

/** @typedef {import('./write-worker-protocol.js').WriteRequest} WriteRequest */
/** @typedef {import('./write-worker-protocol.js').WriteReply} WriteReply */

if (!parentPort) throw new Error('write-worker.mjs runs only as a worker_thread (new Worker(path)).');
const port = parentPort;
/** @type {Map<number, import('node:crypto').Hash>} */
const hashes = new Map();

port.on('message', (/** @type {WriteRequest} */ message) => {
  /** @type {WriteReply} */
  let reply;
  if (message.type === 'write') {
    try {
      const hash = hashes.get(message.stream) ?? createHash('md5');
      hashes.set(message.stream, hash);
      for (const chunk of message.chunks) hash.update(chunk);
      writeAll(message.fd, message.chunks, message.position);
      free(message.chunks);
      reply = { type: 'written', stream: message.stream };
    } catch (error) {
      hashes.delete(message.stream);
      reply = { type: 'failed', stream: message.stream, message: error instanceof Error ? error.message : String(error) };
    }
  } else if (message.type === 'finish') {
    const hash = hashes.get(message.stream) ?? createHash('md5');
    hashes.delete(message.stream);
    reply = { type: 'digest', stream: message.stream, md5Hex: hash.digest('hex') };
  } else {
    hashes.delete(message.stream);
    return;
  }
  port.postMessage(reply);
});

/**
 * Frees the chunks' memory now. Left to this thread's garbage collector they would pile up (its
 * heap is tiny, so it rarely runs: tens of MiB per request); handed back to the main thread they
 * would make its bigger heap collect more often. Node 20 has no ArrayBuffer.prototype.transfer,
 * so they are transferred into a channel closed at once, which drops them unread.
 * @param {Uint8Array[]} chunks
 */
function free(chunks) {
  const { port1, port2 } = new MessageChannel();
  port1.postMessage(
    null,
    chunks.map((c) => /** @type {ArrayBuffer} */ (c.buffer)),
  );
  port1.close();
  port2.close();
}

/**
 * One positioned writev, continued after a short write (which a regular file gives only near ENOSPC).
 * @param {number} fd
 * @param {Uint8Array[]} chunks
 * @param {number} position
 */
function writeAll(fd, chunks, position) {
  let rest = [...chunks];
  let at = position;
  while (rest.length > 0) {
    let written = writevSync(fd, rest, at);
    if (written === 0) throw new Error('the disk took no more bytes');
    at += written;
    while (rest.length > 0 && written >= /** @type {Uint8Array} */ (rest[0]).length) written -= /** @type {Uint8Array} */ (rest.shift()).length;
    if (written > 0) rest = [/** @type {Uint8Array} */ (rest[0]).subarray(written), ...rest.slice(1)];
  }
}
