/**
 * Evaluation at scale. Target: the metrics of 1,000,000 rows (accuracy at the five
 * thresholds, median and mean, breakdowns by continent / country / region, the CDF)
 * in under 1 s. Ours counts threshold hits and selects the median (linear time, no
 * sort) over typed arrays. Baselines in the same run: accuracy.ts's report (a number[]
 * sorted with a comparator) for the overall figures alone, and a per-row object path
 * (Map of arrays per group, accuracyReport per group, filter per CDF point). A second benchmark
 * times `evaluate.run` end to end on a project file of that size (SQLite read
 * included), against the previous code (bench/baseline/evaluate/) in the same run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { haversineKm } from '../shared/geo/haversine.js';
import { accuracyReport } from '../shared/metrics/accuracy.js';
import { groupStats, overallStats } from '../shared/metrics/breakdown.js';
import { cdfAt, logGrid } from '../shared/metrics/cdf.js';
import { continentOf } from '../shared/metrics/continents.js';
import { LabelGroups } from '../shared/metrics/label-groups.js';
import SQLite from 'better-sqlite3';
import type Database from 'better-sqlite3';
import { fillTruthColumns } from '../electron/services/completions/truth-places.js';
import { evaluateRun } from '../electron/services/evaluate/evaluate-run.js';
import type { RunEvaluation } from '../shared/rpc/evaluate-methods.js';
import { evaluateRun as previousEvaluateRun } from './baseline/evaluate/evaluate-run.js';
import { ProjectStore } from '../electron/services/store/project-store.js';
import { timeIt, type Benchmark } from './harness.js';
import { lcgRandom } from './lcg.js';
import { im2gps3kPoints } from './seed-points.js';

const COUNTRIES = ['US', 'GB', 'FR', 'IT', 'ES', 'DE', 'JP', 'CN', 'IN', 'BR', 'AU', 'CA', 'MX', 'RU', 'ZA', 'EG', 'AR', 'NZ', 'TR', 'TH'];

const REGIONS = Array.from({ length: 12 }, (_, i) => `region ${i}`);

/** Rows in typed arrays, as the service holds them; NaN prediction = none. */
interface Synthetic {
  truthLat: Float64Array;
  truthLon: Float64Array;
  predLat: Float64Array;
  predLon: Float64Array;
  country: string[];
  region: string[];
}

function synthetic(rows: number): Synthetic {
  // The countries below are a stand-in spread (a hash of the point), not labels.
  const pts = im2gps3kPoints();
  const r = lcgRandom(42);
  const out: Synthetic = {
    truthLat: new Float64Array(rows),
    truthLon: new Float64Array(rows),
    predLat: new Float64Array(rows),
    predLon: new Float64Array(rows),
    country: [],
    region: [],
  };
  for (let i = 0; i < rows; i++) {
    const s = pts[Math.floor(r() * pts.length)]!;
    const lat = s.lat + (r() - 0.5) * 0.05;
    const lon = s.lon + (r() - 0.5) * 0.05;
    out.truthLat[i] = lat;
    out.truthLon[i] = lon;
    // Errors spread over 0.1 km to thousands of km; 3 % without a point.
    const spread = 10 ** (r() * 4 - 2);
    const none = r() < 0.03;
    out.predLat[i] = none ? Number.NaN : Math.max(-90, Math.min(90, lat + (r() - 0.5) * spread));
    out.predLon[i] = none ? Number.NaN : lon + (r() - 0.5) * spread;
    const cc = COUNTRIES[Math.floor(Math.abs(Math.sin(s.lat * 12.9898 + s.lon * 78.233)) * COUNTRIES.length) % COUNTRIES.length]!;
    out.country.push(cc);
    out.region.push(REGIONS[Math.floor(Math.abs(s.lon) % 12)]!);
  }
  return out;
}

/** Photos with labels and one run of completions, written as the app writes them (error and place recorded). */
function buildEvalProject(db: Database.Database, rows: number): void {
  const data = synthetic(rows);
  db.prepare("INSERT INTO datasets(id, name, format, created_at) VALUES (1, 'bench', 'csv', 'now')").run();
  db.prepare("INSERT INTO runs(id, kind, name, dataset_id, status, created_at) VALUES (1, 'import', 'bench', 1, 'done', 'now')").run();
  const image = db.prepare('INSERT INTO images(id, dataset_id, rel_path, lat, lon) VALUES (?, 1, ?, ?, ?)');
  const label = db.prepare(
    "INSERT INTO cor_labels(image_id, dataset_id, source, country_code, country, region, flags, created_at) VALUES (?, 1, 'gazetteer', ?, ?, ?, 0, 'now')",
  );
  const completion = db.prepare('INSERT INTO completions(run_id, image_id, sample, lat, lon, format_ok) VALUES (1, ?, 0, ?, ?, 1)');
  db.transaction(() => {
    for (let i = 0; i < rows; i++) {
      const plat = data.predLat[i]!;
      image.run(i + 1, `${i}.jpg`, data.truthLat[i]!, data.truthLon[i]!);
      label.run(i + 1, data.country[i]!, data.country[i]!, data.region[i]!);
      completion.run(i + 1, Number.isNaN(plat) ? null : plat, Number.isNaN(plat) ? null : data.predLon[i]!);
    }
    fillTruthColumns(db);
  })();
}

