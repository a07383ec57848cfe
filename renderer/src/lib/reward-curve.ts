/**
 * Geometry of the distance-curve editor, kept out of the component so it is testable:
 * the points a distance component draws, and how a dragged knot moves within its
 * neighbours.
 */
import type { DistanceComponent, RewardSpec } from '../../../shared/reward/spec.js';

export const MAX_KM = 20000;
/** The log axis cannot show 0 km: the first knot is drawn here. */
export const LOG_MIN_KM = 1;

/**
 * `knots`: 0 km to 1.3 × the largest knot below MAX_KM (where the curve's shape is);
 * `linear`: the whole 0–20,000 km; `zoom`: 0–5,000 km; `log`: 1–20,000 km, logarithmic.
 */
export type AxisMode = 'knots' | 'linear' | 'zoom' | 'log';

/** How far past the largest inner knot the `knots` axis reaches. */
export const KNOT_AXIS_MARGIN = 1.3;
/** Snap steps for dragged knots, km: the finest one still coarser than a pixel is used. */
export const SNAP_STEPS_KM = [1, 5, 10, 25, 50, 100, 250, 500, 1000] as const;
/** Rewards snap to this step when dragged and move by it per arrow key. */
export const VALUE_STEP = 0.01;

/** One curve on the chart. */
export interface Curve {
  label: string;
  points: { x: number; y: number }[];
  color: string;
  dashed: boolean;
  /** How many leading points are knots that can be dragged (0: not editable). */
  knots: number;
}

/**
 * The km range the axis shows. The `knots` axis needs the editable curve's knots; it
 * reaches 1.3 × the largest knot below MAX_KM, rounded up to a round number (100 km
 * below 2,000 km, else 500 km), or the whole range when there is no such knot.
 */
export function axisRange(mode: AxisMode, knotsKm: readonly number[] = []): { min: number; max: number } {
  if (mode === 'zoom') return { min: 0, max: 5000 };
  if (mode === 'log') return { min: LOG_MIN_KM, max: MAX_KM };
  if (mode === 'knots') {
    const inner = knotsKm.filter((k) => k > 0 && k < MAX_KM);
    if (inner.length === 0) return { min: 0, max: MAX_KM };
    const reach = Math.max(...inner) * KNOT_AXIS_MARGIN;
    const round = reach < 2000 ? 100 : 500;
    return { min: 0, max: Math.min(MAX_KM, Math.ceil(reach / round) * round) };
  }
  return { min: 0, max: MAX_KM };
}

/** The plot area's horizontal extent in CSS pixels. */
export interface PlotArea {
  left: number;
  right: number;
}

/** Km at pixel `px` of a plot area showing `range` (linear, or logarithmic for `log`). */
export function pixelToKm(px: number, range: { min: number; max: number }, area: PlotArea, mode: AxisMode): number {
  const t = (px - area.left) / Math.max(1, area.right - area.left);
  if (mode === 'log') return range.min * Math.pow(range.max / range.min, t);
  return range.min + t * (range.max - range.min);
}

/** Pixel of `km` on the same axis (the inverse of pixelToKm). */
export function kmToPixel(km: number, range: { min: number; max: number }, area: PlotArea, mode: AxisMode): number {
  const t = mode === 'log' ? Math.log(Math.max(km, range.min) / range.min) / Math.log(range.max / range.min) : (km - range.min) / (range.max - range.min);
  return area.left + t * (area.right - area.left);
}

/**
 * The snap step at `km` on this axis: the finest step no smaller than what one pixel
 * spans there, so a one-pixel move never skips a step and a knot lands on round km.
 */
export function snapStepKm(km: number, range: { min: number; max: number }, area: PlotArea, mode: AxisMode): number {
  const px = kmToPixel(km, range, area, mode);
  const span = Math.abs(pixelToKm(px + 1, range, area, mode) - pixelToKm(px, range, area, mode));
  return SNAP_STEPS_KM.find((s) => s >= span) ?? SNAP_STEPS_KM[SNAP_STEPS_KM.length - 1]!;
}

/** `x` rounded to the nearest multiple of `step` (clean decimals for fractional steps). */
export function snapTo(x: number, step: number): number {
  const snapped = Math.round(x / step) * step;
  return Number(snapped.toFixed(Math.max(0, -Math.floor(Math.log10(step)))));
}

export type NudgeKey = 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown';

/**
 * Where an arrow key moves a knot: ←/→ by `stepKm` (× 10 with Shift) onto the step's
 * grid, ↑/↓ the reward by 0.01 (0.1 with Shift). dragKnot then keeps it between its
 * neighbours and in [0, 1].
 */
export function nudgeKnot(km: number, value: number, key: NudgeKey, shift: boolean, stepKm: number): { km: number; value: number } {
  const kmStep = stepKm * (shift ? 10 : 1);
  const valueStep = VALUE_STEP * (shift ? 10 : 1);
  switch (key) {
    case 'ArrowRight':
      return { km: snapTo(km, kmStep) + kmStep * (snapTo(km, kmStep) > km ? 0 : 1), value };
    case 'ArrowLeft':
      return { km: snapTo(km, kmStep) - kmStep * (snapTo(km, kmStep) < km ? 0 : 1), value };
    case 'ArrowUp':
      return { km, value: snapTo(value + valueStep, VALUE_STEP) };
    case 'ArrowDown':
      return { km, value: snapTo(value - valueStep, VALUE_STEP) };
  }
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
