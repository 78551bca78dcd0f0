// The "Scale" section of the ftrack-local benchmark (issue 11): a store of ~200k entities seeded
// in-process through the server's own write path (EntityWriter in batched SQLite transactions),
// then a `ftrack-encode server` CHILD on that data dir measured with the real @ftrack/api Session
// over HTTP, its RSS sampled from /proc (VmRSS every 50 ms, plus the kernel's VmHWM).
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Session } from '@ftrack/api';
import { mdTable, median, round, sampleRss, startServerChild, vmHwmMiB } from './bench-support.mjs';

export const SCALE_TARGETS = { versionQueryP50Ms: 20, pagedWalkSeconds: 2, batchCreateSeconds: 0.5, peakRssMB: 300 };
const SEED_BATCH = 5000; // entities per SQLite transaction while seeding
const QUERY_SHOTS = 60; // different shots for the version query (≥ 50)
const PAGE_SIZE = 250;
const CREATES = 1000;

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** 10 projects; per project shots (each with one Asset), 5 versions per asset, 4 components per 5 versions. */
function seedStore(lib, dataDir, shape) {
  const db = lib.openDatabase(dataDir);
  const repo = new lib.EntityRepo(db);
  const view = new lib.SchemaView(lib.defaultSchemaModel());
  lib.ensureReferenceData(repo);
  const [user] = lib.provisionUsers(db, repo);
  const writer = new lib.EntityWriter(view, repo);
  const ref = (type, id) => ({ __entity_type__: type, id });
  const counts = { Project: 0, Shot: 0, Asset: 0, AssetVersion: 0, FileComponent: 0 };
  const projects = [];
  const create = (type, data) => {
    counts[type] += 1;
    return String(writer.create(type, data, user.id)['id']);
  };
  let pending = [];
  const flush = () => {
    const work = pending;
    pending = [];
    if (work.length) repo.transaction(() => work.forEach((fn) => fn()));
  };
  const start = performance.now();
  for (let p = 0; p < shape.projects; p++) {
    const project = { id: '', shots: [], assets: [] };
    repo.transaction(() => (project.id = create('Project', { name: `scale_p${String(p).padStart(2, '0')}`, full_name: `Scale ${p}` })));
    projects.push(project);
    let entitiesInBatch = 0;
    for (let s = 0; s < shape.shotsPerProject; s++) {
      pending.push(() => {
        const shot = create('Shot', { name: `sh${String(s).padStart(5, '0')}`, parent: ref('Project', project.id) });
        const asset = create('Asset', { name: 'plate', parent: ref('Shot', shot), type_id: null });
        project.shots.push(shot);
        project.assets.push(asset);
        for (let v = 0; v < shape.versionsPerAsset; v++) {
          const version = create('AssetVersion', { asset: ref('Asset', asset), comment: `v${v + 1}` });
          if (v < shape.componentsPerAsset) create('FileComponent', { name: 'main', file_type: '.exr', size: 0, version_id: version });
        }
      });
      entitiesInBatch += 2 + shape.versionsPerAsset + shape.componentsPerAsset;
      if (entitiesInBatch >= SEED_BATCH) {
        flush();
        entitiesInBatch = 0;
      }
    }
    flush();
    process.stdout.write(
      `  seeded project ${p + 1}/${shape.projects} (${Object.values(counts).reduce((a, b) => a + b, 0)} entities, ${((performance.now() - start) / 1000).toFixed(1)} s)\n`,
    );
  }
  const seedSeconds = (performance.now() - start) / 1000;
  db.close();
  return { counts, projects, seedSeconds };
}

