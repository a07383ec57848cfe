/** Scoring completions under a reward spec: one at a time, or columnar for re-scoring runs. */
import { bboxFormatOk, locLiteralKm } from './geo-r-released.js';
import { globeFormatOk, globeLabelScore, globeStrictScore } from './globe.js';
import { pyRound } from './py-round.js';
import { componentName, type DistanceComponent, type LocDictComponent, type RewardComponent, type RewardSpec } from './spec.js';

/**
 * Piecewise-linear through the knots; the last value beyond the last knot; a missing
 * distance (null/NaN) gives 0. `round` rounds as Python's round does.
 */
export function distanceReward(km: number | null, c: Pick<DistanceComponent, 'knots_km' | 'values' | 'round'>): number {
  if (km === null || Number.isNaN(km)) return 0;
  const v = interpolate(km, c.knots_km, c.values);
  return c.round === undefined ? v : pyRound(v, c.round);
}

/**
 * Geo-R's `distance_to_reward` over the component's knots, written as released
 * (`v0 - ((d - k0) / (k1 - k0)) * (v0 - v1)`, the first knot's value at 0, the last
 * value beyond the last knot, 0 for NaN: where Python raised).
 */
export function releasedCurveReward(km: number, c: Pick<LocDictComponent, 'knots_km' | 'values' | 'round'>): number {
  if (Number.isNaN(km)) return 0;
  const knots = c.knots_km;
  const values = c.values;
  const n = knots.length;
  let v = values[n - 1] as number;
  if (km <= (knots[0] as number)) v = values[0] as number;
  else {
    for (let i = 1; i < n; i++) {
      const k1 = knots[i] as number;
      if (km <= k1) {
        const k0 = knots[i - 1] as number;
        const v0 = values[i - 1] as number;
        v = v0 - ((km - k0) / (k1 - k0)) * (v0 - (values[i] as number));
        break;
      }
    }
  }
  return c.round === undefined ? v : pyRound(v, c.round);
}

function interpolate(km: number, knots: readonly number[], values: readonly number[]): number {
  const n = knots.length;
  if (km <= (knots[0] ?? 0)) return values[0] ?? 0;
  if (km >= (knots[n - 1] ?? 0)) return values[n - 1] ?? 0;
  for (let i = 1; i < n; i++) {
    const k1 = knots[i] as number;
    if (km <= k1) {
      const k0 = knots[i - 1] as number;
      const v0 = values[i - 1] as number;
      const v1 = values[i] as number;
      return v0 + ((v1 - v0) * (km - k0)) / (k1 - k0);
    }
  }
  return values[n - 1] ?? 0;
}

export interface ScoreInput {
  /** Great-circle km from the predicted to the true point; null when no coordinate. */
  km: number | null;
  /** Geo-R format from the parser: exactly one valid (lat, lon) in parentheses. */
  format_ok: boolean;
  /** Parsed (lenient) names, used by a non-strict label_match. */
  country?: string | null;
  city?: string | null;
  /** The raw completion: GLOBE-strict labels, GLOBE and bbox formats and the LOC literal read it. */
  text?: string;
  /** Truth; lat/lon are needed by a `loc_dict` component only. */
  truth?: { country?: string | null; city?: string | null; lat?: number | null; lon?: number | null };
}

export interface Score {
  reward: number;
  components: Record<string, number>;
}

function needText(input: ScoreInput, what: string): string {
  if (input.text === undefined) throw new Error(`${what} needs the completion text`);
  return input.text;
}

function componentValue(c: RewardComponent, input: ScoreInput): number {
  switch (c.kind) {
    case 'distance':
      return distanceReward(input.km, c);
    case 'loc_dict': {
      const truth = input.truth ?? {};
      return releasedCurveReward(locLiteralKm(needText(input, 'loc_dict'), truth.lat, truth.lon), c);
    }
    case 'format':
      if (c.style === 'globe') return globeFormatOk(needText(input, 'format (globe style)')) ? 1 : 0;
      if (c.style === 'vlm-r1-bbox') return bboxFormatOk(needText(input, 'format (vlm-r1-bbox style)')) ? 1 : 0;
      return input.format_ok ? 1 : 0;
    case 'label_match': {
      const truth = input.truth ?? {};
      if (c.strict) return globeStrictScore(needText(input, 'label_match (strict)'), truth.country, truth.city);
      return globeLabelScore(input.country, input.city, truth.country, truth.city);
    }
  }
}

/** Scores one completion: the combined reward and each component's value by name. */
export function scoreCompletion(spec: RewardSpec, input: ScoreInput): Score {
  const components: Record<string, number> = {};
  let reward = spec.combine === 'product' ? 1 : 0;
  spec.components.forEach((c, i) => {
    const v = componentValue(c, input);
    components[componentName(c, i, spec.components)] = v;
    if (spec.combine === 'product') reward *= v;
    else reward += (c.weight ?? 1) * v;
  });
  return { reward, components };
}

