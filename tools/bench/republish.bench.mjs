#!/usr/bin/env node
// Re-publish of a huge unchanged source (merged into bench/results/publish.{json,md}, so it runs
// after publish.bench.mjs, which writes those files afresh):
//  hugeSequenceRepublishSeconds  `ftrack-encode publish` of an unchanged 2,000-frame EXR sequence
//                                that is already registered: time to the JSON result   target <= 1 s
//                                and / the first publish of it                           target <= 0.03
// What a re-publish costs per frame is locating, stat'ing and the checksum cache — never reading
// the frames, so their size does not matter to it; it does to the first publish, the ratio's
// denominator. At 64x36 a first publish takes a few seconds and 0.03 of it is less than starting
// Node: the frames are 480x270 half-float EXR (zip1, ~0.4 GB, generated once into .cache/bench),
// still far smaller than a real plate, whose first publish takes minutes.
// Each run publishes to a fresh version with an empty checksum cache, then publishes again;
// `--rehash` (the cache bypassed: every frame read) is timed too, for scale.
// BENCH_RUNS (default 3); BENCH_QUICK=1: 1 run.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  benchSettings,
  cliBin,
  ensureCliBuilt,
  machineInfo,
  machineLine,
  mdTable,
  median,
  mergeResultsPart,
  REPUBLISH_PART,
  root,
  round,
  startServerChild,
  timedPublish,
} from './bench-support.mjs';

const FRAMES = 2000;
const FIRST = 1001;
const SIZE = '480x270';
const TARGET_SECONDS = 1;
const TARGET_RATIO = 0.03;

/** plate.1001.exr … plate.3000.exr, SIZE half float; generated once (ffmpeg's EXR encoder). */
async function hugeSequence() {
  const dir = join(root, '.cache', 'bench', `sequence-${SIZE}-${FRAMES}`);
  const last = join(dir, `plate.${FIRST + FRAMES - 1}.exr`);
  if (existsSync(last)) return join(dir, 'plate.####.exr');
  const partial = `${dir}.partial-${process.pid}`;
  await mkdir(partial, { recursive: true });
  const ffmpeg = process.env.FFMPEG_PATH ?? 'ffmpeg';
  const args = ['-hide_banner', '-v', 'error', '-f', 'lavfi', '-i', `testsrc2=s=${SIZE}:r=24`, '-frames:v', String(FRAMES)];
  args.push('-pix_fmt', 'gbrpf32le', '-c:v', 'exr', '-format', 'half', '-compression', 'zip1', '-start_number', String(FIRST));
  const made = spawnSync(ffmpeg, [...args, join(partial, 'plate.%04d.exr')], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`ffmpeg could not write the EXR sequence: ${made.stderr}`);
  if ((await readdir(partial)).length !== FRAMES) throw new Error(`expected ${FRAMES} frames in ${partial}`);
  await rm(dir, { recursive: true, force: true });
  await rename(partial, dir);
  return join(dir, 'plate.####.exr');
}

