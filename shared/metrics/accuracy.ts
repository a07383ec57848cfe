/**
 * Geolocation accuracy as GeoEstimation and GeoCLIP report it: the share of ALL
 * ground-truth rows whose prediction lies within t km (d ≤ t; G3 uses <). A row with no
 * prediction is a miss. Median and mean error are over rows with a prediction.
 */

export const DEFAULT_THRESHOLDS_KM = [1, 25, 200, 750, 2500] as const;

export interface AccuracyReport {
  /** Ground-truth rows. */
  n: number;
  /** Rows with a prediction. */
  predicted: number;
  /** Threshold (km, as a string key) → fraction of all rows. */
  accuracy: Record<string, number>;
  /** null when no row has a prediction. */
  median_km: number | null;
  mean_km: number | null;
}

/** `kms[i]` is the error of ground-truth row i; null, undefined or NaN = no prediction. */
export function accuracyReport(
  kms: ArrayLike<number | null | undefined>,
  thresholds: readonly number[] = DEFAULT_THRESHOLDS_KM,
): AccuracyReport {
  const n = kms.length;
  const have: number[] = [];
  for (let i = 0; i < n; i++) {
    const d = kms[i];
    if (d !== null && d !== undefined && !Number.isNaN(d)) have.push(d);
  }
  have.sort((a, b) => a - b);
  const accuracy: Record<string, number> = {};
  for (const t of thresholds) {
    let hits = 0;
    for (const d of have) {
      if (d <= t) hits++;
      else break; // sorted
    }
    accuracy[String(t)] = n > 0 ? hits / n : 0;
  }
  let sum = 0;
  for (const d of have) sum += d;
  const m = have.length;
  let median: number | null = null;
  if (m > 0) {
    const h = m >> 1;
    median = m % 2 === 1 ? (have[h] as number) : ((have[h - 1] as number) + (have[h] as number)) / 2;
  }
  return { n, predicted: m, accuracy, median_km: median, mean_km: m > 0 ? sum / m : null };
}
