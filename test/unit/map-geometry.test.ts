import { describe, expect, it } from 'vitest';
import { boundsOf, clusterLabel } from '../../renderer/src/lib/map-geometry.js';

describe('fitting the map to a dataset', () => {
  it('boxes every point', () => {
    const lon = new Float32Array([2.35, 139.69, -74]);
    const lat = new Float32Array([48.85, 35.69, 40.71]);
    const box = boundsOf(lon, lat)!;
    expect(box[0]).toBeCloseTo(35.69, 4);
    expect(box[1]).toBeCloseTo(-74, 4);
    expect(box[2]).toBeCloseTo(48.85, 4);
    expect(box[3]).toBeCloseTo(139.69, 4);
  });

  it('widens a single spot so the map does not zoom in without end, and stays on the globe', () => {
    expect(boundsOf([10, 10], [20, 20])).toEqual([19.95, 9.95, 20.05, 10.05]);
    expect(boundsOf([180], [90])).toEqual([89.95, 179.95, 90, 180]);
  });

  it('skips points that are not numbers, and has no box without points', () => {
    expect(boundsOf([Number.NaN, 5], [1, 6])).toEqual([5.95, 4.95, 6.05, 5.05]);
    expect(boundsOf([], [])).toBeNull();
    expect(boundsOf([Number.NaN], [Number.NaN])).toBeNull();
  });
});

describe('cluster counts', () => {
  it('fit in 4 characters and never round up past the true count', () => {
    expect([2, 999, 1000, 1299, 9999, 10_000, 123_456, 999_999, 1_000_000, 1_560_000, 4_700_000, 12_000_000].map(clusterLabel)).toEqual([
      '2',
      '999',
      '1k',
      '1.2k',
      '9.9k',
      '10k',
      '123k',
      '999k',
      '1M',
      '1.5M',
      '4.7M',
      '12M',
    ]);
  });
});
