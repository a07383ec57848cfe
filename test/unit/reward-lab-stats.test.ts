/**
 * The Reward Lab's statistics module (the worker's pure functions): GRPO numbers as in
 * vectors/grpo_groups.json, rewards identical to scoreMany, component co-occurrence and
 * the conflict flag, slices by band and country, the knot sweep, and knot dragging.
 */
import { describe, expect, it } from 'vitest';
import { groupStatsColumnar } from '../../shared/grpo/group-stats.js';
import { presets, presetNames } from '../../shared/reward/presets.js';
import { scoreMany } from '../../shared/reward/score.js';
import { parseRewardSpec, type RewardSpec } from '../../shared/reward/spec.js';
import { curvePoints, dragKnot } from '../../renderer/src/lib/reward-curve.js';
import {
  BAND_LABELS,
  labelScores,
  labStats,
  rewardRange,
  rewardsOf,
  scoreColumns,
  sweep,
  sweepProblem,
  type LabColumns,
} from '../../renderer/src/lib/reward-stats.js';
import { readGrpoGroups } from '../helpers/vectors.js';

const v = readGrpoGroups();

/** Columns of n rows; `over` replaces any column. Groups from sizes. */
function columns(sizes: number[], over: Partial<LabColumns> = {}): LabColumns {
  const n = sizes.reduce((s, g) => s + g, 0);
  const offsets = new Int32Array(sizes.length + 1);
  sizes.forEach((g, k) => (offsets[k + 1] = (offsets[k] as number) + g));
  return {
    count: n,
    km: new Float64Array(n),
    formatOk: new Uint8Array(n).fill(1),
    globeFormatOk: new Uint8Array(n).fill(1),
    labelScore: new Float64Array(n),
    labelScoreStrict: new Float64Array(n),
    locKm: new Float64Array(n).fill(NaN),
    bboxFormatOk: new Uint8Array(n),
    offsets,
    band: new Uint8Array(n),
    country: new Int32Array(n).fill(-1),
    countries: [],
    ...over,
  };
}

/** A spec whose reward is the labelScore column itself: any reward vector can be fed in. */
const identity: RewardSpec = parseRewardSpec({ components: [{ kind: 'label_match' }], combine: 'weighted_sum' });

describe('lab statistics on the GRPO vectors', () => {
  const rewards = Float64Array.from(v.groups.flatMap((g) => g.rewards));
  const cols = columns(v.groups.map((g) => g.rewards.length), { labelScore: rewards });
  const s = labStats(identity, cols);
  const close = (a: number, b: number): void => expect(Math.abs(a - b)).toBeLessThanOrEqual(v.tolerance);

  it('gives the run-level numbers TRL logs', () => {
    expect(s.run.groups).toBe(v.groups.length);
    expect(s.run.completions).toBe(rewards.length);
    close(s.run.mean_reward, v.mean_reward);
    close(s.run.reward_std, v.reward_std);
    close(s.run.frac_reward_zero_std, v.frac_reward_zero_std);
  });

  it('gives mean |advantage| and histograms over every completion', () => {
    const adv = v.groups.flatMap((g) => g.advantages);
    close(s.run.meanAbsAdvantage, adv.reduce((a, x) => a + Math.abs(x), 0) / adv.length);
    expect(s.advantageHist.counts.reduce((a, c) => a + c, 0)).toBe(rewards.length);
    expect(s.rewardHist.counts.reduce((a, c) => a + c, 0)).toBe(rewards.length);
    // zero-std groups put their advantages (0) in the middle bin of ±3 in 24 bins
    const zeros = v.groups.filter((g) => g.zero_std).reduce((a, g) => a + g.rewards.length, 0);
    expect(s.advantageHist.counts[12]).toBeGreaterThanOrEqual(zeros);
  });

  it('counts completions of zero-std groups per band', () => {
    const band = new Uint8Array(rewards.length).fill(5); // all "no coordinate"
    const t = labStats(identity, { ...cols, band });
    const zeroShare = v.groups.filter((g) => g.zero_std).reduce((a, g) => a + g.rewards.length, 0) / rewards.length;
    expect(t.bands[5]).toMatchObject({ label: BAND_LABELS[5], completions: rewards.length });
    close(t.bands[5]?.fracInZeroStdGroup ?? NaN, zeroShare);
    close(t.bands[5]?.meanReward ?? NaN, v.mean_reward);
    expect(t.bands[0]?.completions).toBe(0);
    expect(Number.isNaN(t.bands[0]?.meanReward)).toBe(true);
  });
});

