// A 300 MB upload to ftrack-local from a child process that loads the storage library bundled the
// way the CLI is (esbuild, hash-worker.mjs copied beside the bundle): the stored bytes are exact,
// and the uploading process's own peak RSS (process.resourceUsage().maxRSS) stays flat — a small
// fraction of the file. The 120 MB target of the whole process is the P4 benchmark's.
import { createHash, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, repoRoot } from './support/cli.js';
import { startLocal } from './support/ftrack.js';

const exec = promisify(execFile);
const MiB = 1024 * 1024;
const FILE_BYTES = 300_000_000; // 18 parts of 16 MiB and a short last one

/** The uploading process: one FtrackServerStorage.put, then its own peak RSS. */
const CHILD = `
import { randomUUID } from 'node:crypto';
const [libUrl, json] = process.argv.slice(2);
const { serverUrl, apiUser, apiKey, path } = JSON.parse(json);
const { FtrackServerStorage } = await import(libUrl);
const rssBeforeMiB = process.memoryUsage().rss / 2 ** 20;
const storage = new FtrackServerStorage({ serverUrl, apiUser, apiKey });
const componentId = randomUUID();
const stored = await storage.put(path, { componentId, componentName: 'plate', extension: 'bin' });
process.stdout.write(JSON.stringify({ componentId, stored, rssBeforeMiB, maxRssMiB: process.resourceUsage().maxRSS / 1024 }) + '\\n');
`;

describe('a 300 MB upload from a bundled client', () => {
  let work: string;
  let server: Awaited<ReturnType<typeof startLocal>>;
  let source: string;
  let sourceSha: string;
  let bundleDir: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'upload-memory-'));
    server = await startLocal(join(work, 'server'));
    source = join(work, 'plate.bin');
    const hash = createHash('sha256');
    const out = createWriteStream(source);
    for (let written = 0; written < FILE_BYTES; written += MiB) {
      const block = randomBytes(Math.min(MiB, FILE_BYTES - written));
      hash.update(block);
      if (!out.write(block)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    sourceSha = hash.digest('hex');

    // Everything in one file (no node_modules beside it), the worker script next to it: the CLI's layout.
    bundleDir = join(work, 'bundle');
    await build({
      absWorkingDir: repoRoot,
      stdin: {
        contents: "import 'reflect-metadata';\nexport { FtrackServerStorage } from '@ftrack-encode/storage-ftrack-server';\n",
        resolveDir: repoRoot,
        loader: 'ts',
      },
      outfile: join(bundleDir, 'storage.mjs'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      tsconfig: join(repoRoot, 'tsconfig.base.json'),
      logLevel: 'error',
      banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    });
    await copyFile(join(repoRoot, 'libs', 'storage-ftrack-server', 'src', 'hash-worker.mjs'), join(bundleDir, 'hash-worker.mjs'));
    await writeFile(join(bundleDir, 'child.mjs'), CHILD);
  });

  afterAll(async () => {
    await server?.close();
    await rm(work, { recursive: true, force: true });
  });

  it('stores the exact bytes while the uploading process stays far below the file size', async () => {
    const { stdout } = await exec(
      process.execPath,
      [
        join(bundleDir, 'child.mjs'),
        pathToFileURL(join(bundleDir, 'storage.mjs')).href,
        JSON.stringify({ serverUrl: server.url, apiUser: server.user, apiKey: server.apiKey, path: source }),
      ],
      { maxBuffer: 1 << 20 },
    );
    const result = JSON.parse(stdout.trim().split('\n').pop()!) as {
      componentId: string;
      stored: { checksum: { algorithm: string; hex: string }; size: number; created: boolean };
      rssBeforeMiB: number;
      maxRssMiB: number;
    };
    expect(result.stored).toMatchObject({ checksum: { algorithm: 'sha256', hex: sourceSha }, size: FILE_BYTES, created: true });

    const params = new URLSearchParams({ id: result.componentId, username: server.user, apiKey: server.apiKey });
    const response = await fetch(`${server.url}/component/get?${params.toString()}`);
    expect(response.status).toBe(200);
    const downloaded = createHash('sha256');
    for await (const chunk of Readable.fromWeb(response.body as import('node:stream/web').ReadableStream)) downloaded.update(chunk as Buffer);
    expect(downloaded.digest('hex')).toBe(sourceSha);

    // Flat memory: the chunk pool (4 MiB), the hash thread (~10 MiB) and node:http come to ~21 MiB
    // here; holding the file, one 16 MiB part per request in flight (96 MiB), or fetch (undici and
    // its optimised WebAssembly parser, ~40 MiB) cannot pass.
    const growthMiB = result.maxRssMiB - result.rssBeforeMiB;
    expect(growthMiB, `peak RSS ${result.maxRssMiB.toFixed(0)} MiB, ${result.rssBeforeMiB.toFixed(0)} MiB before the upload`).toBeLessThan(40);
  });

  it('the CLI bundle ships the hash worker and the server storage write worker beside its chunks', () => {
    buildCli();
    expect(existsSync(join(repoRoot, 'dist', 'hash-worker.mjs'))).toBe(true);
    expect(existsSync(join(repoRoot, 'dist', 'write-worker.mjs'))).toBe(true);
  });
});
