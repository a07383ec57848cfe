/**
 * The Reward Lab's statistics, as pure functions over a run's columns (no Worker, no
 * DOM: the worker calls them, the unit tests and the benchmark call them directly).
 * Rewards come from `scoreMany` and the GRPO numbers from `groupStatsColumnar`, the
 * shared code the CLI and the trainer export agree with; this module only slices
 * and counts.
 */
import { groupStatsColumnar, type ColumnarGroupStats } from '../../../shared/grpo/group-stats.js';
import { scoreMany, type ScoreColumns } from '../../../shared/reward/score.js';
import { componentName, type RewardComponent, type RewardSpec } from '../../../shared/reward/spec.js';

/** REWARD_BAND_LABELS of shared/rpc/reward-methods.ts, repeated so this module needs no zod. */
export const BAND_LABELS = ['≤ 25 km', '25–200 km', '200–750 km', '750–2500 km', '> 2500 km', 'no coordinate'] as const;

export interface LabColumns {
  count: number;
  km: Float64Array;
  formatOk: Uint8Array;
  globeFormatOk: Uint8Array;
  /** GLOBE label scores (0, 0.2, 1), lenient and strict; derived from the match flags. */
  labelScore: Float64Array;
  labelScoreStrict: Float64Array;
  /** Geo-R as released: km from the `{'LOC': [lat, lon]}` literal (NaN = none), VLM-R1's box format 0/1. */
  locKm: Float64Array;
  bboxFormatOk: Uint8Array;
  /** groups + 1 entries. */
  offsets: Int32Array;
  /** Index into BAND_LABELS per completion. */
  band: Uint8Array;
  /** Index into `countries` per completion, -1 when the photo has no label. */
  country: Int32Array;
  countries: string[];
}

/** GLOBE's label score from its two match flags: 1 both, 0.2 country only, else 0. */
export function labelScores(countryMatch: Uint8Array, cityMatch: Uint8Array): Float64Array {
  const out = new Float64Array(countryMatch.length);
  for (let i = 0; i < out.length; i++) out[i] = countryMatch[i] ? (cityMatch[i] ? 1 : 0.2) : 0;
  return out;
}

export function scoreColumns(c: LabColumns): ScoreColumns {
  return {
    km: c.km,
    formatOk: c.formatOk,
    globeFormatOk: c.globeFormatOk,
    labelScore: c.labelScore,
    labelScoreStrict: c.labelScoreStrict,
    locKm: c.locKm,
    bboxFormatOk: c.bboxFormatOk,
  };
}

export interface Histogram {
  min: number;
  max: number;
  counts: number[];
}

/** One slice (all completions, a distance band, a country): per-completion figures. */
export interface SliceStats {
  label: string;
  completions: number;
  /** Mean reward of the slice's completions. */
  meanReward: number;
  /** Mean |advantage| of the slice's completions (the learning signal they carry). */
  meanAbsAdvantage: number;
  /** Share of the slice's completions whose group has zero std (their advantage vanishes). */
  fracInZeroStdGroup: number;
  /** Share with a reward ≠ 0. */
  nonZeroRate: number;
}

export interface ComponentStats {
  name: string;
  /** Share of completions where the component's value ≠ 0. */
  nonZeroRate: number;
}

export interface Conflict {
  a: string;
  b: string;
  pa: number;
  pb: number;
  pBoth: number;
}

export interface RunLevel {
  completions: number;
  groups: number;
  mean_reward: number;
  reward_std: number;
  frac_reward_zero_std: number;
  meanAbsAdvantage: number;
}

export interface LabStats {
  run: RunLevel;
  rewardHist: Histogram;
  advantageHist: Histogram;
  components: ComponentStats[];
  /** P(component i ≠ 0 and component j ≠ 0), i and j over `components`. */
  cooccurrence: number[][];
  /** Pairs that are each often non-zero but (almost) never together. */
  conflicts: Conflict[];
  bands: SliceStats[];
  /** The `topCountries` countries with most completions. */
  countries: SliceStats[];
}

export interface StatsOptions {
  /** Bins of the reward histogram (default 20). */
  rewardBins?: number;
  /** Advantage histogram range ±this, clamped (default 3), and bins (default 24). */
  advantageRange?: number;
  advantageBins?: number;
  topCountries?: number;
}

/** The conflict rule: each ≥ 5 % non-zero, together under a tenth of what independence gives. */
export const CONFLICT_MIN_RATE = 0.05;
export const CONFLICT_RATIO = 0.1;

/**
 * Component values are cached per run and component (by its JSON): dragging a knot
 * changes one component, so the others are not scored again. A few entries only:
 * each is one Float64Array of the run's length.
 */
interface ComponentValues {
  values: Float64Array;
  nonZero: number;
}
const CACHE_ENTRIES = 8;
const componentCache = new WeakMap<LabColumns, Map<string, ComponentValues>>();

