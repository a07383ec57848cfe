/**
 * A job's data manifest at MP16-Pro scale (4.7M rows; scaled by BENCH_SCALE): the work a
 * job's start adds to record it (hash, columnar manifest, gzip into the store) and read
 * it back, against the baseline of the same rows kept as a plain JSON array of
 * [id, split, country, region, city] rows, measured in the same run.
 *
 * Recording at a job's start, with the main thread's event-loop delay: before, the
 * training inputs file read, hashed, encoded and stored on the main thread (hash and
 * manifest in slices); after, the same on a read-pool thread ('jobs.recordProvenance').
 * Likewise a page of the stored manifest (jobs.manifest): decompressed and parsed on
 * the main thread before, on a read-pool thread after.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { gunzipSync, gzipSync } from 'node:zlib';
import { manifestOf, manifestRows, type ManifestRow } from '../shared/rpc/job-record.js';
import { monitorEventLoopDelay, performance as nodePerformance } from 'node:perf_hooks';
import { resourcesDir } from '../electron/services/app-paths.js';
import { manifestHash, provenanceRecord, ProvenanceStore } from '../electron/services/jobs/provenance.js';
import { readPoolAt } from '../electron/services/rpc/reads.js';
import { ProjectStore } from '../electron/services/store/project-store.js';
import { addBenchJob, recordProvenanceOnMain, sameRecords } from './baseline/provenance-on-main.js';
import { timeIt, type BenchContext, type Benchmark } from './harness.js';

function rows(n: number): ManifestRow[] {
  const out: ManifestRow[] = [];
  for (let i = 0; i < n; i++) {
    const city = (i * 7919) % 40_000;
    out.push([i + 1, i % 20 === 0 ? 'val' : 'train', `Country ${city % 200}`, `Region ${city % 3000}`, `City ${city}`]);
  }
  return out;
}

/** The same rows as a built-in job's inputs/data.json. */
function writeInputsFile(file: string, data: readonly ManifestRow[]): void {
  const countries = Array.from({ length: 200 }, (_, i) => ({ name: `Country ${i}` }));
  const regions = Array.from({ length: 3000 }, (_, i) => ({ name: `Region ${i}`, country: i % 200 }));
  const cities = Array.from({ length: 40_000 }, (_, i) => ({ name: `City ${i}`, region: i % 3000 }));
  const city = data.map((r) => Number(r[4].slice('City '.length)));
  fs.writeFileSync(file, JSON.stringify({ image_ids: data.map((r) => r[0]), split: data.map((r) => r[1]), city, countries, regions, cities }));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `fn` with the event-loop delay histogram on (5 ms resolution; the timer ticks
 * before and after it are included, so a block that never yields is seen too): the
 * wall time, the max delay, and the main thread's busy time.
 */
async function withLoopDelay<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; maxDelayMs: number; busyMs: number }> {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  await sleep(20);
  const elu = nodePerformance.eventLoopUtilization();
  const t0 = performance.now();
  const value = await fn();
  const ms = performance.now() - t0;
  const used = nodePerformance.eventLoopUtilization(elu);
  await sleep(20);
  delay.disable();
  return { value, ms, maxDelayMs: delay.max / 1e6, busyMs: used.active };
}

/**
 * A full collection of this benchmark's own garbage (gigabytes of rows at full scale),
 * so that it does not land in the delay measured next.
 */
const collectGarbage = ((): (() => void) => {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
})();

/**
 * Recording at a job's start, from the job's inputs/data.json of `n` rows. Measured
 * first, with the benchmark's own rows let go: a main thread holding millions of rows
 * pays for them in every collection, whatever runs.
 */
