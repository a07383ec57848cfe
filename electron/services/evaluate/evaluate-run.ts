/**
 * One run's evaluation: the standard accuracy table over all ground-truth rows, the
 * Chain-of-Region levels, breakdowns by continent / country / region, the error CDF
 * and the points of the error map.
 */
import type Database from 'better-sqlite3';
import { DEFAULT_THRESHOLDS_KM } from '../../../shared/metrics/accuracy.js';
import { groupStats, overallStats, type GroupIndex, type GroupStats } from '../../../shared/metrics/breakdown.js';
import { cdfAt, logGrid } from '../../../shared/metrics/cdf.js';
import { LabelGroups } from '../../../shared/metrics/label-groups.js';
import { selectSamples, type SampleMode } from '../../../shared/metrics/samples.js';
import type { BreakdownRow, EvalScope, LevelRate, Metrics, RunEvaluation, RunRef } from '../../../shared/rpc/evaluate-methods.js';
import { loadAnsweredRun, loadRunRows, loadTruth, requireDataset, runRef, type Place, type RunRows, type Truth } from './run-data.js';

const THRESHOLDS = DEFAULT_THRESHOLDS_KM;
/** Points drawn on the error map at most (evenly strided beyond). */
export const MAP_POINT_LIMIT = 20_000;

export function cdfGrid(): number[] {
  return logGrid(0.1, 20_100, 121, THRESHOLDS);
}

export function metricsOf(s: GroupStats): Metrics {
  return {
    n: s.n,
    predicted: s.predicted,
    accuracy: THRESHOLDS.map((km, i) => ({ km, rate: s.n > 0 ? (s.hits[i] ?? 0) / s.n : 0 })),
    medianKm: s.medianKm,
    meanKm: s.meanKm,
  };
}

function breakdownRows(index: GroupIndex, stats: GroupStats[]): BreakdownRow[] {
  return stats
    .map((s, g) => ({
      key: index.keys[g] ?? '',
      label: index.labels[g] ?? '',
      n: s.n,
      predicted: s.predicted,
      accuracy: s.hits.map((h) => (s.n > 0 ? h / s.n : 0)),
      medianKm: s.medianKm,
      meanKm: s.meanKm,
    }))
    .sort((a, b) => b.n - a.n || a.label.localeCompare(b.label));
}

function levelRate(ok: Int8Array, rows: Int32Array): LevelRate {
  let correct = 0;
  let judged = 0;
  for (const r of rows) {
    if (r < 0) continue;
    const v = ok[r] as number;
    if (v < 0) continue;
    judged++;
    correct += v;
  }
  return { correct, judged, rate: judged > 0 ? correct / judged : null };
}

function anyJudged(ok: Int8Array): boolean {
  for (let i = 0; i < ok.length; i++) if ((ok[i] as number) >= 0) return true;
  return false;
}

/** The counted rows: km per row and, per row, its truth photo and completion row (-1: unanswered). */
export interface CountedRows {
  km: Float64Array;
  truth: Int32Array;
  completion: Int32Array;
  unanswered: number;
}

export function countedRows(rows: RunRows, mode: SampleMode, scope: EvalScope, truthCount: number): CountedRows {
  const picked = selectSamples(rows, mode);
  const answered = new Uint8Array(truthCount);
  for (const r of picked) answered[rows.image[r] as number] = 1;
  let unanswered = 0;
  if (scope === 'dataset') for (let t = 0; t < truthCount; t++) if (answered[t] === 0) unanswered++;
  const n = picked.length + unanswered;
  const km = new Float64Array(n);
  const truth = new Int32Array(n);
  const completion = new Int32Array(n);
  let j = 0;
  for (const r of picked) {
    km[j] = rows.km[r] as number;
    truth[j] = rows.image[r] as number;
    completion[j] = r;
    j++;
  }
  if (scope === 'dataset') {
    for (let t = 0; t < truthCount; t++) {
      if (answered[t] !== 0) continue;
      km[j] = Number.NaN;
      truth[j] = t;
      completion[j] = -1;
      j++;
    }
  }
  return { km, truth, completion, unanswered };
}

function loadDatasetRun(db: Database.Database, ref: RunRef): { truth: Truth; rows: RunRows } {
  // One read transaction: the counts that size the arrays hold for the rows then read.
  return db.transaction(() => {
    const truth = loadTruth(db, requireDataset(ref));
    return { truth, rows: loadRunRows(db, ref, truth) };
  })();
}

/** What a run's evaluation reads from the project: its rows and the truth they are measured against. */
export type RunData = { truth: Truth; rows: RunRows };

/**
 * Over the run's own photos one pass over its rows is enough; over the whole dataset
 * every photo with a point counts (unanswered ones as misses).
 */
