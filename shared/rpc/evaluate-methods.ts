/**
 * Methods of the evaluate group: the standard geolocation metrics of a run
 * (accuracy at 1/25/200/750/2500 km over all ground-truth rows, d ≤ t, haversine
 * R = 6371, a missing prediction is a miss; median and mean error), breakdowns by
 * continent / country / region, the error CDF, run comparison on shared photos, and
 * a trivial geographic-prior baseline run. Spread into the one contract in contract.ts.
 */
import { z } from 'zod';
import { SAMPLE_MODES } from '../metrics/samples.js';
import { Id } from './ids.js';
import { method } from './method.js';

const nullableNumber = z.number().nullable();
const count = z.number().int().nonnegative();

export const SampleMode = z.enum(SAMPLE_MODES);
/**
 * `run`: the photos of the dataset the run answered (at least one completion row);
 * `dataset`: every photo of the run's dataset with a point, unanswered ones as misses.
 */
export const EvalScope = z.enum(['run', 'dataset']);
export type EvalScope = z.infer<typeof EvalScope>;

export const Metrics = z.object({
  /** Ground-truth rows. */
  n: count,
  /** Rows with a predicted point. */
  predicted: count,
  /** Fraction of ALL rows with d ≤ km, one per threshold. */
  accuracy: z.array(z.object({ km: z.number(), rate: z.number() })),
  medianKm: nullableNumber,
  meanKm: nullableNumber,
});
export type Metrics = z.infer<typeof Metrics>;

export const BreakdownRow = z.object({
  key: z.string(),
  label: z.string(),
  n: count,
  predicted: count,
  /** Fractions aligned with `thresholdsKm`. */
  accuracy: z.array(z.number()),
  medianKm: nullableNumber,
  meanKm: nullableNumber,
});
export type BreakdownRow = z.infer<typeof BreakdownRow>;

const LevelRate = z.object({ correct: count, judged: count, rate: nullableNumber });
export type LevelRate = z.infer<typeof LevelRate>;

export const RunRef = z.object({
  id: z.number().int(),
  name: z.string(),
  model: z.string().nullable(),
  datasetId: z.number().int().nullable(),
  datasetName: z.string().nullable(),
  /** What the run is, when its maker said (the prior baseline does). */
  description: z.string().nullable(),
});
export type RunRef = z.infer<typeof RunRef>;

export const EvaluateParams = z
  .object({ runId: Id, mode: SampleMode.default('first'), scope: EvalScope.default('run') })
  .strict();

export const RunEvaluation = z.object({
  run: RunRef,
  mode: SampleMode,
  scope: EvalScope,
  thresholdsKm: z.array(z.number()),
  /** Fewest and most samples stored per answered photo (G). */
  samplesPerPhoto: z.object({ min: count, max: count }),
  photos: z.object({
    /** Photos counted (ground-truth photos in scope). */
    counted: count,
    /** Answered photos without a true point: left out. */
    withoutTruth: count,
    /** Counted photos with no completion (scope `dataset`): misses. */
    unanswered: count,
  }),
  overall: Metrics,
  /** Per-level accuracy of the counted rows' chains; null when no completion names a level. */
  chain: z.object({ country: LevelRate, region: LevelRate, city: LevelRate }).nullable(),
  breakdowns: z.object({ continent: z.array(BreakdownRow), country: z.array(BreakdownRow), region: z.array(BreakdownRow) }),
  cdf: z.object({ km: z.array(z.number()), share: z.array(z.number()) }),
  /** Truth points with their error (null: no prediction), at most `limit` of `total`, evenly strided. */
  map: z.object({
    lat: z.array(z.number()),
    lon: z.array(z.number()),
    km: z.array(nullableNumber),
    total: count,
  }),
  durationMs: z.number(),
});
export type RunEvaluation = z.infer<typeof RunEvaluation>;

export const RunComparison = z.object({
  mode: SampleMode,
  thresholdsKm: z.array(z.number()),
  /** Photos every run answered (with a true point): the rows every run is measured on. */
  shared: count,
  runs: z.array(z.object({ run: RunRef, answered: count, metrics: Metrics, cdf: z.array(z.number()) })),
  cdfKm: z.array(z.number()),
});
export type RunComparison = z.infer<typeof RunComparison>;

export const BaselineResult = z.object({
  runId: z.number().int(),
  name: z.string(),
  lat: z.number(),
  lon: z.number(),
  photos: count,
  description: z.string(),
});
export type BaselineResult = z.infer<typeof BaselineResult>;

export const evaluateMethods = {
  'evaluate.run': method({
    summary: 'Accuracy at 1/25/200/750/2500 km, median/mean error, chain accuracy, breakdowns, CDF and error map of one run.',
    params: EvaluateParams,
    result: RunEvaluation,
  }),
  'evaluate.compare': method({
    summary: 'Several runs measured on the photos they all answered (the shared count is returned).',
    params: z.object({ runIds: z.array(Id).min(2, 'pick at least two runs').max(12), mode: SampleMode.default('first') }).strict(),
    result: RunComparison,
  }),
  'evaluate.addBaseline': method({
    summary: 'Add a "Geographic prior baseline" run: every photo predicted at the medoid of the dataset\u2019s points.',
    params: z.object({ datasetId: Id }).strict(),
    result: BaselineResult,
  }),
} as const;