function componentValues(c: RewardComponent, cols: LabColumns, inUse: ReadonlySet<Float64Array>): ComponentValues {
  let cache = componentCache.get(cols);
  if (!cache) componentCache.set(cols, (cache = new Map()));
  // The weight does not change the values (a one-component product ignores it).
  const key = JSON.stringify({ ...c, weight: undefined });
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key); // refresh its place in the LRU order
    cache.set(key, hit);
    return hit;
  }
  // Full: the oldest entry gives up its buffer (no 8 MB allocation per drag event).
  let reuse: Float64Array | undefined;
  if (cache.size >= CACHE_ENTRIES) {
    const oldest = cache.keys().next().value as string;
    const evicted = cache.get(oldest)?.values;
    cache.delete(oldest);
    // Not a buffer this re-score still reads (a spec with more components than entries).
    if (evicted && !inUse.has(evicted)) reuse = evicted;
  }
  const values = scoreMany({ components: [c], combine: 'product' }, scoreColumns(cols), reuse);
  const entry = { values, nonZero: countNonZero(values) };
  cache.set(key, entry);
  return entry;
}

/**
 * Rewards of `spec`: each component's values through `scoreMany`, combined in the
 * spec's order as `scoreMany` combines them (the same floating-point operations, so
 * the same numbers; the unit tests hold it to that).
 */
export function rewardsOf(spec: RewardSpec, cols: LabColumns, out?: Float64Array): { rewards: Float64Array; parts: ComponentValues[] } {
  const n = cols.count;
  const rewards = out && out.length === n ? out : new Float64Array(n);
  const product = spec.combine === 'product';
  const inUse = new Set<Float64Array>();
  const parts = spec.components.map((c) => {
    const part = componentValues(c, cols, inUse);
    inUse.add(part.values);
    return part;
  });
  // The first component starts the result (1·v and 0 + w·v are v and w·v exactly).
  spec.components.forEach((c, ci) => {
    const v = (parts[ci] as ComponentValues).values;
    if (ci === 0 && product) rewards.set(v);
    else if (ci === 0) scaleInto(rewards, c.weight ?? 1, v);
    else if (product) multiplyInto(rewards, v);
    else addScaledInto(rewards, c.weight ?? 1, v);
  });
  return { rewards, parts };
}

let scratch: Float64Array | null = null;

/** Rewards and GRPO statistics: the core of a re-score. */
export function rescore(spec: RewardSpec, cols: LabColumns, out?: Float64Array): { rewards: Float64Array; groups: ColumnarGroupStats } {
  const { rewards } = rewardsOf(spec, cols, out);
  return { rewards, groups: groupStatsColumnar(rewards, cols.offsets) };
}

/** [min, max] of the values a component can take (a distance's values, 0 when missing). */
function componentRange(c: RewardComponent): [number, number] {
  if (c.kind !== 'distance' && c.kind !== 'loc_dict') return [0, 1];
  return [Math.min(0, ...c.values), Math.max(0, ...c.values)];
}

/** [min, max] a spec's reward can take, from its components' ranges; never narrower than [0, 1]. */
export function rewardRange(spec: RewardSpec): [number, number] {
  let lo = spec.combine === 'product' ? 1 : 0;
  let hi = lo;
  for (const c of spec.components) {
    const [a, b] = componentRange(c);
    if (spec.combine === 'product') {
      const ends = [lo * a, lo * b, hi * a, hi * b];
      lo = Math.min(...ends);
      hi = Math.max(...ends);
    } else {
      const w = c.weight ?? 1;
      lo += Math.min(w * a, w * b);
      hi += Math.max(w * a, w * b);
    }
  }
  return [Math.min(lo, 0), Math.max(hi, 1)];
}

function sliceList(labels: readonly string[], acc: Float64Array): SliceStats[] {
  return labels.map((label, k) => {
    const n = acc[k * 5] as number;
    const per = (j: number): number => (n > 0 ? (acc[k * 5 + j] as number) / n : NaN);
    return { label, completions: n, meanReward: per(1), meanAbsAdvantage: per(2), fracInZeroStdGroup: per(3), nonZeroRate: per(4) };
  });
}

function meanAbs(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const v = a[i] as number;
    s += v < 0 ? -v : v;
  }
  return a.length > 0 ? s / a.length : NaN;
}

/**
 * The slices' sums and both histograms in one pass over the groups; returns Σ|advantage|.
 * A function of its own so the JIT optimises it as a whole (a hot loop inside a big
 * function called a few times runs in on-stack-replaced code).
 */
