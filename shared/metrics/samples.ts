/**
 * Which sample counts when a run holds G samples per photo (a GRPO group):
 * - `first`: sample 0 (the lowest sample number stored) — what a single-answer
 *   evaluation reports; the default.
 * - `best`: the closest of the G samples — an oracle "best of G" that uses the truth,
 *   an upper bound, never a deployable number.
 * - `mean`: every sample is a row (n = photos × G), i.e. the accuracy of one sample
 *   drawn at random, averaged over the samples.
 */
export const SAMPLE_MODES = ['first', 'best', 'mean'] as const;
export type SampleMode = (typeof SAMPLE_MODES)[number];

export const SAMPLE_MODE_LABELS: Record<SampleMode, string> = {
  first: 'Sample 0 (first answer)',
  best: 'Best of G (oracle: closest sample)',
  mean: 'Mean over samples (every sample a row)',
};

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
  const out = new Int32Array(n);
  let picked = 0;
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
    out[picked++] = pick;
    i = j;
  }
  return out.slice(0, picked);
}
