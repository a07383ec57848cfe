import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { haversineKm } from '../../shared/geo/haversine.js';
import { accuracyReport } from '../../shared/metrics/accuracy.js';

interface Row {
  gt: { lat: number; lon: number };
  pred: { lat: number; lon: number } | null;
  km: number | null;
}
const v = JSON.parse(fs.readFileSync(new URL('../fixtures/vectors/metrics.json', import.meta.url), 'utf8')) as {
  thresholds_km: number[];
  rows: Row[];
  accuracy: Record<string, number>;
  median_km: number;
};

describe('accuracy (vectors/metrics.json)', () => {
  const kms = v.rows.map((r) => (r.pred ? haversineKm(r.gt.lat, r.gt.lon, r.pred.lat, r.pred.lon) : null));

  it('distances match the vector', () => {
    v.rows.forEach((r, i) => {
      if (r.km === null) expect(kms[i]).toBeNull();
      else expect(Math.abs((kms[i] as number) - r.km)).toBeLessThan(1e-5);
    });
  });

  it('accuracy over all rows, median over predicted rows', () => {
    const rep = accuracyReport(kms, v.thresholds_km);
    expect(rep.n).toBe(v.rows.length);
    expect(rep.predicted).toBe(v.rows.filter((r) => r.pred).length);
    for (const [t, a] of Object.entries(v.accuracy)) expect(rep.accuracy[t]).toBeCloseTo(a, 12);
    expect(Math.abs((rep.median_km as number) - v.median_km)).toBeLessThan(1e-5);
    const given = v.rows.filter((r) => r.km !== null).map((r) => r.km as number);
    expect(rep.mean_km).toBeCloseTo(given.reduce((a, b) => a + b, 0) / given.length, 4);
  });

  it('d <= t counts, even medians average, empty input is safe', () => {
    const rep = accuracyReport([1, 25, NaN, 3000]);
    expect(rep.accuracy['1']).toBe(0.25);
    expect(rep.accuracy['25']).toBe(0.5);
    expect(rep.accuracy['2500']).toBe(0.5);
    expect(rep.median_km).toBe(25);
    expect(accuracyReport([1, 3]).median_km).toBe(2);
    expect(accuracyReport([])).toEqual({
      n: 0,
      predicted: 0,
      accuracy: { '1': 0, '25': 0, '200': 0, '750': 0, '2500': 0 },
      median_km: null,
      mean_km: null,
    });
  });
});