export function loadRunData(db: Database.Database, ref: RunRef, scope: EvalScope): RunData {
  return scope === 'run' ? loadAnsweredRun(db, ref) : loadDatasetRun(db, ref);
}

/**
 * `load` lets a caller keep the loaded rows between calls (the read pool does, until
 * the next commit): switching the sample mode then costs only the metrics.
 */
export function evaluateRun(
  db: Database.Database,
  runId: number,
  mode: SampleMode,
  scope: EvalScope,
  load: (ref: RunRef, scope: EvalScope) => RunData = (ref, s) => loadRunData(db, ref, s),
): RunEvaluation {
  const started = performance.now();
  const ref = runRef(db, runId);
  const { truth, rows } = load(ref, scope);
  const counted = countedRows(rows, mode, scope, truth.ids.length);
  const n = counted.km.length;

  // Samples per answered photo (G).
  let gMin = 0;
  let gMax = 0;
  for (let i = 0; i < rows.image.length; ) {
    let j = i + 1;
    while (j < rows.image.length && rows.image[j] === rows.image[i]) j++;
    const g = j - i;
    gMin = gMin === 0 ? g : Math.min(gMin, g);
    gMax = Math.max(gMax, g);
    i = j;
  }

  const { stats, predicted } = overallStats(counted.km, THRESHOLDS);

  const chainJudged = [rows.countryOk, rows.regionOk, rows.cityOk].some(anyJudged);
  const chain = chainJudged
    ? {
        country: levelRate(rows.countryOk, counted.completion),
        region: levelRate(rows.regionOk, counted.completion),
        city: levelRate(rows.cityOk, counted.completion),
      }
    : null;

  // Breakdowns by the current label of the true point (reviewed, else the gazetteer's):
  // group indexes per place, made the first time a counted photo has that place.
  // Country groups go by code: a code's first photo names the country.
  const groups = new LabelGroups();
  const groupOfCode = new Map<string | null, number>();
  const countryOfPlace = new Int32Array(truth.places.length).fill(-1);
  const regionOfPlace = new Int32Array(truth.places.length);
  const gContinent = new Int32Array(n);
  const gCountry = new Int32Array(n);
  const gRegion = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const p = truth.place[counted.truth[i] as number] as number;
    let c = countryOfPlace[p] as number;
    if (c < 0) {
      const place = truth.places[p] as Place;
      const known = groupOfCode.get(place.countryCode);
      c = known ?? groups.country(place.countryCode, place.country);
      if (known === undefined) groupOfCode.set(place.countryCode, c);
      countryOfPlace[p] = c;
      regionOfPlace[p] = groups.region(c, place.region);
    }
    gCountry[i] = c;
    gContinent[i] = groups.continent(c);
    gRegion[i] = regionOfPlace[p] as number;
  }

  // Map: one point per counted photo; in `mean` mode the mean error of its samples.
  const sum = new Float64Array(truth.ids.length);
  const cnt = new Int32Array(truth.ids.length);
  const seen = new Uint8Array(truth.ids.length);
  const order = new Int32Array(truth.ids.length);
  let photos = 0;
  for (let i = 0; i < n; i++) {
    const t = counted.truth[i] as number;
    if (seen[t] === 0) {
      seen[t] = 1;
      order[photos++] = t;
    }
    const d = counted.km[i] as number;
    if (!Number.isNaN(d)) {
      sum[t]! += d;
      cnt[t]! += 1;
    }
  }
  const stride = Math.max(1, Math.ceil(photos / MAP_POINT_LIMIT));
  const drawn: number[] = [];
  for (let k = 0; k < photos; k += stride) drawn.push(order[k] as number);
  const map = { ...truth.points(drawn), km: drawn.map((t) => (cnt[t] ? (sum[t] as number) / (cnt[t] as number) : null)), total: photos };

  const grid = cdfGrid();
  return {
    run: ref,
    mode,
    scope,
    thresholdsKm: [...THRESHOLDS],
    samplesPerPhoto: { min: gMin, max: gMax },
    photos: { counted: photos, withoutTruth: rows.withoutTruth, unanswered: counted.unanswered },
    overall: metricsOf(stats),
    chain,
    breakdowns: {
      continent: breakdownRows(groups.continents, groupStats(counted.km, gContinent, groups.continents.size, THRESHOLDS)),
      country: breakdownRows(groups.countries, groupStats(counted.km, gCountry, groups.countries.size, THRESHOLDS)),
      region: breakdownRows(groups.regions, groupStats(counted.km, gRegion, groups.regions.size, THRESHOLDS)),
    },
    cdf: { km: grid, share: cdfAt(predicted, n, grid) },
    map,
    durationMs: Math.round(performance.now() - started),
  };
}