async function recordAtJobStart(ctx: BenchContext, n: number): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'georeason-bench-provenance-'));
  try {
    const inputsFile = path.join(dir, 'data.json');
    writeInputsFile(inputsFile, rows(n));
    const project = path.join(dir, 'p.georeason.sqlite');
    ProjectStore.create(project).close();
    const store = ProjectStore.open(project);
    const facts = { where: 'bench', versions: {}, devices: [], note: null, inputsFile, data: { datasetId: 1, valFraction: 0.05, withSplit: true } };
    const record = provenanceRecord(resourcesDir, { params: {}, facts, command: null });
    const [beforeJob, afterJob] = [addBenchJob(store.db), addBenchJob(store.db)];
    collectGarbage();
    // The floor: what a shared, busy machine alone costs an idle event loop.
    const idle = await withLoopDelay(() => sleep(1000));
    ctx.figure({ name: 'idle main thread (noise floor), max delay', value: idle.maxDelayMs, unit: 'ms' });
    // After first: the inline run leaves much garbage whose collection would land in the next measurement.
    const after = await withLoopDelay(async () => {
      const pool = readPoolAt(project, { size: 1 });
      try {
        return await pool.run('jobs.recordProvenance', { jobId: afterJob, ...record });
      } finally {
        void pool.close();
      }
    });
    collectGarbage();
    const before = await withLoopDelay(() => recordProvenanceOnMain(store.db, { jobId: beforeJob, ...record }));
    const same = sameRecords(store.db, beforeJob, afterJob);
    // A page of the stored manifest (jobs.manifest). Before: decompressed and parsed here,
    // as the handler did. After: on a read-pool thread.
    collectGarbage();
    const pageAfter = await withLoopDelay(async () => {
      const pool = readPoolAt(project, { size: 1 });
      try {
        return await pool.run('jobs.manifest', { id: afterJob, offset: 0, limit: 1000 });
      } finally {
        void pool.close();
      }
    });
    collectGarbage();
    const pageBefore = await withLoopDelay(() => {
      const m = new ProvenanceStore(store.db).manifest(beforeJob);
      return Promise.resolve(m ? manifestRows(m, 0, 1000) : []);
    });
    store.close();
    ctx.figure({ name: `record at a job start (${n} rows): before (main thread), wall`, value: before.ms / 1000, unit: 's' });
    ctx.figure({ name: 'record at a job start: before, max event-loop delay', value: before.maxDelayMs, unit: 'ms' });
    ctx.figure({ name: 'record at a job start: after (read-pool thread), wall', value: after.ms / 1000, unit: 's' });
    ctx.figure({ name: 'record at a job start: after, max event-loop delay', value: after.maxDelayMs, unit: 'ms', target: '< 50 ms' });
    ctx.figure({ name: 'record at a job start: after, main thread busy', value: after.busyMs, unit: 'ms' });
    ctx.figure({ name: 'record at a job start: max delay before / after', value: before.maxDelayMs / Math.max(after.maxDelayMs, 0.001), unit: '×' });
    ctx.note(`record at a job start: ${same ? 'same hash and manifest bytes stored' : 'DIFFERENT records stored'} before and after`);
    ctx.figure({ name: 'manifest first page: before (main thread), max delay', value: pageBefore.maxDelayMs, unit: 'ms' });
    ctx.figure({ name: 'manifest first page: after (read-pool thread), max delay', value: pageAfter.maxDelayMs, unit: 'ms', target: '< 50 ms' });
    ctx.figure({ name: 'manifest first page: after, main thread busy', value: pageAfter.busyMs, unit: 'ms' });
    ctx.note(`manifest first page: ${JSON.stringify(pageAfter.value?.rows.slice(0, 1000)) === JSON.stringify(pageBefore.value) ? 'same rows' : 'DIFFERENT rows'} before and after`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export const benchmarks: Benchmark[] = [
  {
    name: 'experiment store: data manifest of a job at MP16 scale',
    async run(ctx) {
      const n = Math.round(4_700_000 * ctx.scale);
      await recordAtJobStart(ctx, n);
      const data = rows(n);
      const hash = timeIt(() => manifestHash(data));
      ctx.figure({ name: `manifest hash, ${n} rows`, value: hash.ms / 1000, unit: 's' });
      const stored = timeIt(() => gzipSync(JSON.stringify(manifestOf(data))));
      ctx.figure({ name: 'columnar manifest + gzip', value: stored.ms / 1000, unit: 's' });
      ctx.figure({ name: 'stored size (columnar, gzip)', value: stored.value.length / 2 ** 20, unit: 'MiB' });
      const back = timeIt(() => manifestRows(JSON.parse(gunzipSync(stored.value).toString('utf8')) as ReturnType<typeof manifestOf>, 0, 1000));
      ctx.figure({ name: 'read back, first page of 1000 rows', value: back.ms, unit: 'ms' });
      const base = timeIt(() => Buffer.from(JSON.stringify(data)));
      ctx.figure({ name: 'baseline: rows as a plain JSON array', value: base.ms / 1000, unit: 's' });
      ctx.figure({ name: 'baseline size (plain JSON)', value: base.value.length / 2 ** 20, unit: 'MiB' });
      ctx.figure({ name: 'plain JSON size / columnar gzip size', value: base.value.length / stored.value.length, unit: '×' });
    },
  },
];
