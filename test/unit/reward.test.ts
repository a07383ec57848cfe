import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { globeFormatOk, globeLabelScore, globeNameMatch, globeStrictFields } from '../../shared/reward/globe.js';
import { getPreset, presetNames, presets } from '../../shared/reward/presets.js';
import { pyRound } from '../../shared/reward/py-round.js';
import { distanceReward, scoreCompletion, scoreMany } from '../../shared/reward/score.js';
import { parseRewardSpec, type DistanceComponent } from '../../shared/reward/spec.js';

interface Case {
  preset: 'geo-r-paper' | 'geo-r-code';
  distance_km: number;
  format_ok: boolean;
  reward: number;
}
interface VectorPreset {
  knots_km: number[];
  values: number[];
  round?: number;
}
const vectors = JSON.parse(fs.readFileSync(new URL('../fixtures/vectors/reward.json', import.meta.url), 'utf8')) as {
  presets: Record<string, VectorPreset>;
  tolerance: number;
  cases: Case[];
};

describe('reward presets (vectors/reward.json)', () => {
  it.each(vectors.cases.map((c) => [`${c.preset} ${c.distance_km} km format=${c.format_ok}`, c] as const))('%s', (_n, c) => {
    const s = scoreCompletion(presets[c.preset], { km: c.distance_km, format_ok: c.format_ok });
    expect(Math.abs(s.reward - c.reward)).toBeLessThanOrEqual(vectors.tolerance);
  });

  it('the presets carry the vector knots, values and rounding', () => {
    for (const [name, p] of Object.entries(vectors.presets)) {
      const spec = getPreset(name);
      const d = spec?.components.find((c) => c.kind === 'distance') as DistanceComponent | undefined;
      expect(d?.knots_km).toEqual(p.knots_km);
      expect(d?.values).toEqual(p.values);
      expect(d?.round).toBe(p.round);
    }
  });

  it('scoreMany gives the same rewards as scoreCompletion', () => {
    for (const name of ['geo-r-paper', 'geo-r-code'] as const) {
      const cases = vectors.cases.filter((c) => c.preset === name);
      const km = Float64Array.from([...cases.map((c) => c.distance_km), NaN]);
      const formatOk = Uint8Array.from([...cases.map((c) => (c.format_ok ? 1 : 0)), 1]);
      const out = scoreMany(presets[name], { km, formatOk });
      cases.forEach((c, i) => expect(Math.abs((out[i] as number) - c.reward)).toBeLessThanOrEqual(vectors.tolerance));
      expect(out[cases.length]).toBe(0);
    }
  });

  it('scoreMany re-scores 1,000,000 completions quickly', () => {
    const n = 1_000_000;
    const km = new Float64Array(n);
    const formatOk = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      km[i] = (i * 7919) % 21000;
      formatOk[i] = i % 3 === 0 ? 0 : 1;
    }
    const t0 = performance.now();
    const out = scoreMany(presets['geo-r-code'], { km, formatOk });
    const ms = performance.now() - t0;
    expect(out.length).toBe(n);
    expect(ms).toBeLessThan(1000); // generous for CI; the benchmark target is 100 ms
  });

  it('all five presets exist', () => {
    expect(presetNames.sort()).toEqual(['geo-r-code', 'geo-r-paper', 'geo-r-released', 'globe', 'globe-lenient']);
  });
});

describe('distanceReward', () => {
  const c = { knots_km: [0, 750, 2500, 20000], values: [1, 0.5, 0.2, 0] };
  it('interpolates, holds the last value, and gives 0 without a coordinate', () => {
    expect(distanceReward(375, c)).toBe(0.75);
    expect(distanceReward(30000, c)).toBe(0);
    expect(distanceReward(30000, { knots_km: [0, 100], values: [1, 0.3] })).toBe(0.3);
    expect(distanceReward(null, c)).toBe(0);
    expect(distanceReward(NaN, c)).toBe(0);
  });
});

describe('pyRound (Python round semantics)', () => {
  it.each([
    [0.5, 0, 0],
    [1.5, 0, 2],
    [2.5, 0, 2],
    [-2.5, 0, -2],
    [0.125, 2, 0.12], // exact tie in binary: to even
    [0.375, 2, 0.38],
    [2.675, 2, 2.67], // 2.675 is really 2.67499999…
    [1.0005, 3, 1.0], // 1.0005 is really 1.000499999…
    [0.99966666666667, 4, 0.9997],
    [0.38333333333, 4, 0.3833],
    [0.5000006666, 4, 0.5],
    [1e-20, 4, 0],
    [5.25, 1, 5.2],
    [0.28125, 4, 0.2812],
    [0.284375, 5, 0.28437],
    [-0.28125, 4, -0.2812],
    [123.456, 12, 123.456],
  ])('round(%s, %s) = %s', (x, n, want) => {
    expect(pyRound(x, n)).toBe(want);
  });
});

