/** Mean Earth radius used by GeoEstimation, Geo-R and the accuracy tables (km). */
export const EARTH_RADIUS_KM = 6371;

const RAD = Math.PI / 180;

/**
 * Great-circle distance in km by the haversine formula, R = 6371 km. `a` is clamped to
 * [0, 1] because rounding can push it just past 1 for antipodal points, and asin of
 * anything above 1 is NaN.
 */
export function haversineKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = (lat2 - lat1) * RAD;
  const dLon = (lon2 - lon1) * RAD;
  const s1 = Math.sin(dLat / 2);
  const s2 = Math.sin(dLon / 2);
  let a = s1 * s1 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * s2 * s2;
  if (a < 0) a = 0;
  else if (a > 1) a = 1;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.sqrt(a));
}