export const benchmarks: Benchmark[] = [
  {
    name: 'eval: metrics of 1M rows in memory',
    run(ctx) {
      const rows = Math.round(1_000_000 * ctx.scale);
      const data = synthetic(rows);
      const km = new Float64Array(rows);
      const kmList: (number | null)[] = [];
      const dist = timeIt(() => {
        for (let i = 0; i < rows; i++) {
          const plat = data.predLat[i]!;
          km[i] = Number.isNaN(plat) ? Number.NaN : haversineKm(data.truthLat[i]!, data.truthLon[i]!, plat, data.predLon[i]!);
        }
      });
      for (let i = 0; i < rows; i++) kmList.push(Number.isNaN(km[i]!) ? null : km[i]!);
      ctx.figure({ name: `haversine distances, ${rows} rows`, value: dist.ms, unit: 'ms' });

      const grid = logGrid(0.1, 20_100, 121, [1, 25, 200, 750, 2500]);
      // Ours: group indexes from the labels (two map look-ups a row), then linear-time statistics.
      const typedMetrics = () => {
        const groups = new LabelGroups();
        const gc = new Int32Array(rows);
        const gk = new Int32Array(rows);
        const gr = new Int32Array(rows);
        for (let i = 0; i < rows; i++) {
          const cc = data.country[i]!;
          const c = groups.country(cc, cc);
          gk[i] = c;
          gc[i] = groups.continent(c);
          gr[i] = groups.region(c, data.region[i]!);
        }
        const { stats, predicted } = overallStats(km);
        const cdf = cdfAt(predicted, rows, grid);
        return [
          stats,
          cdf,
          groupStats(km, gc, groups.continents.size),
          groupStats(km, gk, groups.countries.size),
          groupStats(km, gr, groups.regions.size),
        ];
      };
      // Three runs (the first includes JIT warm-up); the median is the figure.
      const runsMs = [0, 1, 2].map(() => timeIt(typedMetrics).ms);
      const typed = { ms: [...runsMs].sort((a, b) => a - b)[1]! };
      ctx.note(`typed-array runs: ${runsMs.map((m) => `${m.toFixed(0)} ms`).join(', ')}`);
      ctx.figure({ name: 'overall + 3 breakdowns + CDF (typed, median of 3)', value: typed.ms, unit: 'ms', target: '< 1000 ms' });

      // Baseline 1: the overall figures alone with accuracyReport (comparator sort).
      const naiveOverall = timeIt(() => accuracyReport(kmList));
      const ourOverall = timeIt(() => overallStats(km));
      ctx.figure({ name: 'overall only: accuracyReport (baseline)', value: naiveOverall.ms, unit: 'ms' });
      ctx.figure({ name: 'overall only: overallStats', value: ourOverall.ms, unit: 'ms' });
      ctx.figure({ name: 'overall speed-up vs accuracyReport', value: naiveOverall.ms / ourOverall.ms, unit: '×' });
      const same = JSON.stringify(naiveOverall.value.accuracy) ===
        JSON.stringify(Object.fromEntries([1, 25, 200, 750, 2500].map((t, i) => [String(t), ourOverall.value.stats.hits[i]! / rows])));
      ctx.note(`overall accuracy identical to accuracyReport: ${same}; median ${ourOverall.value.stats.medianKm?.toFixed(3)} km`);

      // Baseline 2: per-row objects, a Map of arrays per group, accuracyReport per group.
      const objects = timeIt(() => {
        const rowsObj = kmList.map((d, i) => ({
          km: d,
          country: data.country[i]!,
          region: `${data.country[i]!}/${data.region[i]!}`,
          continent: continentOf(data.country[i]!) ?? '',
        }));
        const by = (key: 'continent' | 'country' | 'region') => {
          const groups = new Map<string, (number | null)[]>();
          for (const r of rowsObj) {
            const list = groups.get(r[key]);
            if (list) list.push(r.km);
            else groups.set(r[key], [r.km]);
          }
          return [...groups.values()].map((l) => accuracyReport(l));
        };
        const all = accuracyReport(rowsObj.map((r) => r.km));
        const sorted = rowsObj.flatMap((r) => (r.km === null ? [] : [r.km])).sort((a, b) => a - b);
        const cdf = grid.map((x) => sorted.filter((d) => d <= x).length / rows);
        return [all, cdf, by('continent'), by('country'), by('region')];
      });
      ctx.figure({ name: 'overall + 3 breakdowns + CDF (per-row objects, baseline)', value: objects.ms, unit: 'ms' });
      ctx.figure({ name: 'speed-up vs per-row objects', value: objects.ms / typed.ms, unit: '×' });
    },
  },
  {
    name: 'eval: evaluate.run on a 1M-photo project file',
    run(ctx) {
      const rows = Math.round(1_000_000 * ctx.scale);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'georeason-bench-eval-'));
      // BENCH_EVAL_PROJECT: measure run 1 of an existing project instead (e.g. the event-loop
      // benchmark's 4.7M-photo project, opened read-only).
      const existing = process.env.BENCH_EVAL_PROJECT;
      try {
        let db: Database.Database;
        let close: () => void;
        if (existing) {
          ProjectStore.open(existing).close(); // brings its schema up to date
          db = new SQLite(existing, { readonly: true });
          close = () => db.close();
          ctx.note(`project ${existing}`);
        } else {
          const store = ProjectStore.create(path.join(dir, 'bench.georeason.sqlite'));
          db = store.db;
          close = () => store.close();
          const built = timeIt(() => buildEvalProject(db, rows));
          ctx.note(`built ${rows} photos, labels and completions in ${(built.ms / 1000).toFixed(1)} s`);
        }
        const runRows = db.prepare('SELECT COUNT(*) FROM completions WHERE run_id = 1').pluck().get() as number;
        ctx.note(`run 1: ${runRows.toLocaleString('en-US')} completions`);
        // Ours and the previous code in turn, three times each (the machine is shared:
        // alternating spreads its load over both); the medians are the figures. CPU time
        // beside wall time: on a loaded machine it shows the work itself.
        const oursMs: number[] = [];
        const baseMs: number[] = [];
        const oursCpu: number[] = [];
        const baseCpu: number[] = [];
        const cpuMs = (since: NodeJS.CpuUsage) => {
          const u = process.cpuUsage(since);
          return (u.user + u.system) / 1000;
        };
        let ours = timeIt(() => evaluateRun(db, 1, 'first', 'run'));
        let previous = timeIt(() => previousEvaluateRun(db, 1, 'first', 'run'));
        for (let k = 0; k < 3; k++) {
          let cpu = process.cpuUsage();
          previous = timeIt(() => previousEvaluateRun(db, 1, 'first', 'run'));
          baseCpu.push(cpuMs(cpu));
          baseMs.push(previous.ms);
          cpu = process.cpuUsage();
          ours = timeIt(() => evaluateRun(db, 1, 'first', 'run'));
          oursCpu.push(cpuMs(cpu));
          oursMs.push(ours.ms);
        }
        const median = (ms: number[]) => [...ms].sort((x, y) => x - y)[1]!;
        const list = (ms: number[]) => ms.map((m) => m.toFixed(0)).join(', ');
        ctx.note(`wall, ours: ${list(oursMs)} ms; previous code: ${list(baseMs)} ms; load average ${os.loadavg()[0]?.toFixed(1)}`);
        ctx.note(`CPU, ours: ${list(oursCpu)} ms; previous code: ${list(baseCpu)} ms`);
        ctx.figure({ name: 'evaluate.run CPU time, median of 3', value: median(oursCpu), unit: 'ms' });
        ctx.figure({ name: 'evaluate.run CPU time, previous code (baseline)', value: median(baseCpu), unit: 'ms' });
        ctx.figure({ name: 'evaluate.run (SQLite read + metrics), median of 3', value: median(oursMs), unit: 'ms', target: '< 1000 ms' });
        ctx.figure({ name: 'evaluate.run, previous code (baseline)', value: median(baseMs), unit: 'ms' });
        ctx.figure({ name: 'speed-up vs previous code', value: median(baseMs) / median(oursMs), unit: '×' });
        const strip = (e: RunEvaluation) => JSON.stringify({ ...e, durationMs: 0 });
        ctx.note(`results identical to the previous code's: ${strip(ours.value) === strip(previous.value)}`);
        ctx.note(`n = ${ours.value.overall.n}, acc@25 km = ${(100 * ours.value.overall.accuracy[1]!.rate).toFixed(2)} %, service's own timer ${ours.value.durationMs} ms`);
        close();
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];
