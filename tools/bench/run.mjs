#!/usr/bin/env node
// `npm run bench`: every tools/bench/*.bench.mjs, in name order, one after the other
// (benchmarks share the 2 cores; running them in parallel would measure each other).
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

const dir = dirname(fileURLToPath(import.meta.url));
const benches = (await readdir(dir)).filter((f) => f.endsWith('.bench.mjs')).sort();
let failed = 0;
for (const bench of benches) {
  process.stdout.write(`\n== ${bench}\n`);
  const result = spawnSync(process.execPath, [join(dir, bench)], { stdio: 'inherit' });
  if (result.status !== 0) {
    failed++;
    process.stderr.write(`${bench} failed (exit ${result.status ?? result.signal})\n`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