describe('rewards', () => {
  it('are exactly what scoreMany gives, for every preset and a weighted sum', () => {
    const n = 500;
    let seed = 1;
    const rand = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const cols = columns(Array(n / 5).fill(5), {
      km: Float64Array.from({ length: n }, (_, i) => (i % 17 === 0 ? NaN : rand() * 20000)),
      formatOk: Uint8Array.from({ length: n }, () => (rand() < 0.7 ? 1 : 0)),
      globeFormatOk: Uint8Array.from({ length: n }, () => (rand() < 0.5 ? 1 : 0)),
      labelScore: labelScores(Uint8Array.from({ length: n }, () => (rand() < 0.6 ? 1 : 0)), Uint8Array.from({ length: n }, () => (rand() < 0.4 ? 1 : 0))),
      labelScoreStrict: labelScores(Uint8Array.from({ length: n }, () => (rand() < 0.3 ? 1 : 0)), Uint8Array.from({ length: n }, () => (rand() < 0.3 ? 1 : 0))),
      locKm: Float64Array.from({ length: n }, () => (rand() < 0.4 ? rand() * 20500 : NaN)),
      bboxFormatOk: Uint8Array.from({ length: n }, () => (rand() < 0.3 ? 1 : 0)),
    });
    const weighted = parseRewardSpec({
      components: [{ kind: 'distance', knots_km: [0, 300, 4000], values: [1, 0.3, 0], round: 2, weight: 0.7 }, { kind: 'format', weight: 0.3 }, { kind: 'label_match', weight: 0.5 }],
      combine: 'weighted_sum',
    });
    for (const spec of [...presetNames.map((p) => presets[p]), weighted]) {
      const expected = scoreMany(spec, scoreColumns(cols));
      // twice: the second call is served from the component cache
      for (let k = 0; k < 2; k++) expect(Array.from(rewardsOf(spec, cols).rewards)).toEqual(Array.from(expected));
      const g = groupStatsColumnar(expected, cols.offsets);
      expect(labStats(spec, cols).run.frac_reward_zero_std).toBe(g.frac_reward_zero_std);
    }
  });

  it('keeps the reward histogram range from the spec', () => {
    expect(rewardRange(presets['geo-r-paper'])).toEqual([0, 1]);
    expect(rewardRange(presets.globe)).toEqual([0, 2]);
    expect(rewardRange(parseRewardSpec({ components: [{ kind: 'format', weight: -1 }], combine: 'weighted_sum' }))).toEqual([-1, 1]);
  });
});

describe('components', () => {
  it('flags a format reward that never agrees with the accuracy reward', () => {
    // As Geo-R released: the format reward is 1 exactly where the accuracy reward is 0.
    const n = 40;
    const km = Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 100 : NaN));
    const formatOk = Uint8Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 0 : 1));
    const s = labStats(presets['geo-r-paper'], columns(Array(10).fill(4), { km, formatOk }));
    expect(s.components.map((c) => [c.name, c.nonZeroRate])).toEqual([
      ['distance', 0.5],
      ['format', 0.5],
    ]);
    expect(s.cooccurrence).toEqual([
      [0.5, 0],
      [0, 0.5],
    ]);
    expect(s.conflicts).toEqual([{ a: 'distance', b: 'format', pa: 0.5, pb: 0.5, pBoth: 0 }]);
    expect(s.run.mean_reward).toBe(0);
    expect(s.run.frac_reward_zero_std).toBe(1);
  });

  it('does not flag components that agree', () => {
    const s = labStats(presets['geo-r-paper'], columns([4, 4], { km: Float64Array.from([1, 2, 3000, 30000, 5, 6, 7, 8]) }));
    expect(s.conflicts).toEqual([]);
    expect(s.cooccurrence[0]?.[1]).toBe(7 / 8);
  });
});