export async function runScale(lib, { quick, runs, work }) {
  const shape = { projects: 10, shotsPerProject: quick ? 200 : 2000, versionsPerAsset: 5, componentsPerAsset: 4 };
  const loadAverageAtStart = loadavg().map((n) => round(n, 2));
  const dataDir = join(work, 'scale');
  await lib.prepareDataDir(dataDir);
  process.stdout.write(`scale: seeding ${shape.projects} projects × ${shape.shotsPerProject} shots (load average ${loadAverageAtStart.join(' / ')})\n`);
  const { counts, projects, seedSeconds } = seedStore(lib, dataDir, shape);
  const entities = Object.values(counts).reduce((a, b) => a + b, 0);
  process.stdout.write(`scale: ${entities} entities in ${seedSeconds.toFixed(1)} s; starting the server child\n`);

  const startedAt = performance.now();
  const server = await startServerChild(dataDir);
  const startupSeconds = (performance.now() - startedAt) / 1000;
  const rss = sampleRss(server.pid);
  const session = new Session(server.url, server.user, server.apiKey, { decodeDatesAsIso: true, autoConnectEventHub: false });
  try {
    await session.initializing;

    // (a) latest versions of one shot's assets, over QUERY_SHOTS different shots (each run).
    const all = projects.flatMap((p) => p.shots);
    const step = Math.floor(all.length / (QUERY_SHOTS + 5));
    const shots = Array.from({ length: QUERY_SHOTS + 5 }, (_, i) => all[i * step]);
    const versionQuery = (shot) => `select id, version from AssetVersion where asset.parent.id is "${shot}" order by version descending limit 25`;
    const queryMs = [];
    for (let run = 0; run <= runs; run++) {
      for (const [i, shot] of shots.entries()) {
        if (run === 0 && i >= 5) break; // warm-up: 5 shots not measured
        if (run > 0 && i < 5) continue;
        const t = performance.now();
        const { data } = await session.query(versionQuery(shot));
        const ms = performance.now() - t;
        if (data.length !== shape.versionsPerAsset || data[0].version < data[data.length - 1].version)
          throw new Error(`version query returned ${JSON.stringify(data)}`);
        if (run > 0) queryMs.push(ms);
      }
    }
    const p50 = percentile(queryMs, 50);
    const p95 = percentile(queryMs, 95);
    process.stdout.write(`scale: version query p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms (${queryMs.length} queries)\n`);

    // (b) paged walk of all versions of one project with offset/limit pages.
    const walkTarget = Math.min(10000, shape.shotsPerProject * shape.versionsPerAsset);
    const walkSeconds = [];
    let walkExpression = '';
    for (let run = 0; run < runs; run++) {
      const project = projects[(run + 3) % projects.length].id;
      const seen = new Set();
      let pages = 0;
      const t = performance.now();
      for (let offset = 0; ; offset += PAGE_SIZE) {
        walkExpression = `select id, version from AssetVersion where asset.parent.project_id is "${project}" order by id offset ${offset} limit ${PAGE_SIZE}`;
        const { data } = await session.query(walkExpression);
        pages += 1;
        data.forEach((row) => seen.add(row.id));
        if (data.length < PAGE_SIZE) break;
      }
      walkSeconds.push((performance.now() - t) / 1000);
      if (seen.size !== walkTarget) throw new Error(`paged walk saw ${seen.size} versions, expected ${walkTarget}`);
      process.stdout.write(`scale: paged walk ${run + 1}/${runs}: ${seen.size} versions in ${pages} pages, ${walkSeconds[run].toFixed(2)} s\n`);
    }

    // (c) 1,000 AssetVersion creates in one session.call (version numbers assigned by the server).
    const createSeconds = [];
    for (let run = 0; run < runs; run++) {
      const asset = projects[run % projects.length].assets[run + 1];
      const operations = Array.from({ length: CREATES }, (_, i) => ({
        action: 'create',
        entity_type: 'AssetVersion',
        entity_data: { __entity_type__: 'AssetVersion', id: randomUUID(), asset_id: asset, comment: `bench ${run}/${i}` },
      }));
      const t = performance.now();
      const results = await session.call(operations);
      createSeconds.push((performance.now() - t) / 1000);
      if (results.length !== CREATES || results.some((r) => r.data?.__entity_type__ !== 'AssetVersion'))
        throw new Error('batch create returned something else');
      process.stdout.write(`scale: 1,000 creates ${run + 1}/${runs}: ${createSeconds[run].toFixed(3)} s\n`);
    }

    const sampled = rss.stop();
    const hwm = vmHwmMiB(server.pid);
    const peakRssMiB = Math.max(sampled.sampledPeakMiB, hwm);
    const peakRssMB = round((peakRssMiB * 1024 * 1024) / 1e6, 1); // the target is in MB (10^6 bytes)
    const walk = median(walkSeconds);
    const create = median(createSeconds);
    return {
      what: 'a `ftrack-encode server` child (with --seed demo) on a data dir seeded in-process through EntityWriter in batched transactions; measured with the real @ftrack/api Session over HTTP from the bench process',
      entities,
      counts,
      quick,
      seedSeconds: round(seedSeconds, 1),
      seedBatchEntities: SEED_BATCH,
      serverStartupSeconds: round(startupSeconds, 2),
      loadAverageAtStart,
      versionQuery: {
        expression: versionQuery('<shot id>'),
        shots: QUERY_SHOTS,
        queries: queryMs.length,
        p50Ms: round(p50, 1),
        p95Ms: round(p95, 1),
        targetP50Ms: SCALE_TARGETS.versionQueryP50Ms,
        pass: p50 <= SCALE_TARGETS.versionQueryP50Ms,
      },
      pagedWalk: {
        expression: walkExpression.replace(/"[^"]+"/, '"<project id>"').replace(/offset \d+/, 'offset <n>'),
        versions: walkTarget,
        pageSize: PAGE_SIZE,
        medianSeconds: round(walk),
        samples: walkSeconds.map((s) => round(s)),
        targetSeconds: SCALE_TARGETS.pagedWalkSeconds,
        pass: walk <= SCALE_TARGETS.pagedWalkSeconds,
      },
      batchCreate: {
        what: 'one session.call with 1,000 AssetVersion creates on one asset of the large store',
        medianSeconds: round(create),
        samples: createSeconds.map((s) => round(s)),
        targetSeconds: SCALE_TARGETS.batchCreateSeconds,
        pass: create <= SCALE_TARGETS.batchCreateSeconds,
      },
      serverMemory: {
        what: 'server child process (not in-process): VmRSS sampled from /proc every 50 ms from after start-up to the end of the measures, and VmHWM (the kernel peak, start-up included)',
        peakRssMiB,
        peakRssMB,
        sampledPeakRssMiB: sampled.sampledPeakMiB,
        vmHwmMiB: hwm,
        targetMB: SCALE_TARGETS.peakRssMB,
        pass: peakRssMB <= SCALE_TARGETS.peakRssMB,
      },
    };
  } finally {
    rss.stop();
    try {
      session.eventHub.disconnect();
    } catch {
      // never connected
    }
    await server.stop();
  }
}

