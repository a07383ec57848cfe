/**
 * The error CDF: the share of ALL ground-truth rows whose error is ≤ x km, on a log
 * grid. Rows without a prediction never enter, so the curve tops out at
 * predicted / n, not 1 (the same convention as the accuracy table). Computed as a
 * histogram over the grid, so no sort is needed.
 */

/** Half the Earth's circumference (R = 6371): no great-circle error is larger. */
export const MAX_ERROR_KM = Math.PI * 6371;

/**
 * `count` log-spaced points from `minKm` to `maxKm`, with `include` (e.g. the accuracy
 * thresholds) added exactly, ascending and distinct.
 */
export function logGrid(minKm = 0.1, maxKm = 20_100, count = 121, include: readonly number[] = []): number[] {
  if (!(minKm > 0) || !(maxKm > minKm) || count < 2) throw new Error('logGrid: needs 0 < minKm < maxKm and count ≥ 2');
  const a = Math.log10(minKm);
  const b = Math.log10(maxKm);
  const xs = new Set<number>();
  for (let i = 0; i < count; i++) xs.add(Number((10 ** (a + ((b - a) * i) / (count - 1))).toPrecision(6)));
  for (const x of include) if (x >= minKm && x <= maxKm) xs.add(x);
  return [...xs].sort((p, q) => p - q);
}

/**
 * share[i] = (# values ≤ grid[i]) / n, for an ascending grid. `values` are the
 * predicted errors (any order, no NaN); `n` counts all ground-truth rows.
 */
export function cdfAt(values: ArrayLike<number>, n: number, grid: readonly number[]): number[] {
  if (n <= 0) return grid.map(() => 0);
  const g = grid.length;
  const bucket = new Float64Array(g + 1);
  for (let i = 0; i < values.length; i++) {
    const d = values[i] as number;
    // First grid index with d ≤ grid[idx] (g: beyond the grid).
    let lo = 0;
    let hi = g;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (d <= (grid[mid] as number)) hi = mid;
      else lo = mid + 1;
    }
    bucket[lo]! += 1;
  }
  const out: number[] = [];
  let run = 0;
  for (let i = 0; i < g; i++) out.push((run += bucket[i] as number) / n);
  return out;
}
