import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { haversineKm } from '../../shared/geo/haversine.js';
import { accuracyReport } from '../../shared/metrics/accuracy.js';
import { groupStats, GroupIndex, medianOf, overallStats, selectKth, toAccuracyReport } from '../../shared/metrics/breakdown.js';
import { cdfAt, logGrid } from '../../shared/metrics/cdf.js';
import { sharedIds } from '../../shared/metrics/compare.js';
import { CONTINENT_OF, continentOf } from '../../shared/metrics/continents.js';
import { LabelGroups, NO_LABEL } from '../../shared/metrics/label-groups.js';
import type { AccuracyReport } from '../../shared/metrics/accuracy.js';
import { PUBLISHED_IM2GPS3K, PUBLISHED_THRESHOLDS_KM } from '../../shared/metrics/published.js';
import { selectSamples } from '../../shared/metrics/samples.js';
import { mulberry32 } from '../../shared/random.js';

const vectors = JSON.parse(fs.readFileSync(new URL('../fixtures/vectors/metrics.json', import.meta.url), 'utf8')) as {
  thresholds_km: number[];
  rows: { gt: { lat: number; lon: number }; pred: { lat: number; lon: number } | null }[];
  accuracy: Record<string, number>;
  median_km: number;
};

/** Equal reports; the mean only to rounding (it is summed in row order, not sorted order). */
function expectSameReport(a: AccuracyReport, b: AccuracyReport): void {
  expect({ ...a, mean_km: null }).toEqual({ ...b, mean_km: null });
  if (b.mean_km === null) expect(a.mean_km).toBeNull();
  else expect(a.mean_km).toBeCloseTo(b.mean_km, 8);
}

describe('typed-array metrics', () => {
  it('equal accuracyReport on the shared vectors (missing = miss, d ≤ t)', () => {
    const kms = vectors.rows.map((r) => (r.pred ? haversineKm(r.gt.lat, r.gt.lon, r.pred.lat, r.pred.lon) : null));
    const typed = Float64Array.from(kms, (d) => (d === null ? Number.NaN : d));
    const { stats } = overallStats(typed, vectors.thresholds_km);
    const rep = toAccuracyReport(stats, vectors.thresholds_km);
    expectSameReport(rep, accuracyReport(kms, vectors.thresholds_km));
    for (const [t, a] of Object.entries(vectors.accuracy)) expect(rep.accuracy[t]).toBeCloseTo(a, 12);
    expect(rep.median_km).toBeCloseTo(vectors.median_km, 6);
  });

  it('equal accuracyReport on random errors with ties at the thresholds', () => {
    const r = mulberry32(7);
    const kms = Array.from({ length: 5001 }, (_, i) => (i % 13 === 0 ? null : i % 17 === 0 ? 25 : r() * 5000));
    const typed = Float64Array.from(kms, (d) => (d === null ? Number.NaN : d));
    expectSameReport(toAccuracyReport(overallStats(typed).stats), accuracyReport(kms));
  });

  it('per group equals accuracyReport of that group alone', () => {
    const r = mulberry32(11);
    const n = 3000;
    const km = Float64Array.from({ length: n }, (_, i) => (i % 9 === 0 ? Number.NaN : r() * 3000));
    const group = Int32Array.from({ length: n }, () => Math.floor(r() * 4));
    const stats = groupStats(km, group, 5); // group 4 is empty
    for (let g = 0; g < 4; g++) {
      const mine = Array.from(km).filter((_, i) => group[i] === g).map((d) => (Number.isNaN(d) ? null : d));
      expectSameReport(toAccuracyReport(stats[g]!), accuracyReport(mine));
    }
    expect(stats[4]).toEqual({ n: 0, predicted: 0, hits: [0, 0, 0, 0, 0], medianKm: null, meanKm: null });
    expect(stats.reduce((s, x) => s + x.n, 0)).toBe(n);
  });

  it('selects the k-th value and the median as a sort would', () => {
    const r = mulberry32(3);
    for (const size of [1, 2, 3, 10, 101, 1000]) {
      const values = Float64Array.from({ length: size }, () => Math.floor(r() * 50)); // many ties
      const sorted = Float64Array.from(values).sort();
      for (const k of [0, size >> 1, size - 1]) expect(selectKth(Float64Array.from(values), 0, size, k)).toBe(sorted[k]);
      const h = size >> 1;
      const median = size % 2 ? sorted[h] : (sorted[h - 1]! + sorted[h]!) / 2;
      expect(medianOf(Float64Array.from(values), 0, size)).toBe(median);
    }
    expect(medianOf(new Float64Array(), 0, 0)).toBeNull();
  });

  it('refuses group indexes out of range and unordered thresholds', () => {
    expect(() => groupStats(new Float64Array([1]), new Int32Array([0]), 1, [25, 1])).toThrow(/ascending/);
    expect(() => groupStats(new Float64Array([1]), new Int32Array([3]), 2)).toThrow(/outside \[0, 2\)/);
  });

  it('interns group keys in first-seen order', () => {
    const g = new GroupIndex();
    expect([g.index('FR', 'France'), g.index('JP'), g.index('FR')]).toEqual([0, 1, 0]);
    expect(g.labels).toEqual(['France', 'JP']);
    expect(g.size).toBe(2);
  });
});

