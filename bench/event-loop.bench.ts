/**
 * The main thread never waits. On the 4.7M-photo project (browse.bench.ts's
 * buildProject, plus one run of 1M completions), each long read and a review made
 * while another process holds the write lock run twice, with the main thread's
 * event-loop delay measured (perf_hooks.monitorEventLoopDelay, 10 ms resolution):
 *
 * - before: the query called inline on the main thread, as the handlers did (for the
 *   review: a connection with the old busy_timeout of 5 s; for the first review of a
 *   photo with completions: its re-check with the whole gazetteer lookup; for a job's
 *   provenance: the rows read, hashed, encoded and stored here);
 * - after: the same method through the dispatcher, i.e. the read pool or the write queue
 *   (a job's provenance: a read-pool thread of its own, as the job manager runs it).
 *
 * Target: max delay under 50 ms while anything runs. The project is built once and
 * kept (BENCH_CACHE_DIR, default <tmp>/georeason-bench-cache): a second run reuses it.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance as nodePerformance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { PlaceIndex } from '../electron/services/audit/places.js';
import { ReviewStore } from '../electron/services/audit/review-store.js';
import { auditStats } from '../electron/services/audit/stats.js';
import { resourcesDir } from '../electron/services/app-paths.js';
import { ImageQueries } from '../electron/services/browse/image-queries.js';
import { evaluateRun } from '../electron/services/evaluate/evaluate-run.js';
import { loadAnsweredRun, loadRunRows, loadTruth, runRef } from '../electron/services/evaluate/run-data.js';
import { fillTruthColumns } from '../electron/services/completions/truth-places.js';
import { checkProject, projectCounts, summaryOf } from '../electron/services/project/summary.js';
import { runColumns } from '../electron/services/reward/run-columns.js';
import { loadGeoLookup, type GeoLookup } from '../electron/services/completions/geo-lookup.js';
import { provenanceRecord } from '../electron/services/jobs/provenance.js';
import { exportRecord, importRecord } from '../electron/services/jobs/run-records.js';
import { contract } from '../shared/rpc/contract.js';
import { reply } from '../electron/server.js';
import { readPoolAt } from '../electron/services/rpc/reads.js';
import { BaselineAuditQueue } from './baseline/audit-queue.js';
import { addBenchJob, dropBenchJob, recordProvenanceOnMain, sameRecords } from './baseline/provenance-on-main.js';
import { recheckWithGazetteer } from './baseline/recheck-with-gazetteer.js';
import { detachedTask } from '../electron/services/rpc/task-context.js';
import { createWorkbench, type Workbench } from '../electron/services/workbench.js';
import { buildProject } from './browse.bench.js';
import { timeIt, type Benchmark, type BenchContext } from './harness.js';
import { lcgRandom } from './lcg.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The cached project of `rows` photos with run 1 of `runRows` completions; built when missing. */
function cachedProject(ctx: BenchContext, rows: number, runRows: number): string {
  const dir = process.env.BENCH_CACHE_DIR ?? path.join(os.tmpdir(), 'georeason-bench-cache');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `event-loop-${rows}-${runRows}.georeason.sqlite`);
  if (fs.existsSync(file)) {
    ctx.note(`reusing ${file}`);
    return file;
  }
  const building = path.join(dir, `building-${process.pid}.georeason.sqlite`);
  const built = timeIt(() => {
    const store = buildProject(building, rows);
    const db = store.db;
    db.prepare("INSERT INTO runs(id, kind, name, dataset_id, status, created_at) VALUES (1, 'import', 'bench run', 1, 'done', 'now')").run();
    const truth = db.prepare('SELECT lat, lon FROM images WHERE id = ?').raw();
    const completion = db.prepare('INSERT INTO completions(run_id, image_id, sample, lat, lon, format_ok) VALUES (1, ?, 0, ?, ?, 1)');
    const random = lcgRandom(7);
    db.transaction(() => {
      for (let i = 1; i <= runRows; i++) {
        const [lat, lon] = truth.get(i) as [number, number];
        const spread = 10 ** (random() * 4 - 2);
        completion.run(i, Math.max(-90, Math.min(90, lat + (random() - 0.5) * spread)), lon + (random() - 0.5) * spread);
      }
      // What the app's completion writer records with each row (exact error, truth place).
      fillTruthColumns(db);
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    store.close();
  });
  fs.renameSync(building, file);
  fs.rmSync(building.replace(/\.georeason\.sqlite$/, '.georeason-cache'), { recursive: true, force: true });
  ctx.figure({ name: `build ${rows.toLocaleString('en-US')} photos + ${runRows.toLocaleString('en-US')} completions (once)`, value: built.ms / 1000, unit: 's' });
  return file;
}

interface Delay {
  maxMs: number;
  p99Ms: number;
  wallMs: number;
  /** Time the main thread itself was busy (event-loop utilization × wall time). */
  busyMs: number;
}

/** Runs `fn` with the event-loop delay histogram on; the timer ticks before and after it are included. */
async function withLoopDelay(fn: () => unknown): Promise<Delay> {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  await sleep(30);
  const elu = nodePerformance.eventLoopUtilization();
  const started = performance.now();
  await fn();
  const wallMs = performance.now() - started;
  const used = nodePerformance.eventLoopUtilization(elu);
  await sleep(30);
  h.disable();
  return { maxMs: h.max / 1e6, p99Ms: h.percentile(99) / 1e6, wallMs, busyMs: used.active };
}

async function compare(ctx: BenchContext, name: string, before: () => unknown, after: () => Promise<unknown>): Promise<{ before: Delay; after: Delay }> {
  // After first: the inline run leaves much garbage whose collection would land in the next measurement.
  const a = await withLoopDelay(after);
  const b = await withLoopDelay(before);
  ctx.figure({ name: `${name}: before (inline), max delay`, value: b.maxMs, unit: 'ms' });
  ctx.figure({ name: `${name}: before, p99 delay`, value: b.p99Ms, unit: 'ms' });
  ctx.figure({ name: `${name}: after (pool/queue), max delay`, value: a.maxMs, unit: 'ms', target: '< 50 ms' });
  ctx.figure({ name: `${name}: after, p99 delay`, value: a.p99Ms, unit: 'ms' });
  ctx.figure({ name: `${name}: max delay before / after`, value: b.maxMs / Math.max(a.maxMs, 0.001), unit: '×' });
  // A delay with little busy time is the machine's scheduler (a shared box), not this thread's work.
  ctx.figure({ name: `${name}: after, main thread busy`, value: a.busyMs, unit: 'ms' });
  ctx.note(`${name}: wall time ${b.wallMs.toFixed(0)} ms inline, ${a.wallMs.toFixed(0)} ms through the dispatcher`);
  return { before: b, after: a };
}

/**
 * Calls a method through the dispatcher as a host does (a result a pool thread wrote as
 * JSON stays those bytes); fails the benchmark on an error answer.
 */
async function call(workbench: Workbench, method: string, params: unknown): Promise<unknown> {
  const outcome = await workbench.dispatcher.call(method, params, 'bench', { serialized: true });
  if ('error' in outcome) throw new Error(`${method}: ${outcome.error.message}`);
  return outcome.result;
}

/** Another process holding the write lock (as a CLI import does); resolves once it holds it. */
async function holdLock(file: string): Promise<{ release: () => Promise<void> }> {
  const script = `const D = require('better-sqlite3'); const db = new D(process.argv[1]); db.exec('BEGIN IMMEDIATE');
    process.stdout.write('locked\\n'); process.stdin.on('data', () => { db.exec('ROLLBACK'); db.close(); process.exit(0); });`;
  const child = spawn(process.execPath, ['-e', script, file], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
    child.once('exit', (code) => reject(new Error(`lock holder exited (${code})`)));
  });
  return {
    release: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.stdin.write('go\n');
      }),
  };
}

