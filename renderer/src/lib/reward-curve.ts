/**
 * Geometry of the distance-curve editor, kept out of the component so it is testable:
 * the points a distance component draws, and how a dragged knot moves within its
 * neighbours.
 */
import type { DistanceComponent, RewardSpec } from '../../../shared/reward/spec.js';

export const MAX_KM = 20000;
/** The log axis cannot show 0 km: the first knot is drawn here. */
export const LOG_MIN_KM = 1;

export type AxisMode = 'linear' | 'zoom' | 'log';

/** One curve on the chart. */
export interface Curve {
  label: string;
  points: { x: number; y: number }[];
  color: string;
  dashed: boolean;
  /** How many leading points are knots that can be dragged (0: not editable). */
  knots: number;
}

export function axisRange(mode: AxisMode): { min: number; max: number } {
  if (mode === 'zoom') return { min: 0, max: 5000 };
  if (mode === 'log') return { min: LOG_MIN_KM, max: MAX_KM };
  return { min: 0, max: MAX_KM };
}

/** The first distance component of a spec, with its index. */
export function distanceOf(spec: RewardSpec | null): { index: number; c: DistanceComponent } | null {
  if (!spec) return null;
  const index = spec.components.findIndex((c) => c.kind === 'distance');
  const c = spec.components[index];
  return c?.kind === 'distance' ? { index, c } : null;
}

/** The curve's points: each knot, then the last value held out to MAX_KM. */
export function curvePoints(c: Pick<DistanceComponent, 'knots_km' | 'values'>, mode: AxisMode): { x: number; y: number }[] {
  const pts = c.knots_km.map((k, i) => ({ x: mode === 'log' ? Math.max(k, LOG_MIN_KM) : k, y: c.values[i] ?? 0 }));
  const last = c.knots_km[c.knots_km.length - 1] ?? 0;
  if (last < MAX_KM) pts.push({ x: MAX_KM, y: c.values[c.values.length - 1] ?? 0 });
  return pts;
}

/**
 * Where knot `i` lands when dragged to (km, value): the first knot stays at 0 km; the
 * others stay strictly between their neighbours (whole km). Values are kept in [0, 1]
 * and rounded to 3 decimals (the table accepts any number).
 */
export function dragKnot(c: Pick<DistanceComponent, 'knots_km' | 'values'>, i: number, km: number, value: number): { knots_km: number[]; values: number[] } {
  const knots = [...c.knots_km];
  const values = [...c.values];
  if (i < 0 || i >= knots.length) return { knots_km: knots, values };
  if (i > 0) {
    const lo = (knots[i - 1] as number) + 1;
    const hi = i + 1 < knots.length ? (knots[i + 1] as number) - 1 : MAX_KM * 5;
    knots[i] = Math.min(hi, Math.max(lo, Math.round(km)));
  }
  values[i] = Math.round(Math.min(1, Math.max(0, value)) * 1000) / 1000;
  return { knots_km: knots, values };
}