async function main() {
  const { quick, runs } = benchSettings(3);
  const machine = machineInfo();
  ensureCliBuilt();
  process.stdout.write(`preparing the ${FRAMES}-frame EXR sequence (cached after the first run)...\n`);
  const sequence = await hugeSequence();
  const work = await mkdtemp(join(tmpdir(), 'ftrack-encode-republish-bench-'));
  const server = await startServerChild(join(work, 'server'));
  const cache = join(work, 'cache');
  const env = {
    ...process.env,
    FTRACK_ENCODE_NO_BUILD: '1',
    FTRACK_SERVER: server.url,
    FTRACK_API_USER: server.user,
    FTRACK_API_KEY: server.apiKey,
    XDG_CACHE_HOME: cache,
  };
  const api = async (operations) => {
    const response = await fetch(`${server.url}/api`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'ftrack-user': server.user, 'ftrack-api-key': server.apiKey },
      body: JSON.stringify(operations),
    });
    const body = await response.json();
    if (!Array.isArray(body)) throw new Error(`API error: ${JSON.stringify(body)}`);
    return body;
  };
  const samples = [];
  // Warm-up, not measured: the encoder's capabilities (cached per ffmpeg binary) are proven once,
  // so no first publish pays for it.
  spawnSync(process.execPath, [cliBin, 'encode', sequence, '--dry-run', '--out', join(work, 'dry-run')], { env, stdio: 'ignore' });
  try {
    const [version] = (await api([{ action: 'query', expression: `select asset_id from AssetVersion where id is "${server.seed.versionId}"` }]))[0].data;
    for (let i = 0; i < runs; i++) {
      const versionId = randomUUID();
      await api([
        {
          action: 'create',
          entity_type: 'AssetVersion',
          entity_data: {
            __entity_type__: 'AssetVersion',
            id: versionId,
            asset_id: version.asset_id,
            task_id: server.seed.taskId,
            comment: `republish bench ${i + 1}`,
          },
        },
      ]);
      // The first publish reads every frame: no checksum remembered from an earlier run.
      await rm(join(cache, 'ftrack-encode', 'checksums'), { recursive: true, force: true });
      const args = [cliBin, 'publish', sequence, '--version', versionId, '--json'];
      const first = await timedPublish(args, env);
      const again = await timedPublish(args, env);
      const rehash = await timedPublish([...args, '--rehash'], env);
      if (first.skipped || !again.skipped || !rehash.skipped) {
        throw new Error(`expected publish, then two skips; got skipped=${first.skipped}, ${again.skipped}, ${rehash.skipped}`);
      }
      samples.push({ first, again, rehash });
      process.stdout.write(
        `run ${i + 1}/${runs}: first publish ${first.resultSeconds.toFixed(2)} s, re-publish ${again.resultSeconds.toFixed(3)} s, re-publish --rehash ${rehash.resultSeconds.toFixed(2)} s\n`,
      );
    }
  } finally {
    await server.stop();
    await rm(work, { recursive: true, force: true });
  }

  const first = median(samples.map((s) => s.first.resultSeconds));
  const again = median(samples.map((s) => s.again.resultSeconds));
  const rehash = median(samples.map((s) => s.rehash.resultSeconds));
  const ratio = again / first;
  const detail = {
    what: `\`node bin/ftrack-encode.mjs publish <${FRAMES}-frame ${SIZE} half-float EXR sequence> --version <new id> --json\`, then the same again (skipped): time until the JSON result is printed`,
    date: new Date().toISOString(),
    runs,
    quick,
    loadAverageAtStart: machine.loadAverageAtStart,
    frames: FRAMES,
    frameSize: SIZE,
    medianSeconds: { first: round(first), again: round(again), againWithRehash: round(rehash) },
    ratio: round(ratio, 4),
    samples: samples.map((s) => ({ first: round(s.first.resultSeconds), again: round(s.again.resultSeconds), rehash: round(s.rehash.resultSeconds) })),
    targets: { seconds: TARGET_SECONDS, ratio: TARGET_RATIO },
    pass: { seconds: again <= TARGET_SECONDS, ratio: ratio <= TARGET_RATIO },
  };
  const section = `${REPUBLISH_PART.heading} (republish.bench.mjs)

${detail.date} — median of ${runs} run(s)${quick ? ' (BENCH_QUICK)' : ''}. ${machineLine(machine)}

${mdTable([
  [
    `re-publish of an unchanged ${FRAMES}-frame ${SIZE} EXR sequence (time to result)`,
    `${detail.medianSeconds.again} s`,
    `≤ ${TARGET_SECONDS} s`,
    detail.pass.seconds,
  ],
  ['… / first publish of it', `${detail.ratio} (${detail.medianSeconds.again} s / ${detail.medianSeconds.first} s)`, `≤ ${TARGET_RATIO}`, detail.pass.ratio],
  ['re-publish with --rehash (every frame read again)', `${detail.medianSeconds.againWithRehash} s`],
])}

Samples (s, first → again → --rehash): ${detail.samples.map((s) => `${s.first} → ${s.again} → ${s.rehash}`).join('; ')}.
`;
  await mergeResultsPart(REPUBLISH_PART, { hugeSequenceRepublishSeconds: round(again), hugeSequenceRepublish: detail }, section);
}

await main();
