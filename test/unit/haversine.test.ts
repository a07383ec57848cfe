import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { haversineKm } from '../../shared/geo/haversine.js';

interface Case {
  name: string;
  a: { lat: number; lon: number };
  b: { lat: number; lon: number };
  km: number;
}
const vectors = JSON.parse(fs.readFileSync(new URL('../fixtures/vectors/haversine.json', import.meta.url), 'utf8')) as {
  tolerance_km: number;
  cases: Case[];
};

describe('haversineKm (vectors/haversine.json)', () => {
  it.each(vectors.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(Math.abs(haversineKm(c.a.lat, c.a.lon, c.b.lat, c.b.lon) - c.km)).toBeLessThanOrEqual(vectors.tolerance_km);
  });

  it('is symmetric and never NaN for antipodes', () => {
    expect(haversineKm(10, 20, -10, -160)).not.toBeNaN();
    expect(haversineKm(1, 2, 3, 4)).toBeCloseTo(haversineKm(3, 4, 1, 2), 12);
  });
});
