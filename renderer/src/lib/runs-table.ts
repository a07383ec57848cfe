/**
 * The runs table and run comparison of the Train view: sorting and filtering the rows
 * of jobs.runs, the metric columns to show, and curves of several jobs on one axis,
 * by step or by wall time since each job's first logged point.
 */
import type { RunRow } from '../../../shared/rpc/job-record.js';
import type { MetricPoint } from '../../../shared/rpc/jobs-methods.js';
import { metricOrder, type Series } from './train-charts.js';

/** A column to sort by: a field of the row, a final metric, or a setting. */
export type SortKey = { kind: 'field'; name: 'id' | 'name' | 'status' | 'recipe' | 'datasetName' | 'endedAt' } | { kind: 'metric'; name: string } | { kind: 'setting'; name: string };

export const RUN_COLORS = ['#0284c7', '#ea580c', '#16a34a', '#9333ea', '#dc2626', '#0d9488', '#ca8a04', '#475569'] as const;

/** Settings worth a column of their own when present (the rest show in the comparison). */
export const KEY_SETTINGS = ['config.sftSteps', 'config.grpoSteps', 'config.lr', 'config.numGenerations', 'config.beta', 'config.seed', 'external.recipe', 'external.model'] as const;

function cell(row: RunRow, key: SortKey): string | number | null {
  if (key.kind === 'metric') return row.final[key.name] ?? null;
  if (key.kind === 'setting') {
    const v = row.settings[key.name];
    if (v === undefined) return null;
    const n = Number(v);
    return v.trim() !== '' && Number.isFinite(n) ? n : v;
  }
  return row[key.name] ?? null;
}

/** Sorted copy; empty cells last in both directions. */
export function sortRuns(rows: readonly RunRow[], key: SortKey, dir: 'asc' | 'desc'): RunRow[] {
  const sign = dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = cell(a, key);
    const y = cell(b, key);
    if (x === null || y === null) return x === y ? a.id - b.id : x === null ? 1 : -1;
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return c === 0 ? a.id - b.id : sign * c;
  });
}

/** Rows whose name, recipe, status, dataset or any setting contains every word of `text` (case-insensitive). */
export function filterRuns(rows: readonly RunRow[], text: string): RunRow[] {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...rows];
  return rows.filter((r) => {
    const hay = [r.name, r.recipe, r.status, r.datasetName ?? '', `#${r.id}`, r.imported ? 'imported' : '', ...Object.entries(r.settings).map(([k, v]) => `${k}=${v}`)]
      .join('\n')
      .toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

/** The final-metric columns of a set of rows, in the charts' order. */
export function metricColumns(rows: readonly RunRow[]): string[] {
  return metricOrder(rows.flatMap((r) => Object.keys(r.final)));
}

/** The key settings that at least one row has. */
export function settingColumns(rows: readonly RunRow[]): string[] {
  return KEY_SETTINGS.filter((k) => rows.some((r) => r.settings[k] !== undefined));
}

/**
 * A job's curves with x = step, or x = seconds since its first logged point (points
 * without a wall time are left out then).
 */
export function curves(points: readonly MetricPoint[], by: 'step' | 'wall'): Series {
  const out: Series = new Map();
  const start = by === 'wall' ? Math.min(...points.map((p) => p.wallMs ?? Infinity)) : 0;
  const seen = new Map<string, Map<number, number>>();
  for (const p of points) {
    if (p.value === null) continue;
    const x = by === 'step' ? p.step : p.wallMs === null || p.wallMs === undefined ? null : (p.wallMs - start) / 1000;
    if (x === null) continue;
    let m = seen.get(p.name);
    if (!m) seen.set(p.name, (m = new Map()));
    m.set(x, p.value);
  }
  for (const [name, m] of seen) out.set(name, [...m.entries()].sort((a, b) => a[0] - b[0]).map(([x, y]) => ({ x, y })));
  return out;
}

/** Steps per second over the last points logged, and the seconds left to `total` at that rate. */
export function eta(points: readonly MetricPoint[], total: number | null, step: number | null): { rate: number; secondsLeft: number } | null {
  if (total === null || step === null || step >= total) return null;
  const byStep = new Map<number, number>();
  for (const p of points) if (p.wallMs !== null && p.wallMs !== undefined && !p.name.startsWith('gpu/')) byStep.set(p.step, Math.max(byStep.get(p.step) ?? 0, p.wallMs));
  const steps = [...byStep.entries()].sort((a, b) => a[0] - b[0]).slice(-50);
  if (steps.length < 2) return null;
  const [s0, t0] = steps[0]!;
  const [s1, t1] = steps.at(-1)!;
  if (t1 <= t0 || s1 <= s0) return null;
  const rate = ((s1 - s0) * 1000) / (t1 - t0);
  return { rate, secondsLeft: (total - step) / rate };
}
