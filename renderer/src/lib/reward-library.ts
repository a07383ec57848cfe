/**
 * The Reward Lab's spec library: the presets and the project's saved specs as one
 * list, the specs A and B start from, and the curves the chart draws (A, B and the
 * specs chosen as overlays).
 */
import type { PresetSpec, SavedSpec } from '../../../shared/rpc/reward-methods.js';
import type { RewardSpec } from '../../../shared/reward/spec.js';
import { curvePoints, distanceOf, type AxisMode, type Curve } from './reward-curve.js';

export interface LibraryEntry {
  /** "preset:<name>" or "saved:<id>" (the overlays are kept by it). */
  key: string;
  name: string;
  builtin: boolean;
  id: number | null;
  spec: RewardSpec | null;
  description: string;
  /** Why a saved spec no longer parses. */
  error: string | null;
}

export function libraryEntries(presets: readonly PresetSpec[], saved: readonly SavedSpec[]): LibraryEntry[] {
  return [
    ...presets.map((p) => ({ key: `preset:${p.name}`, name: p.name, builtin: true, id: null, spec: p.spec, description: p.description, error: null })),
    ...saved.map((s) => ({ key: `saved:${s.id}`, name: s.name, builtin: false, id: s.id, spec: s.spec, description: '', error: s.error })),
  ];
}

/** What a fresh lab edits (A: Geo-R's paper reward) and compares with (B: Geo-R's released code). */
export function startingSpecs(presets: readonly PresetSpec[]): { a: PresetSpec | null; b: PresetSpec | null } {
  return { a: presets.find((p) => p.name === 'geo-r-paper') ?? presets[0] ?? null, b: presets.find((p) => p.name === 'geo-r-code') ?? null };
}

const OVERLAY_COLORS = ['#16a34a', '#9333ea', '#db2777', '#64748b', '#0d9488'];

/** The distance curves: A solid with its knots draggable, B and the overlays dashed. */
export function labCurves(
  a: RewardSpec,
  b: { spec: RewardSpec | null; label: string | null },
  overlays: readonly string[],
  library: readonly LibraryEntry[],
  axis: AxisMode,
): Curve[] {
  const out: Curve[] = [];
  const da = distanceOf(a);
  if (da) out.push({ label: `A: ${a.name ?? 'spec'}`, points: curvePoints(da.c, axis), color: '#0284c7', dashed: false, knots: da.c.knots_km.length });
  const db = distanceOf(b.spec);
  if (db) out.push({ label: `B: ${b.label ?? 'spec'}`, points: curvePoints(db.c, axis), color: '#f59e0b', dashed: true, knots: 0 });
  overlays.forEach((key, i) => {
    const e = library.find((l) => l.key === key);
    const d = distanceOf(e?.spec ?? null);
    if (e && d) out.push({ label: e.name, points: curvePoints(d.c, axis), color: OVERLAY_COLORS[i % OVERLAY_COLORS.length] as string, dashed: true, knots: 0 });
  });
  return out;
}