function accumulate(
  rewards: Float64Array,
  adv: Float64Array,
  zeroStd: Uint8Array,
  offsets: Int32Array,
  band: Uint8Array,
  country: Int32Array,
  top: number,
  bandAcc: Float64Array,
  countryAcc: Float64Array,
  rCounts: Float64Array,
  rMin: number,
  rScale: number,
  aCounts: Float64Array,
  advRange: number,
  aScale: number,
): number {
  const rBins = rCounts.length;
  const aBins = aCounts.length;
  const groups = offsets.length - 1;
  let absSum = 0;
  for (let g = 0; g < groups; g++) {
    const z = zeroStd[g] as number;
    const e = offsets[g + 1] as number;
    for (let i = offsets[g] as number; i < e; i++) {
      const r = rewards[i] as number;
      const signed = adv[i] as number;
      let hb = Math.floor((r - rMin) * rScale);
      if (hb < 0) hb = 0;
      else if (hb >= rBins) hb = rBins - 1;
      rCounts[hb] = (rCounts[hb] as number) + 1;
      hb = Math.floor((signed + advRange) * aScale);
      if (hb < 0) hb = 0;
      else if (hb >= aBins) hb = aBins - 1;
      aCounts[hb] = (aCounts[hb] as number) + 1;
      const a = signed < 0 ? -signed : signed;
      absSum += a;
      const nz = r !== 0 ? 1 : 0;
      let o = (band[i] as number) * 5;
      bandAcc[o] = (bandAcc[o] as number) + 1;
      bandAcc[o + 1] = (bandAcc[o + 1] as number) + r;
      bandAcc[o + 2] = (bandAcc[o + 2] as number) + a;
      bandAcc[o + 3] = (bandAcc[o + 3] as number) + z;
      bandAcc[o + 4] = (bandAcc[o + 4] as number) + nz;
      // Countries are sorted by completions at load: the top ones are indexes 0 .. top-1.
      const c = country[i] as number;
      if (c >= 0 && c < top) {
        o = c * 5;
        countryAcc[o] = (countryAcc[o] as number) + 1;
        countryAcc[o + 1] = (countryAcc[o + 1] as number) + r;
        countryAcc[o + 2] = (countryAcc[o + 2] as number) + a;
        countryAcc[o + 3] = (countryAcc[o + 3] as number) + z;
        countryAcc[o + 4] = (countryAcc[o + 4] as number) + nz;
      }
    }
  }
  return absSum;
}

/** Rows where both value columns are non-zero. */
function bothNonZero(a: Float64Array, b: Float64Array): number {
  let both = 0;
  for (let r = 0; r < a.length; r++) if ((a[r] as number) !== 0 && (b[r] as number) !== 0) both++;
  return both;
}

function multiplyInto(out: Float64Array, v: Float64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) * (v[i] as number);
}

function scaleInto(out: Float64Array, w: number, v: Float64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = 0 + w * (v[i] as number);
}

function addScaledInto(out: Float64Array, w: number, v: Float64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) + w * (v[i] as number);
}

function countNonZero(v: Float64Array): number {
  let n = 0;
  for (let i = 0; i < v.length; i++) if ((v[i] as number) !== 0) n++;
  return n;
}

/** Every statistic the Reward Lab shows for one spec over one run. */
export function labStats(spec: RewardSpec, cols: LabColumns, options: StatsOptions = {}): LabStats {
  const n = cols.count;
  if (scratch?.length !== n) scratch = new Float64Array(n);
  const { rewards, parts } = rewardsOf(spec, cols, scratch);
  const groups = groupStatsColumnar(rewards, cols.offsets);
  const names = spec.components.map((c, i) => componentName(c, i, spec.components));
  const rate = (x: number): number => (n > 0 ? x / n : NaN);
  const components = names.map((name, i) => ({ name, nonZeroRate: rate((parts[i] as ComponentValues).nonZero) }));

  // Co-occurrence: P(i and j non-zero) for each pair (the diagonal is each one's rate).
  const k = names.length;
  const cooccurrence = Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => (i === j ? (components[i]?.nonZeroRate ?? NaN) : NaN)));
  const conflicts: Conflict[] = [];
  for (let i = 0; i < k; i++) {
    const a = (parts[i] as ComponentValues).values;
    for (let j = i + 1; j < k; j++) {
      const b = (parts[j] as ComponentValues).values;
      const pBoth = rate(bothNonZero(a, b));
      (cooccurrence[i] as number[])[j] = pBoth;
      (cooccurrence[j] as number[])[i] = pBoth;
      const pa = components[i]?.nonZeroRate ?? 0;
      const pb = components[j]?.nonZeroRate ?? 0;
      if (pa >= CONFLICT_MIN_RATE && pb >= CONFLICT_MIN_RATE && pBoth < CONFLICT_RATIO * pa * pb) {
        conflicts.push({ a: names[i] as string, b: names[j] as string, pa, pb, pBoth });
      }
    }
  }

  // One pass over the groups: the slices and both histograms. The reward histogram's
  // range comes from the spec, so its bins hold still while a knot is dragged.
  const top = Math.min(options.topCountries ?? 12, cols.countries.length);
  // Per slice, 5 sums side by side: count, reward, |advantage|, in a zero-std group, non-zero.
  const bandAcc = new Float64Array(BAND_LABELS.length * 5);
  const countryAcc = new Float64Array(top * 5);
  const band = cols.band;
  const country = cols.country;
  const adv = groups.advantages;
  const [rMin, rMax] = rewardRange(spec);
  const rBins = options.rewardBins ?? 20;
  const rCounts = new Float64Array(rBins);
  const rScale = rMax > rMin ? rBins / (rMax - rMin) : 0;
  const advRange = options.advantageRange ?? 3;
  const aBins = options.advantageBins ?? 24;
  const aCounts = new Float64Array(aBins);
  const aScale = aBins / (2 * advRange);
  const absSum = accumulate(
    rewards, adv, groups.zeroStd, cols.offsets, band, country, top, bandAcc, countryAcc,
    rCounts, rMin, rScale, aCounts, advRange, aScale,
  );
  return {
    run: {
      completions: n,
      groups: groups.count,
      mean_reward: groups.mean_reward,
      reward_std: groups.reward_std,
      frac_reward_zero_std: groups.frac_reward_zero_std,
      meanAbsAdvantage: n > 0 ? absSum / n : NaN,
    },
    rewardHist: { min: rMin, max: rMax, counts: Array.from(rCounts) },
    advantageHist: { min: -advRange, max: advRange, counts: Array.from(aCounts) },
    components,
    cooccurrence,
    conflicts,
    bands: sliceList(BAND_LABELS, bandAcc),
    countries: sliceList(cols.countries.slice(0, top), countryAcc),
  };
}

