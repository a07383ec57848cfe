/**
 * Geo-R's diversity-driven hard-sample selection: photos a model already localizes
 * well are "hotspots"; every sample within R km of a hotspot is dropped (hotspots
 * included), so GRPO trains on the long tail where rewards still vary. The paper
 * drops samples within 200 km of 100K hotspots of MP16 (MP16-Hard-200K).
 *
 * The hotspots go into a static k-d tree (kdbush) over (lon, lat). Each sample asks
 * one question: is any hotspot within R? The search box is the exact lon/lat extent
 * of the spherical cap of radius R (wider towards the poles, the whole longitude
 * range when the cap holds a pole, split in two across the antimeridian), and the
 * walk stops at the first hotspot whose haversine distance is ≤ R. Kept samples
 * (no hotspot near) touch only the few tree nodes their box overlaps.
 */
import KDBush from 'kdbush';
import { EARTH_RADIUS_KM, haversineKm } from '../../../shared/geo/haversine.js';

export interface Points {
  lat: Float64Array;
  lon: Float64Array;
}

const DEG = 180 / Math.PI;

/** keep[i] = 1 when sample i lies further than radiusKm from every hotspot. */
export function selectHard(samples: Points, hotspots: Points, radiusKm: number, onProgress?: (done: number) => void): Uint8Array {
  const n = samples.lat.length;
  const keep = new Uint8Array(n).fill(1);
  if (hotspots.lat.length === 0 || n === 0) return keep;
  const near = new NearIndex(hotspots);
  for (let i = 0; i < n; i++) {
    if (near.anyWithin(samples.lat[i] ?? 0, samples.lon[i] ?? 0, radiusKm)) keep[i] = 0;
    if (onProgress && (i & 0xffff) === 0xffff) onProgress(i + 1);
  }
  return keep;
}

export class NearIndex {
  private readonly index: KDBush;
  private readonly coords: Float64Array;
  private readonly stack = new Int32Array(3 * 128);

  constructor(points: Points) {
    const h = points.lat.length;
    this.index = new KDBush(h, 32, Float64Array);
    for (let j = 0; j < h; j++) this.index.add(points.lon[j] ?? 0, points.lat[j] ?? 0);
    this.index.finish();
    this.coords = this.index.coords as Float64Array;
  }

  anyWithin(lat: number, lon: number, radiusKm: number): boolean {
    const r = radiusKm / EARTH_RADIUS_KM; // angular radius, radians
    const minLat = lat - r * DEG;
    const maxLat = lat + r * DEG;
    const sinR = Math.sin(Math.min(r, Math.PI / 2));
    const cosLat = Math.cos(lat / DEG);
    if (minLat <= -90 || maxLat >= 90 || r >= Math.PI / 2 || sinR >= cosLat) {
      // The cap holds a pole (or is huge): every longitude.
      return this.box(-180, Math.max(-90, minLat), 180, Math.min(90, maxLat), lat, lon, radiusKm);
    }
    const dLon = Math.asin(sinR / cosLat) * DEG;
    const west = lon - dLon;
    const east = lon + dLon;
    if (west < -180) {
      return this.box(-180, minLat, east, maxLat, lat, lon, radiusKm) || this.box(west + 360, minLat, 180, maxLat, lat, lon, radiusKm);
    }
    if (east > 180) {
      return this.box(west, minLat, 180, maxLat, lat, lon, radiusKm) || this.box(-180, minLat, east - 360, maxLat, lat, lon, radiusKm);
    }
    return this.box(west, minLat, east, maxLat, lat, lon, radiusKm);
  }

  /** kdbush's range walk, stopping at the first point in the box within radiusKm. */
  private box(minX: number, minY: number, maxX: number, maxY: number, lat: number, lon: number, radiusKm: number): boolean {
    const { coords, stack } = this;
    const nodeSize = this.index.nodeSize;
    let top = 0;
    stack[top++] = 0;
    stack[top++] = this.index.numItems - 1;
    stack[top++] = 0;
    while (top > 0) {
      const axis = stack[--top] ?? 0;
      const right = stack[--top] ?? 0;
      const left = stack[--top] ?? 0;
      if (right - left <= nodeSize) {
        for (let i = left; i <= right; i++) {
          const x = coords[2 * i] ?? 0;
          const y = coords[2 * i + 1] ?? 0;
          if (x >= minX && x <= maxX && y >= minY && y <= maxY && haversineKm(lat, lon, y, x) <= radiusKm) return true;
        }
        continue;
      }
      const m = (left + right) >> 1;
      const x = coords[2 * m] ?? 0;
      const y = coords[2 * m + 1] ?? 0;
      if (x >= minX && x <= maxX && y >= minY && y <= maxY && haversineKm(lat, lon, y, x) <= radiusKm) return true;
      if (axis === 0 ? minX <= x : minY <= y) {
        stack[top++] = left;
        stack[top++] = m - 1;
        stack[top++] = 1 - axis;
      }
      if (axis === 0 ? maxX >= x : maxY >= y) {
        stack[top++] = m + 1;
        stack[top++] = right;
        stack[top++] = 1 - axis;
      }
    }
    return false;
  }
}
