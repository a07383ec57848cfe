import { describe, it, expect, beforeAll } from 'vitest';
import { resourcesDir } from '../../electron/services/app-paths.js';
import { readGeodata, decodePolygons, encodePolygons, type PolygonData } from '../../electron/services/geo/geodata.js';
import { PolygonIndex } from '../../electron/services/geo/polygon-index.js';

/** Reference answer: ray casting over every ring of every polygon. */
function naiveFeatures(p: PolygonData, lon: number, lat: number): number[] {
  const found: number[] = [];
  for (let f = 0; f < p.featureRegion.length; f++) {
    let inside = false;
    for (let r = p.featureRingStart[f] ?? 0; r < (p.featureRingStart[f + 1] ?? 0); r++) {
      const s = p.ringPointStart[r] ?? 0;
      const e = p.ringPointStart[r + 1] ?? 0;
      for (let k = s, j = e - 1; k < e; j = k++) {
        const xi = p.coords[2 * k] ?? 0;
        const yi = p.coords[2 * k + 1] ?? 0;
        const xj = p.coords[2 * j] ?? 0;
        const yj = p.coords[2 * j + 1] ?? 0;
        if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
      }
    }
    if (inside) found.push(f);
  }
  return found;
}

describe('PolygonIndex', () => {
  let data: PolygonData;
  let index: PolygonIndex;
  beforeAll(() => {
    data = readGeodata(resourcesDir).polygons;
    index = new PolygonIndex(data);
  });

  it('agrees with a full ray-casting scan on random points', () => {
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const out = new Int32Array(8);
    let disagree = 0;
    const n = 400;
    for (let k = 0; k < n; k++) {
      // Half near land-rich latitudes in Europe, half anywhere.
      const lat = k % 2 ? 35 + 25 * rand() : -60 + 140 * rand();
      const lon = k % 2 ? -10 + 40 * rand() : -180 + 360 * rand();
      const got = Array.from(out.subarray(0, index.locate(lon, lat, out))).sort((a, b) => a - b);
      if (JSON.stringify(got) !== JSON.stringify(naiveFeatures(data, lon, lat))) disagree++;
    }
    expect(disagree).toBe(0);
  });

  it('measures distance to the nearest edge of another region', () => {
    // Geneva city centre: the French border is a few km away.
    const out = new Int32Array(8);
    expect(index.locate(6.1432, 46.2044, out)).toBe(1);
    const region = index.featureRegion[out[0] ?? 0] ?? -1;
    const hit = index.nearestEdge(6.1432, 46.2044, 50, region);
    expect(hit.km).toBeGreaterThan(1);
    expect(hit.km).toBeLessThan(8);
  });

  it('round-trips the polygon file format', () => {
    const buf = encodePolygons([3], [0, 1], [0, 4], [0, 0, 1, 0, 1, 1, 0, 0]);
    const p = decodePolygons(buf);
    expect(Array.from(p.featureRegion)).toEqual([3]);
    expect(Array.from(p.coords)).toEqual([0, 0, 1, 0, 1, 1, 0, 0]);
  });

});
