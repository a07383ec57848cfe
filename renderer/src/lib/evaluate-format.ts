/** How the Evaluate view shows figures: percentages, distances, and the error colour scale. */

export function pct(rate: number | null | undefined, digits = 2): string {
  return rate === null || rate === undefined ? '–' : `${(100 * rate).toFixed(digits)} %`;
}

export function kmText(km: number | null | undefined): string {
  if (km === null || km === undefined) return '–';
  if (km < 10) return `${km.toFixed(2)} km`;
  if (km < 1000) return `${km.toFixed(1)} km`;
  return `${Math.round(km).toLocaleString('en-US')} km`;
}

/** Error bands of the map, at the accuracy thresholds (d ≤ t). */
export const ERROR_BANDS: readonly { maxKm: number; label: string; color: string }[] = [
  { maxKm: 1, label: '≤ 1 km (street)', color: '#065f46' },
  { maxKm: 25, label: '≤ 25 km (city)', color: '#16a34a' },
  { maxKm: 200, label: '≤ 200 km (region)', color: '#a3e635' },
  { maxKm: 750, label: '≤ 750 km (country)', color: '#facc15' },
  { maxKm: 2500, label: '≤ 2,500 km (continent)', color: '#f97316' },
  { maxKm: Infinity, label: '> 2,500 km', color: '#dc2626' },
];
export const NO_PREDICTION = { label: 'no prediction (a miss)', color: '#6b7280' };

export function errorColor(km: number | null): string {
  if (km === null) return NO_PREDICTION.color;
  return (ERROR_BANDS.find((b) => km <= b.maxKm) ?? ERROR_BANDS[ERROR_BANDS.length - 1]!).color;
}
