/**
 * Accuracy, median and mean error per group (continent, country, region, or one group
 * for the whole run) over typed arrays, in linear time: threshold hits are counted,
 * the median is found by selection (no full sort), so a million rows take tens of
 * milliseconds. Same conventions as accuracy.ts: every row is a ground-truth row,
 * `d ≤ t`, a row without a prediction (NaN) is a miss, median and mean are over
 * predicted rows.
 */
import { DEFAULT_THRESHOLDS_KM, type AccuracyReport } from './accuracy.js';

export interface GroupStats {
  /** Rows of the group (ground-truth rows). */
  n: number;
  /** Rows with a prediction. */
  predicted: number;
  /** hits[i]: rows with d ≤ thresholds[i]. */
  hits: number[];
  medianKm: number | null;
  meanKm: number | null;
}

/**
 * The k-th smallest value of a[from, to) (k absolute, from ≤ k < to), by Hoare
 * partitioning with a median-of-three pivot. Reorders that slice.
 */
export function selectKth(a: Float64Array, from: number, to: number, k: number): number {
  let lo = from;
  let hi = to - 1;
  const swap = (i: number, j: number): void => {
    const t = a[i] as number;
    a[i] = a[j] as number;
    a[j] = t;
  };
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as number) < (a[lo] as number)) swap(lo, mid);
    if ((a[hi] as number) < (a[lo] as number)) swap(lo, hi);
    if ((a[hi] as number) < (a[mid] as number)) swap(mid, hi);
    const pivot = a[mid] as number;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((a[i] as number) < pivot) i++;
      while ((a[j] as number) > pivot) j--;
      if (i <= j) {
        swap(i, j);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k] as number;
  }
  return a[k] as number;
}

/** Median of a[from, to) (reorders the slice); null when empty. */
export function medianOf(a: Float64Array, from: number, to: number): number | null {
  const m = to - from;
  if (m === 0) return null;
  const h = from + (m >> 1);
  const upper = selectKth(a, from, to, h);
  if (m % 2 === 1) return upper;
  // After selection every value left of h is ≤ a[h]: the lower middle is their maximum.
  let lower = -Infinity;
  for (let i = from; i < h; i++) if ((a[i] as number) > lower) lower = a[i] as number;
  return (lower + upper) / 2;
}

function statsOf(values: Float64Array, from: number, to: number, n: number, thresholds: readonly number[]): GroupStats {
  const nt = thresholds.length;
  const bucket = new Array<number>(nt + 1).fill(0);
  let sum = 0;
  for (let i = from; i < to; i++) {
    const d = values[i] as number;
    sum += d;
    let k = 0;
    while (k < nt && d > (thresholds[k] as number)) k++;
    bucket[k]! += 1;
  }
  const hits: number[] = [];
  let run = 0;
  for (let k = 0; k < nt; k++) hits.push((run += bucket[k] as number));
  const m = to - from;
  return { n, predicted: m, hits, medianKm: medianOf(values, from, to), meanKm: m > 0 ? sum / m : null };
}

function checkThresholds(thresholds: readonly number[]): void {
  for (let i = 1; i < thresholds.length; i++) {
    if (!((thresholds[i] as number) > (thresholds[i - 1] as number))) throw new Error('thresholds must be ascending');
  }
}

/**
 * Per-group statistics. `km[i]` is row i's error (NaN: no prediction), `group[i]` its
 * group in [0, groupCount). Rows are bucketed by a counting sort, then each bucket is
 * measured in linear time.
 */
export function groupStats(
  km: Float64Array,
  group: Int32Array,
  groupCount: number,
  thresholds: readonly number[] = DEFAULT_THRESHOLDS_KM,
): GroupStats[] {
  checkThresholds(thresholds);
  if (group.length !== km.length) throw new Error(`groupStats: ${km.length} errors but ${group.length} group indexes`);
  const rows = new Int32Array(groupCount);
  const offset = new Int32Array(groupCount + 1);
  for (let i = 0; i < km.length; i++) {
    const g = group[i] as number;
    if (g < 0 || g >= groupCount) throw new Error(`groupStats: row ${i} has group ${g}, outside [0, ${groupCount})`);
    rows[g]! += 1;
    if (!Number.isNaN(km[i])) offset[g + 1]! += 1;
  }
  for (let g = 0; g < groupCount; g++) offset[g + 1]! += offset[g] as number;
  const cursor = offset.slice(0, groupCount);
  const values = new Float64Array(offset[groupCount] as number);
  for (let i = 0; i < km.length; i++) {
    const d = km[i] as number;
    if (!Number.isNaN(d)) values[cursor[group[i] as number]!++] = d;
  }
  const out: GroupStats[] = [];
  for (let g = 0; g < groupCount; g++) out.push(statsOf(values, offset[g] as number, offset[g + 1] as number, rows[g] as number, thresholds));
  return out;
}

/** Statistics of all rows, and their predicted errors (for the CDF; in no particular order). */
export function overallStats(
  km: Float64Array,
  thresholds: readonly number[] = DEFAULT_THRESHOLDS_KM,
): { stats: GroupStats; predicted: Float64Array } {
  checkThresholds(thresholds);
  let m = 0;
  for (let i = 0; i < km.length; i++) if (!Number.isNaN(km[i])) m++;
  const predicted = new Float64Array(m);
  let j = 0;
  for (let i = 0; i < km.length; i++) {
    const d = km[i] as number;
    if (!Number.isNaN(d)) predicted[j++] = d;
  }
  return { stats: statsOf(predicted, 0, m, km.length, thresholds), predicted };
}

/** The same figures in accuracy.ts's report shape (fractions keyed by threshold). */
export function toAccuracyReport(s: GroupStats, thresholds: readonly number[] = DEFAULT_THRESHOLDS_KM): AccuracyReport {
  const accuracy: Record<string, number> = {};
  thresholds.forEach((t, i) => {
    accuracy[String(t)] = s.n > 0 ? (s.hits[i] ?? 0) / s.n : 0;
  });
  return { n: s.n, predicted: s.predicted, accuracy, median_km: s.medianKm, mean_km: s.meanKm };
}

/**
 * Interns keys to dense group indexes (first seen = 0). `labels` keeps a display
 * label per index.
 */
export class GroupIndex {
  private readonly ids = new Map<string, number>();
  readonly keys: string[] = [];
  readonly labels: string[] = [];

  index(key: string, label: string = key): number {
    let i = this.ids.get(key);
    if (i === undefined) {
      i = this.keys.length;
      this.ids.set(key, i);
      this.keys.push(key);
      this.labels.push(label);
    }
    return i;
  }

  get size(): number {
    return this.keys.length;
  }
}