describe('slices', () => {
  it('groups completions by band and by the top countries', () => {
    const cols = columns([2, 2, 2], {
      labelScore: Float64Array.from([1, 0, 1, 1, 0.2, 0]),
      band: Uint8Array.from([0, 4, 0, 0, 2, 5]),
      country: Int32Array.from([0, 0, 1, 1, 2, 2]),
      countries: ['France', 'Japan', 'Peru'],
    });
    const s = labStats(identity, cols, { topCountries: 2 });
    expect(s.countries.map((c) => [c.label, c.completions, c.meanReward, c.fracInZeroStdGroup])).toEqual([
      ['France', 2, 0.5, 0],
      ['Japan', 2, 1, 1],
    ]);
    expect(s.bands[0]).toMatchObject({ completions: 3, meanReward: 1, nonZeroRate: 1 });
    expect(s.bands[0]?.fracInZeroStdGroup).toBeCloseTo(2 / 3);
    expect(s.bands[4]).toMatchObject({ completions: 1, meanReward: 0, nonZeroRate: 0 });
  });
});

describe('knot sweep', () => {
  it('maps frac_reward_zero_std and mean |advantage| over the grid, NaN where knots would not increase', () => {
    const km = Float64Array.from([50, 400, 900, 1200, 2000, 2600, 5000, 9000]);
    const cols = columns([4, 4], { km });
    const grid = { first: [300, 1000], second: [800, 3000] };
    const r = sweep(presets['geo-r-paper'], cols, grid);
    expect(Number.isNaN(r.fracZeroStd[1]?.[0])).toBe(true); // 1000 then 800
    const spec = parseRewardSpec({ components: [{ kind: 'distance', knots_km: [0, 300, 3000, 20000], values: [1, 0.5, 0.2, 0] }, { kind: 'format' }] });
    const s = labStats(spec, cols);
    expect(r.fracZeroStd[0]?.[1]).toBe(s.run.frac_reward_zero_std);
    expect(r.meanAbsAdvantage[0]?.[1]).toBeCloseTo(s.run.meanAbsAdvantage, 12);
  });

  it('says why a spec cannot be swept', () => {
    expect(sweepProblem(presets.globe)).toMatch(/no distance component/);
    expect(sweepProblem(parseRewardSpec({ components: [{ kind: 'distance', knots_km: [0, 100], values: [1, 0] }] }))).toMatch(/at least 3 knots/);
    expect(sweepProblem(presets['geo-r-code'])).toBeNull();
  });
});

describe('dragging a knot', () => {
  const c = { knots_km: [0, 750, 2500, 20000], values: [1, 0.5, 0.2, 0] };
  it('keeps the first knot at 0 and the others between their neighbours', () => {
    expect(dragKnot(c, 0, 400, 0.9)).toEqual({ knots_km: [0, 750, 2500, 20000], values: [0.9, 0.5, 0.2, 0] });
    expect(dragKnot(c, 1, 3000.4, 0.61234)).toEqual({ knots_km: [0, 2499, 2500, 20000], values: [1, 0.612, 0.2, 0] });
    expect(dragKnot(c, 2, -50, 1.7).knots_km[2]).toBe(751);
    expect(dragKnot(c, 2, -50, 1.7).values[2]).toBe(1);
  });
  it('draws the last value out to 20,000 km', () => {
    expect(curvePoints({ knots_km: [0, 100], values: [1, 0.1] }, 'linear')).toEqual([
      { x: 0, y: 1 },
      { x: 100, y: 0.1 },
      { x: 20000, y: 0.1 },
    ]);
    expect(curvePoints(c, 'log')[0]).toEqual({ x: 1, y: 1 });
  });
});

describe('component cache', () => {
  it('stays right for a spec with more components than cache entries', () => {
    const n = 64;
    const cols = columns(Array(16).fill(4), { km: Float64Array.from({ length: n }, (_, i) => i * 150) });
    const spec = parseRewardSpec({
      components: Array.from({ length: 11 }, (_, k) => ({ kind: 'distance', knots_km: [0, 500 + 300 * k, 9000], values: [1, 0.5, 0], weight: k + 1 })),
      combine: 'weighted_sum',
    });
    const expected = Array.from(scoreMany(spec, scoreColumns(cols)));
    for (let k = 0; k < 3; k++) expect(Array.from(rewardsOf(spec, cols).rewards)).toEqual(expected);
  });
});
