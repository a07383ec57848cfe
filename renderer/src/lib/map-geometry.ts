/**
 * Pure geometry of the map views: the box that holds a dataset's points (to fit the
 * map to it) and the short count a cluster shows.
 */

/** [south, west, north, east] in degrees. */
export type Box = [number, number, number, number];

/** Smallest half-size of a fitted box, degrees (one point, or points on one spot). */
const MIN_HALF_DEG = 0.05;

/**
 * The box around every finite point (lon/lat arrays as the points buffer holds them),
 * widened to at least ±0.05° around a single spot; null when there is no point.
 */
export function boundsOf(lon: ArrayLike<number>, lat: ArrayLike<number>): Box | null {
  let s = Infinity;
  let w = Infinity;
  let n = -Infinity;
  let e = -Infinity;
  for (let i = 0; i < lon.length; i++) {
    const x = lon[i]!;
    const y = lat[i]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    if (y < s) s = y;
    if (y > n) n = y;
    if (x < w) w = x;
    if (x > e) e = x;
  }
  if (s === Infinity) return null;
  const widen = (lo: number, hi: number, limit: number): [number, number] => {
    const mid = (lo + hi) / 2;
    const half = Math.max((hi - lo) / 2, MIN_HALF_DEG);
    return [Math.max(-limit, mid - half), Math.min(limit, mid + half)];
  };
  const [s2, n2] = widen(s, n, 90);
  const [w2, e2] = widen(w, e, 180);
  return [s2, w2, n2, e2];
}

/** A cluster's count in at most 4 characters: 7, 999, 1.2k, 12k, 1.5M. */
export function clusterLabel(n: number): string {
  if (n < 1000) return String(n);
  if (n < 10_000) return `${(Math.floor(n / 100) / 10).toString()}k`;
  if (n < 1_000_000) return `${Math.floor(n / 1000)}k`;
  if (n < 10_000_000) return `${(Math.floor(n / 100_000) / 10).toString()}M`;
  return `${Math.floor(n / 1_000_000)}M`;
}