describe('CDF', () => {
  it('counts d ≤ x over all rows, so it tops out at predicted / n', () => {
    const sorted = Float64Array.from([0.5, 1, 1, 30, 800]);
    expect(cdfAt(sorted, 8, [0.1, 1, 25, 1000, 20000])).toEqual([0, 3 / 8, 3 / 8, 5 / 8, 5 / 8]);
    // Any order, and values beyond the grid never count.
    expect(cdfAt([800, 30, 1, 0.5, 1, 30000], 8, [0.1, 1, 25, 1000, 20000])).toEqual([0, 3 / 8, 3 / 8, 5 / 8, 5 / 8]);
    expect(cdfAt(new Float64Array(), 0, [1])).toEqual([0]);
  });

  it('has a log grid with the thresholds exactly on it', () => {
    const grid = logGrid(0.1, 20_100, 121, PUBLISHED_THRESHOLDS_KM);
    for (const t of PUBLISHED_THRESHOLDS_KM) expect(grid).toContain(t);
    expect(grid[0]).toBeCloseTo(0.1);
    expect(grid.at(-1)).toBeCloseTo(20_100);
    for (let i = 1; i < grid.length; i++) expect(grid[i]!).toBeGreaterThan(grid[i - 1]!);
    expect(() => logGrid(0, 10)).toThrow();
  });
});

describe('continents', () => {
  it('maps ISO alpha-2 codes as GeoNames does', () => {
    expect(continentOf('fr')).toBe('EU');
    expect(continentOf('RU')).toBe('EU');
    expect(continentOf('TR')).toBe('AS');
    expect(continentOf('JP')).toBe('AS');
    expect(continentOf('US')).toBe('NA');
    expect(continentOf('PA')).toBe('NA');
    expect(continentOf('BR')).toBe('SA');
    expect(continentOf('NZ')).toBe('OC');
    expect(continentOf('EG')).toBe('AF');
    expect(continentOf('AQ')).toBe('AN');
    expect(continentOf('ZZ')).toBeNull();
    expect(continentOf(null)).toBeNull();
  });

  it('assigns every country once (249 ISO codes and Kosovo)', () => {
    expect(CONTINENT_OF.size).toBe(250);
    for (const cc of CONTINENT_OF.keys()) expect(cc).toMatch(/^[A-Z]{2}$/);
  });
});

describe('label groups', () => {
  it('groups continent, country and region from one label, with readable labels', () => {
    const g = new LabelGroups();
    const fr = g.country('FR', 'France');
    const jp = g.country('JP', 'Japan');
    expect(g.country('FR', 'ignored')).toBe(fr);
    expect(g.countries.labels).toEqual(['France (FR)', 'Japan (JP)']);
    expect(g.continents.labels[g.continent(fr)]).toBe('Europe');
    expect(g.continents.labels[g.continent(jp)]).toBe('Asia');
    const idf = g.region(fr, 'Île-de-France');
    expect(g.region(fr, 'Île-de-France')).toBe(idf);
    expect(g.region(jp, 'Île-de-France')).not.toBe(idf); // same name, other country
    expect(g.regions.labels[idf]).toBe('Île-de-France · France (FR)');
    const none = g.country(null, null);
    expect(g.countries.labels[none]).toBe(NO_LABEL);
    expect(g.regions.labels[g.region(none, null)]).toBe(NO_LABEL);
    expect(g.continents.keys[g.continent(none)]).toBe('');
  });
});

describe('samples and comparison', () => {
  const rows = {
    image: Int32Array.from([0, 0, 0, 1, 1, 2]),
    km: Float64Array.from([500, 20, Number.NaN, Number.NaN, Number.NaN, 3]),
  };
  it('picks sample 0, the closest sample, or every sample', () => {
    expect(Array.from(selectSamples(rows, 'first'))).toEqual([0, 3, 5]);
    expect(Array.from(selectSamples(rows, 'best'))).toEqual([1, 3, 5]);
    expect(Array.from(selectSamples(rows, 'mean'))).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('keeps only ids every run has', () => {
    expect(sharedIds([[1, 2, 3, 4], [4, 3, 9], Int32Array.from([3, 4, 5])])).toEqual([3, 4]);
    expect(sharedIds([[1], [2]])).toEqual([]);
    expect(sharedIds([])).toEqual([]);
  });
});

describe('published IM2GPS3K table', () => {
  it("holds the seven rows of the Geo-R paper's IM2GPS3K table, each with its paper and source", () => {
    expect(PUBLISHED_IM2GPS3K.map((r) => r.method)).toEqual(['Geo-R', 'GeoCLIP', 'GLOBE', 'GeoDecoder', 'Geo-Ranker', 'G3', 'PIGEON']);
    const geoR = PUBLISHED_IM2GPS3K[0]!;
    expect(geoR.accuracyPct).toEqual([18.1, 41.53, 58.31, 75.33, 86.42]);
    expect(PUBLISHED_IM2GPS3K[2]!.accuracyPct).toEqual([null, 40.18, 56.19, 71.45, null]);
    for (const r of PUBLISHED_IM2GPS3K) {
      expect(r.accuracyPct).toHaveLength(5);
      expect(r.paper.length).toBeGreaterThan(10);
      expect(r.source).toMatch(/Geo-R paper/);
    }
  });

  // The project's notes sit beside the checkout on the build machine only.
  const notes = '/work/shared/reference.md';
  it.runIf(fs.existsSync(notes))('matches the table printed in reference.md', () => {
    const ref = fs.readFileSync(notes, 'utf8');
    for (const r of PUBLISHED_IM2GPS3K) {
      const cells = r.accuracyPct.map((v) => (v === null ? '–' : String(v)));
      const line = ref.split('\n').find((l) => l.startsWith(`| ${r.method} |`));
      expect(line, r.method).toBeDefined();
      const numbers = line!.split('|').slice(3, 8).map((c) => c.trim());
      expect(numbers.map((c) => (c === '–' ? '–' : String(Number(c))))).toEqual(cells);
    }
  });
});