export const benchmarks: Benchmark[] = [
  {
    name: 'event loop: the main thread never waits (4.7M photos)',
    async run(ctx) {
      const rows = Math.round(4_700_000 * ctx.scale);
      const runRows = Math.round(1_000_000 * ctx.scale);
      const file = cachedProject(ctx, rows, runRows);
      const user = fs.mkdtempSync(path.join(os.tmpdir(), 'georeason-bench-loop-'));
      const workbench = createWorkbench({ host: 'cli', userDataDir: user, log: () => undefined });
      try {
        workbench.projects.open(file);
        const db = workbench.projects.requireStore().db;
        // The pool's threads start on first use: both started here (two calls at once), outside the measured calls.
        await Promise.all([
          workbench.dispatcher.call('images.facets', { filter: { datasetId: 1 } }, 'warm-1'),
          workbench.dispatcher.call('images.facets', { filter: { datasetId: 1, country: 'FR' } }, 'warm-2'),
        ]);
        // The floor: what a shared, busy machine alone costs an idle event loop.
        const idle = await withLoopDelay(() => sleep(2000));
        ctx.figure({ name: 'idle main thread (noise floor), max delay', value: idle.maxMs, unit: 'ms' });
        ctx.figure({ name: 'idle main thread (noise floor), p99 delay', value: idle.p99Ms, unit: 'ms' });

        await compare(
          ctx,
          'audit first page',
          // The queue as it was before risk was stored: the whole risk order built on this thread.
          () => new BaselineAuditQueue(db).page({ datasetId: 1, scope: 'unreviewed', cursor: 0, limit: 40 }),
          () => call(workbench, 'audit.queue', { datasetId: 1, limit: 40 }),
        );
        await compare(
          ctx,
          'audit stats',
          () => auditStats(db, 1),
          () => call(workbench, 'audit.stats', { datasetId: 1 }),
        );

        const evaluated = await compare(
          ctx,
          `evaluate.run (${runRows.toLocaleString('en-US')} rows)`,
          () => evaluateRun(db, 1, 'first', 'run'),
          () => call(workbench, 'evaluate.run', { runId: 1 }),
        );
        ctx.figure({ name: `evaluate.run (${runRows.toLocaleString('en-US')} rows), new algorithm, inline`, value: evaluated.before.wallMs, unit: 'ms', target: '< 1000 ms' });

        const filter = { datasetId: 1, flags: ['near_border'] as 'near_border'[] };
        await compare(
          ctx,
          'facets + first total (flag near_border)',
          () => {
            const q = new ImageQueries(db);
            q.facets(filter);
            return q.page(filter, 0, 120);
          },
          async () => {
            await call(workbench, 'images.facets', { filter });
            return call(workbench, 'images.query', { filter, offset: 0, limit: 120 });
          },
        );
        await compare(
          ctx,
          `reward run columns (${runRows.toLocaleString('en-US')} rows)`,
          () => runColumns(db, 1, detachedTask()),
          () => call(workbench, 'reward.runColumns', { runId: 1 }),
        );

        await compare(
          ctx,
          'project summary (open, current)',
          () => summaryOf(workbench.projects.requireStore(), projectCounts(db)),
          () => call(workbench, 'project.current', {}),
        );
        await compare(
          ctx,
          'project check (integrity check and row counts)',
          () => checkProject(db, detachedTask()),
          () => call(workbench, 'project.check', {}),
        );

        const places = (() => {
          let p: PlaceIndex | null = null;
          return () => (p ??= PlaceIndex.load(resourcesDir));
        })();
        places();

        // The first review of the process on photos with completions (one per sample of a
        // chain answer, one per point answer): their level checks follow the new label in
        // the review's transaction. Before: re-checked with the whole gazetteer lookup,
        // built on first need on this thread. After: the review through the write queue.
        const answers = ['Germany', 'Deutschland', 'France', 'USA', 'Japan', 'Brasil', 'Kenya', 'New Zealand'];
        const firstAdded = Number(db.prepare('SELECT COALESCE(MAX(id), 0) + 1 FROM completions').pluck().get());
        const addAnswer = db.prepare('INSERT INTO completions(run_id, image_id, sample, text, country, format_ok) VALUES (1, ?, ?, ?, ?, 1)');
        for (const imageId of [4, 5]) {
          answers.forEach((country, i) => addAnswer.run(imageId, i + 1, `<answer>Country: ${country}, Region: Somewhere, City: Someplace (10.0, 20.0)</answer>`, country));
        }
        let gazetteer: GeoLookup | undefined;
        const inlineGeo = (): GeoLookup => (gazetteer ??= loadGeoLookup(resourcesDir));
        await compare(
          ctx,
          'first review of a photo with completions',
          () => new ReviewStore(db, places, (imageId) => recheckWithGazetteer(db, imageId, inlineGeo)).review(4, 'accepted', undefined, 'bench (inline recheck)'),
          () => call(workbench, 'audit.review', { imageId: 5, verdict: 'accepted', note: 'bench (review with completions)' }),
        );
        ctx.note(`first review of a photo with completions: ${answers.length + 1} completions re-checked per review`);
        db.prepare('DELETE FROM completions WHERE id >= ?').run(firstAdded);

        // The first edit of a label and the first autocomplete: both need the gazetteer
        // index of places (regions, ~100k cities). Before: built here on first need.
        // After: built and kept by a read-pool thread.
        const edit = { countryCode: 'FR', regionCode: null, region: null, city: 'Strasbourg' };
        await compare(
          ctx,
          'first edited review',
          () => new ReviewStore(db, () => PlaceIndex.load(resourcesDir)).review(6, 'edited', edit, 'bench (inline edit)'),
          () => call(workbench, 'audit.review', { imageId: 7, verdict: 'edited', edit, note: 'bench (edit resolved on the pool)' }),
        );

        // A review while another process holds the write lock. Before: a connection with
        // the old busy_timeout (5 s) waits on this thread, then fails. After: queued, and
        // saved once the holder lets go (1.5 s later).
        const before = await holdLock(file);
        let beforeOutcome = 'saved';
        const old = new Database(file);
        old.pragma('busy_timeout = 5000');
        const b = await withLoopDelay(() => {
          try {
            new ReviewStore(old, places).review(2, 'accepted', undefined, 'bench (old path)');
          } catch (err) {
            beforeOutcome = `failed: ${err instanceof Error ? err.message : String(err)}`;
          }
        });
        old.close();
        await before.release();
        const after = await holdLock(file);
        const a = await withLoopDelay(async () => {
          const review = call(workbench, 'audit.review', { imageId: 3, verdict: 'accepted', note: 'bench (queued)' });
          await sleep(1500);
          await after.release();
          await review;
        });
        ctx.figure({ name: 'review under a foreign write lock: before, max delay', value: b.maxMs, unit: 'ms' });
        ctx.figure({ name: 'review under a foreign write lock: after, max delay', value: a.maxMs, unit: 'ms', target: '< 50 ms' });
        ctx.figure({ name: 'review under a foreign write lock: after, p99 delay', value: a.p99Ms, unit: 'ms' });
        ctx.figure({ name: 'review under a foreign write lock: after, main thread busy', value: a.busyMs, unit: 'ms' });
        ctx.figure({ name: 'review under a foreign write lock: before / after', value: b.maxMs / Math.max(a.maxMs, 0.001), unit: '×' });
        ctx.note(`review before: ${beforeOutcome} after ${b.wallMs.toFixed(0)} ms; after: saved ${a.wallMs.toFixed(0)} ms after the call (lock held 1500 ms of it)`);

        // A job's provenance at its start, for a run on data the workbench exported (an
        // external trainer): the labels after review of the whole dataset, hashed and
        // compressed, stored. Before: on this thread (hash and manifest in slices). After:
        // on a read-pool thread of its own, as the job manager records it.
        const facts = { where: 'bench', versions: {}, devices: [], note: null, data: { datasetId: 1, valFraction: 0.05, withSplit: false } };
        const record = provenanceRecord(resourcesDir, { params: {}, facts, command: null });
        const [beforeJob, afterJob] = [addBenchJob(db), addBenchJob(db)];
        await compare(
          ctx,
          `job provenance, labels after review (${rows.toLocaleString('en-US')} photos)`,
          () => recordProvenanceOnMain(db, { jobId: beforeJob, ...record }),
          async () => {
            const pool = readPoolAt(file, { size: 1 });
            try {
              await pool.run('jobs.recordProvenance', { jobId: afterJob, ...record });
            } finally {
              void pool.close();
            }
          },
        );
        ctx.note(`job provenance: ${sameRecords(db, beforeJob, afterJob) ? 'same hash and manifest bytes stored' : 'DIFFERENT records stored'} before and after`);

        // That job as a run record (jobs.export: its manifest decompressed, parsed and
        // checked), and the record added back (jobs.import: checked, compressed, stored).
        // Before: the handler and the dispatcher's result check on this thread. After: the
        // RPC method, whose handler hands both to a read-pool thread. The export's reply
        // is made as the server host makes it, up to the bytes the socket sends.
        const exported = await compare(
          ctx,
          `run record export, manifest of ${rows.toLocaleString('en-US')} rows`,
          () => Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 1, result: contract['jobs.export'].result.parse(exportRecord(db, file, afterJob)) })).length,
          async () => {
            const r = reply(1, await workbench.dispatcher.call('jobs.export', { id: afterJob }, 'bench', { serialized: true }));
            return typeof r === 'string' ? Buffer.from(r).length : r.result.length;
          },
        );
        const runRecord = exportRecord(db, file, afterJob);
        ctx.note(`run record: ${(JSON.stringify(runRecord).length / 2 ** 20).toFixed(0)} MiB as JSON; export wall ${exported.before.wallMs.toFixed(0)} ms inline, ${exported.after.wallMs.toFixed(0)} ms through the pool`);
        // The desktop window sends the file's text (jobs.import recordText); before, the object.
        const recordText = JSON.stringify(runRecord);
        const imported: number[] = [];
        await compare(
          ctx,
          `run record import, manifest of ${rows.toLocaleString('en-US')} rows`,
          () => imported.push(importRecord(db, runRecord, 'bench-before').id),
          async () => {
            imported.push(((await call(workbench, 'jobs.import', { recordText, source: 'bench-after' })) as { id: number }).id);
          },
        );
        ctx.note(`run record import: ${imported.length === 2 && sameRecords(db, imported[0] as number, imported[1] as number) ? 'same manifest bytes stored' : 'DIFFERENT records stored'} before and after`);
        for (const id of [beforeJob, afterJob, ...imported]) {
          db.prepare('DELETE FROM job_records WHERE job_id = ?').run(id);
          db.prepare('DELETE FROM job_metrics WHERE job_id = ?').run(id);
          dropBenchJob(db, id);
        }

        // evaluate.run: the old algorithm loaded every photo of the dataset, then the run.
        const ref = runRef(db, 1);
        const oldLoad = timeIt(() => loadRunRows(db, ref, loadTruth(db, 1)));
        const newLoad = timeIt(() => loadAnsweredRun(db, ref));
        ctx.figure({ name: `evaluate.run loading, old (whole dataset, then the run)`, value: oldLoad.ms, unit: 'ms' });
        ctx.figure({ name: `evaluate.run loading, new (the run's rows, one pass)`, value: newLoad.ms, unit: 'ms' });
        ctx.figure({ name: 'evaluate.run loading: old / new', value: oldLoad.ms / newLoad.ms, unit: '×' });
        // Leave the cached project as it was built.
        db.prepare("DELETE FROM label_reviews WHERE note LIKE 'bench%'").run();
        db.prepare('DELETE FROM reviewed_labels WHERE image_id NOT IN (SELECT image_id FROM label_reviews)').run();
      } finally {
        workbench.dispose();
        fs.rmSync(user, { recursive: true, force: true });
      }
    },
  },
];