/**
 * Columns of stored completions for `scoreMany`. Only the columns the spec's components
 * read are required. The string work (parsing, GLOBE name matching) is done once at
 * import; re-scoring under a new spec is then a few passes over typed arrays.
 */
export interface ScoreColumns {
  /** km to the truth; NaN = no predicted coordinate. */
  km?: Float64Array;
  /** Geo-R format, 0/1. */
  formatOk?: Uint8Array;
  /** GLOBE think/answer format, 0/1. */
  globeFormatOk?: Uint8Array;
  /** GLOBE label score (0, 0.2, 1) from the lenient parser's names. */
  labelScore?: Float64Array;
  /** GLOBE label score from the released strict reading. */
  labelScoreStrict?: Float64Array;
  /** km from the completion's `{'LOC': [lat, lon]}` literal (Geo-R as released); NaN = none. */
  locKm?: Float64Array;
  /** VLM-R1's bounding-box format, 0/1. */
  bboxFormatOk?: Uint8Array;
}

function column<T extends Float64Array | Uint8Array>(col: T | undefined, name: string, n: number): T {
  if (col === undefined) throw new Error(`scoreMany: the spec needs the '${name}' column`);
  if (col.length !== n) throw new Error(`scoreMany: column '${name}' has ${col.length} rows, expected ${n}`);
  return col;
}

function rowCount(cols: ScoreColumns): number {
  const c = cols.km ?? cols.formatOk ?? cols.globeFormatOk ?? cols.labelScore ?? cols.labelScoreStrict ?? cols.locKm ?? cols.bboxFormatOk;
  return c?.length ?? 0;
}

/**
 * Rewards for many completions at once (1M rows in a few ms). Gives the same values as
 * `scoreCompletion` row by row. `out` may be passed to reuse a buffer.
 */
export function scoreMany(spec: RewardSpec, cols: ScoreColumns, out?: Float64Array): Float64Array {
  const n = rowCount(cols);
  const res = out && out.length === n ? out : new Float64Array(n);
  const product = spec.combine === 'product';
  res.fill(product ? 1 : 0);
  for (const c of spec.components) {
    const w = product ? 1 : (c.weight ?? 1);
    if (c.kind === 'distance') {
      const km = column(cols.km, 'km', n);
      const knots = Float64Array.from(c.knots_km);
      const vals = Float64Array.from(c.values);
      const last = knots.length - 1;
      const round = c.round;
      const scale = 10 ** (round ?? 0);
      for (let i = 0; i < n; i++) {
        const d = km[i] as number;
        let v: number;
        if (d !== d) v = 0; // NaN: no coordinate
        else if (d <= (knots[0] as number)) v = vals[0] as number;
        else if (d >= (knots[last] as number)) v = vals[last] as number;
        else {
          let j = 1;
          while (d > (knots[j] as number)) j++;
          const k0 = knots[j - 1] as number;
          const v0 = vals[j - 1] as number;
          v = v0 + (((vals[j] as number) - v0) * (d - k0)) / ((knots[j] as number) - k0);
        }
        if (round !== undefined) {
          // pyRound's fast path, inlined: far from a .5 tie, k / 10^n is Python's answer.
          const y = v * scale;
          const ay = y < 0 ? -y : y;
          const fl = Math.floor(ay);
          const frac = ay - fl;
          if (ay < 1e15 && (frac < 0.499999 || frac > 0.500001)) {
            const k = frac < 0.5 ? fl : fl + 1;
            v = (y < 0 ? -k : k) / scale;
          } else v = pyRound(v, round);
        }
        if (product) res[i] = (res[i] as number) * v;
        else res[i] = (res[i] as number) + w * v;
      }
    } else if (c.kind === 'loc_dict') {
      const km = column(cols.locKm, 'locKm', n);
      for (let i = 0; i < n; i++) {
        const v = releasedCurveReward(km[i] as number, c);
        if (product) res[i] = (res[i] as number) * v;
        else res[i] = (res[i] as number) + w * v;
      }
    } else {
      let src: Float64Array | Uint8Array;
      if (c.kind === 'format') {
        if (c.style === 'globe') src = column(cols.globeFormatOk, 'globeFormatOk', n);
        else if (c.style === 'vlm-r1-bbox') src = column(cols.bboxFormatOk, 'bboxFormatOk', n);
        else src = column(cols.formatOk, 'formatOk', n);
      }
      else src = c.strict ? column(cols.labelScoreStrict, 'labelScoreStrict', n) : column(cols.labelScore, 'labelScore', n);
      if (product) for (let i = 0; i < n; i++) res[i] = (res[i] as number) * (src[i] as number);
      else for (let i = 0; i < n; i++) res[i] = (res[i] as number) + w * (src[i] as number);
    }
  }
  return res;
}