describe('GLOBE label match', () => {
  it('matches names as released', () => {
    expect(globeNameMatch('Japan', 'japan')).toBe(true);
    expect(globeNameMatch('United States', 'United States of America')).toBe(false); // 13/24 < 0.7
    expect(globeNameMatch('New York City', 'New York')).toBe(false); // 8/13 < 0.7
    expect(globeNameMatch('Moscow', 'Moscow.')).toBe(true); // 6/7 ≥ 0.7
    expect(globeNameMatch('', '')).toBe(false);
  });
  it('scores 1 / 0.2 / 0', () => {
    expect(globeLabelScore('Japan', 'Tokyo', 'Japan', 'Tokyo')).toBe(1);
    expect(globeLabelScore('Japan', 'Osaka', 'Japan', 'Tokyo')).toBe(0.2);
    expect(globeLabelScore('China', 'Tokyo', 'Japan', 'Tokyo')).toBe(0);
    expect(globeLabelScore(null, null, 'Japan', 'Tokyo')).toBe(0);
  });
  it('the strict reading takes the first answer and lowercase labels only', () => {
    const t = '<think>x</think><answer>country: Japan\ncity: Tokyo</answer><answer>country: France</answer>';
    expect(globeStrictFields(t)).toEqual({ country: 'japan', city: 'tokyo' });
    expect(globeStrictFields('<answer>Country: Japan\nCity: Tokyo</answer>')).toEqual({ country: '', city: '' });
    expect(globeFormatOk(t)).toBe(true);
    expect(globeFormatOk('<answer>x</answer>')).toBe(false);
  });
  it('globe is strict, globe-lenient is not', () => {
    const text = '<think>Shrines.</think>\n<answer>Country: Japan\nCity: Tokyo</answer>';
    const input = { km: null, format_ok: false, country: 'Japan', city: 'Tokyo', text, truth: { country: 'Japan', city: 'Tokyo' } };
    expect(scoreCompletion(presets.globe, input)).toEqual({ reward: 1, components: { label_match: 0, format: 1 } });
    expect(scoreCompletion(presets['globe-lenient'], input)).toEqual({ reward: 2, components: { label_match: 1, format: 1 } });
  });
  it('strict components need the text', () => {
    expect(() => scoreCompletion(presets.globe, { km: null, format_ok: true })).toThrow(/text/);
  });
});

describe('parseRewardSpec', () => {
  const ok = {
    name: 'x',
    components: [{ kind: 'distance', knots_km: [0, 100], values: [1, 0] }, { kind: 'format' }],
    combine: 'product',
  };
  it('accepts a valid spec and defaults combine to product', () => {
    const { combine: _c, ...rest } = ok;
    expect(parseRewardSpec(rest).combine).toBe('product');
    expect(parseRewardSpec(ok).components).toHaveLength(2);
  });
  it.each([
    ['not an object', 42, /invalid reward spec/],
    ['no components', { combine: 'product' }, /components/],
    ['empty components', { components: [] }, /components: needs at least one/],
    ['unknown kind', { components: [{ kind: 'bogus' }] }, /components\[0\]/],
    ['knots not from 0', { components: [{ kind: 'distance', knots_km: [1, 100], values: [1, 0] }] }, /components\[0\]\.knots_km\[0\]: the first knot must be 0/],
    ['knots decreasing', { components: [{ kind: 'distance', knots_km: [0, 100, 50], values: [1, 0.5, 0] }] }, /knots_km\[2\]: knots must be strictly increasing/],
    ['values length', { components: [{ kind: 'distance', knots_km: [0, 100], values: [1] }] }, /components\[0\]\.values: must have one value per knot/],
    ['round not int', { components: [{ kind: 'distance', knots_km: [0, 100], values: [1, 0], round: 2.5 }] }, /components\[0\]\.round/],
    ['round too big', { components: [{ kind: 'distance', knots_km: [0, 100], values: [1, 0], round: 13 }] }, /components\[0\]\.round/],
    ['typo key', { components: [{ kind: 'distance', knots: [0, 100], values: [1, 0] }] }, /components\[0\]/],
    ['bad combine', { components: [{ kind: 'format' }], combine: 'max' }, /combine/],
    ['bad weight', { components: [{ kind: 'format', weight: 'a' }] }, /components\[0\]\.weight/],
    ['strict not boolean', { components: [{ kind: 'label_match', strict: 'yes' }] }, /components\[0\]\.strict/],
  ])('rejects %s', (_n, spec, msg) => {
    expect(() => parseRewardSpec(spec)).toThrow(msg);
  });
  it('weighted_sum uses weights', () => {
    const spec = parseRewardSpec({
      components: [
        { kind: 'distance', knots_km: [0, 100], values: [1, 0], weight: 2 },
        { kind: 'format', weight: 0.5 },
      ],
      combine: 'weighted_sum',
    });
    expect(scoreCompletion(spec, { km: 50, format_ok: true })).toEqual({ reward: 1.5, components: { distance: 0.5, format: 1 } });
    expect(scoreMany(spec, { km: Float64Array.of(50), formatOk: Uint8Array.of(1) })[0]).toBe(1.5);
  });
});
