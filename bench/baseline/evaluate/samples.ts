/**
 * BASELINE, kept only for bench/eval.bench.ts: selectSamples as it was before completions
 * carried their exact error and truth place (schema 8), measured against the current
 * code in the same run. Not used by the app.
 */
import type { SampleMode } from '../../../shared/metrics/samples.js';

export interface SampleRows {
  /** Photo of each completion row; rows of one photo are adjacent, lowest sample first. */
  image: Int32Array;
  /** Error of each row, km; NaN when the row has no point. */
  km: Float64Array;
}

/** Indexes of the rows that count under `mode`, in row order. */
export function selectSamples(rows: SampleRows, mode: SampleMode): Int32Array {
  const n = rows.image.length;
  if (mode === 'mean') return Int32Array.from({ length: n }, (_, i) => i);
  const out: number[] = [];
  let i = 0;
  while (i < n) {
    const img = rows.image[i] as number;
    let pick = i;
    let j = i + 1;
    for (; j < n && rows.image[j] === img; j++) {
      if (mode === 'best') {
        const d = rows.km[j] as number;
        const best = rows.km[pick] as number;
        // NaN (no point) never beats a distance; ties keep the lower sample.
        if (!Number.isNaN(d) && (Number.isNaN(best) || d < best)) pick = j;
      }
    }
    out.push(pick);
    i = j;
  }
  return Int32Array.from(out);
}
