/** How the completions view writes rates, distances, checks and run states. */
import type { CompletionFilter, CompletionRow, RunInfo } from '../../../shared/rpc/completions-methods.js';

/** As electron/services/completions/checks.ts CITY_COORD_INCONSISTENT_KM (the `inconsistent` filter). */
export const CITY_COORD_INCONSISTENT_KM = 50;

export function pct(rate: number | null): string {
  return rate === null ? '—' : `${(rate * 100).toFixed(1)}%`;
}

export function km(value: number | null): string {
  if (value === null) return '—';
  if (value < 10) return `${value.toFixed(2)} km`;
  return `${Math.round(value).toLocaleString('en-US')} km`;
}

/** ✓ right, ✗ wrong, — cannot tell (no truth, no prediction, unknown name). */
export function tick(value: boolean | null): string {
  return value === null ? '—' : value ? '✓' : '✗';
}

export type Consistency = 'consistent' | 'inconsistent' | 'unknown';

/** The chain against its own point: as the service's `inconsistent` filter decides it. */
export function consistency(row: CompletionRow): Consistency {
  if (row.coordInCountry === false || row.coordInRegion === false) return 'inconsistent';
  if (row.cityCoordKm !== null && row.cityCoordKm > CITY_COORD_INCONSISTENT_KM) return 'inconsistent';
  if (row.coordInCountry === null && row.coordInRegion === null && row.cityCoordKm === null) return 'unknown';
  return 'consistent';
}

/** Why a row is inconsistent, in words (for the tooltip and the detail). */
export function consistencyNotes(row: CompletionRow): string[] {
  const notes: string[] = [];
  if (row.coordInCountry === false) notes.push(`point lies in ${row.coordCountry ?? 'no country'}, not ${row.country ?? '?'}`);
  if (row.coordInRegion === false) notes.push(`point lies in ${row.coordRegion ?? 'no region'}, not ${row.region ?? '?'}`);
  if (row.cityCoordKm !== null && row.cityCoordKm > CITY_COORD_INCONSISTENT_KM) {
    notes.push(`point is ${km(row.cityCoordKm)} from ${row.city ?? 'the city'}`);
  }
  return notes;
}

/** Live runs that stopped before every photo had its samples can be continued. */
export function canResume(run: RunInfo): boolean {
  return run.kind === 'live' && (run.status === 'interrupted' || run.status === 'incomplete' || run.status === 'cancelled' || run.status === 'failed');
}

export type Toggle = 'formatFailed' | 'wrongCountry' | 'wrongRegion' | 'wrongCity' | 'inconsistent' | 'noCoordinates';

export const toggles: { key: Toggle; label: string; help: string }[] = [
  { key: 'formatFailed', label: 'Format failed', help: 'Not exactly one (lat, lon) in parentheses in the answer (Geo-R format reward 0)' },
  { key: 'wrongCountry', label: 'Wrong country', help: 'Predicted country differs from the truth label' },
  { key: 'wrongRegion', label: 'Wrong region', help: 'Predicted region differs from the truth label' },
  { key: 'wrongCity', label: 'Wrong city', help: 'Predicted city differs from the truth label' },
  {
    key: 'inconsistent',
    label: 'Chain inconsistent',
    help: `The predicted point lies outside the predicted country or region, or over ${CITY_COORD_INCONSISTENT_KM} km from the predicted city`,
  },
  { key: 'noCoordinates', label: 'No coordinates', help: 'No coordinate pair could be read' },
];

/** Distance bands to the truth (inclusive), as the accuracy thresholds cut them. */
export const bands: { id: string; label: string; min?: number; max?: number }[] = [
  { id: 'any', label: 'any distance' },
  { id: 'b1', label: '≤ 1 km', max: 1 },
  { id: 'b25', label: '1 – 25 km', min: 1, max: 25 },
  { id: 'b200', label: '25 – 200 km', min: 25, max: 200 },
  { id: 'b750', label: '200 – 750 km', min: 200, max: 750 },
  { id: 'b2500', label: '750 – 2,500 km', min: 750, max: 2500 },
  { id: 'far', label: '> 2,500 km', min: 2500 },
];

export function buildFilter(on: ReadonlySet<Toggle>, bandId: string): CompletionFilter {
  const filter: CompletionFilter = {};
  for (const t of on) filter[t] = true;
  const band = bands.find((b) => b.id === bandId);
  if (band?.min !== undefined) filter.kmMin = band.min;
  if (band?.max !== undefined) filter.kmMax = band.max;
  return filter;
}

/**
 * Map labels for sample points: samples at the same point (to 4 decimals, ~10 m)
 * share one label ("1, 2") so no number hides another. Keyed by the point.
 */
export function pointLabels(samples: readonly { sample: number; lat: number; lon: number }[]): Map<string, string> {
  const numbers = new Map<string, number[]>();
  for (const s of samples) {
    const key = pointKey(s.lat, s.lon);
    numbers.set(key, [...(numbers.get(key) ?? []), s.sample + 1]);
  }
  return new Map([...numbers].map(([key, list]) => [key, list.join(', ')]));
}

export function pointKey(lat: number, lon: number): string {
  return `${lat.toFixed(4)},${lon.toFixed(4)}`;
}