export function scaleMarkdown(s) {
  const c = s.counts;
  return `## Scale

${s.entities.toLocaleString('en-US')} entities${s.quick ? ' (BENCH_QUICK: a smaller store)' : ''} — ${c.Project} projects, ${c.Shot} shots, ${c.Asset} assets (one per shot), ${c.AssetVersion} versions, ${c.FileComponent} components —
seeded in-process through EntityWriter in transactions of ~${s.seedBatchEntities} entities in **${s.seedSeconds} s**; load average at the start ${s.loadAverageAtStart.join(' / ')}.
Measured with the real @ftrack/api Session over HTTP against a \`ftrack-encode server\` child on that data dir (start-up ${s.serverStartupSeconds} s).

${mdTable([
  [
    `\`${s.versionQuery.expression}\`, p50 over ${s.versionQuery.shots} shots (${s.versionQuery.queries} queries)`,
    `${s.versionQuery.p50Ms} ms`,
    `≤ ${s.versionQuery.targetP50Ms} ms`,
    s.versionQuery.pass,
  ],
  ['same, p95', `${s.versionQuery.p95Ms} ms`, undefined, undefined],
  [
    `paged walk of ${s.pagedWalk.versions.toLocaleString('en-US')} versions of one project, ${s.pagedWalk.pageSize} per page (median)`,
    `${s.pagedWalk.medianSeconds} s`,
    `≤ ${s.pagedWalk.targetSeconds} s`,
    s.pagedWalk.pass,
  ],
  ['1,000 AssetVersion creates in one session.call (median)', `${s.batchCreate.medianSeconds} s`, `≤ ${s.batchCreate.targetSeconds} s`, s.batchCreate.pass],
  [
    'server child peak RSS (max of sampled VmRSS and VmHWM)',
    `${s.serverMemory.peakRssMB} MB (${s.serverMemory.peakRssMiB} MiB)`,
    `≤ ${s.serverMemory.targetMB} MB`,
    s.serverMemory.pass,
  ],
])}

Paged walk: \`${s.pagedWalk.expression}\`; samples ${s.pagedWalk.samples.join(', ')} s. Creates: samples ${s.batchCreate.samples.join(', ')} s.
Memory: ${s.serverMemory.what}; sampled peak ${s.serverMemory.sampledPeakRssMiB} MiB, VmHWM ${s.serverMemory.vmHwmMiB} MiB.
`;
}