export interface SweepGrid {
  /** Values tried for the distance component's second knot (the first after 0). */
  first: number[];
  /** Values tried for its third knot. */
  second: number[];
}

export interface SweepResult {
  grid: SweepGrid;
  /** [i][j] for first[i], second[j]; NaN where the knots would not increase. */
  fracZeroStd: number[][];
  meanAbsAdvantage: number[][];
  /** The component swept (index into spec.components). */
  component: number;
}

export function linspace(a: number, b: number, steps: number): number[] {
  if (steps <= 1) return [a];
  return Array.from({ length: steps }, (_, i) => Math.round(a + ((b - a) * i) / (steps - 1)));
}

/**
 * The default sweep: the first knot from region to country scale (100–1500 km), the
 * second from country to continent scale (1000–6000 km), 10 × 10.
 */
export const defaultSweepGrid: SweepGrid = { first: linspace(100, 1500, 10), second: linspace(1000, 6000, 10) };

/** Why a spec cannot be swept, or null. */
export function sweepProblem(spec: RewardSpec): string | null {
  const i = spec.components.findIndex((c) => c.kind === 'distance');
  if (i < 0) return 'the spec has no distance component to sweep';
  const c = spec.components[i];
  if (c?.kind === 'distance' && c.knots_km.length < 3) return 'the distance component needs at least 3 knots (0, first, second)';
  return null;
}

/**
 * frac_reward_zero_std and mean |advantage| over a grid of (first, second) knots of the
 * spec's first distance component, the other knots and all values unchanged. Cells
 * whose knots would not strictly increase are NaN.
 */
export function sweep(spec: RewardSpec, cols: LabColumns, grid: SweepGrid = defaultSweepGrid, onRow?: (done: number) => void): SweepResult {
  const problem = sweepProblem(spec);
  if (problem) throw new Error(problem);
  const component = spec.components.findIndex((c) => c.kind === 'distance');
  const base = spec.components[component];
  if (base?.kind !== 'distance') throw new Error('the spec has no distance component to sweep');
  const buf = new Float64Array(cols.count);
  const fracZeroStd: number[][] = [];
  const meanAbsAdvantage: number[][] = [];
  grid.first.forEach((k1, i) => {
    const fz: number[] = [];
    const ma: number[] = [];
    for (const k2 of grid.second) {
      const knots = [...base.knots_km];
      knots[1] = k1;
      knots[2] = k2;
      const ok = knots.every((k, j) => j === 0 || k > (knots[j - 1] as number));
      if (!ok) {
        fz.push(NaN);
        ma.push(NaN);
        continue;
      }
      const components = spec.components.map((c, j) => (j === component ? { ...base, knots_km: knots } : c));
      const { groups } = rescore({ ...spec, components }, cols, buf);
      fz.push(groups.frac_reward_zero_std);
      ma.push(meanAbs(groups.advantages));
    }
    fracZeroStd.push(fz);
    meanAbsAdvantage.push(ma);
    onRow?.(i + 1);
  });
  return { grid, fracZeroStd, meanAbsAdvantage, component };
}
