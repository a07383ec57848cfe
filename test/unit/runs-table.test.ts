import { describe, expect, it } from 'vitest';
import type { RunRow } from '../../shared/rpc/job-record.js';
import { curves, eta, filterRuns, metricColumns, settingColumns, sortRuns } from '../../renderer/src/lib/runs-table.js';

const row = (id: number, name: string, final: Record<string, number | null>, settings: Record<string, string>): RunRow => ({
  id,
  name,
  recipe: 'cor-policy',
  status: 'done',
  datasetName: 'places',
  createdAt: null,
  endedAt: null,
  step: 10,
  total: 10,
  imported: id === 3,
  final,
  settings,
  dataHash: null,
});

const rows = [
  row(1, 'baseline', { reward: 0.5, acc_city: 0.2 }, { 'config.lr': '0.0003', 'config.seed': '0' }),
  row(2, 'higher lr', { reward: 0.7 }, { 'config.lr': '0.001', 'config.seed': '1' }),
  row(3, 'server run', { reward: null, acc_city: 0.4 }, { 'config.lr': '0.00003', 'config.seed': '0' }),
];

describe('runs table', () => {
  it('sorts by a final metric or a numeric setting, empty cells last', () => {
    expect(sortRuns(rows, { kind: 'metric', name: 'reward' }, 'desc').map((r) => r.id)).toEqual([2, 1, 3]);
    expect(sortRuns(rows, { kind: 'metric', name: 'reward' }, 'asc').map((r) => r.id)).toEqual([1, 2, 3]);
    // Numeric, not text order: 0.00003 < 0.0003 < 0.001.
    expect(sortRuns(rows, { kind: 'setting', name: 'config.lr' }, 'asc').map((r) => r.id)).toEqual([3, 1, 2]);
    expect(sortRuns(rows, { kind: 'field', name: 'name' }, 'asc').map((r) => r.id)).toEqual([1, 2, 3]);
  });

  it('filters on every word against names, status and settings', () => {
    expect(filterRuns(rows, 'lr=0.001').map((r) => r.id)).toEqual([2]);
    expect(filterRuns(rows, 'seed=0 imported').map((r) => r.id)).toEqual([3]);
    expect(filterRuns(rows, '  ').map((r) => r.id)).toEqual([1, 2, 3]);
  });

  it('shows the metric and key setting columns the rows have', () => {
    expect(metricColumns(rows)).toEqual(['reward', 'acc_city']);
    expect(settingColumns(rows)).toEqual(['config.lr', 'config.seed']);
  });

  it('draws curves by step or by seconds since the first point', () => {
    const pts = [
      { step: 1, name: 'reward', value: 0.1, wallMs: 10_000 },
      { step: 2, name: 'reward', value: 0.2, wallMs: 12_000 },
      { step: 2, name: 'loss', value: 1, wallMs: null },
    ];
    expect(curves(pts, 'step').get('reward')).toEqual([{ x: 1, y: 0.1 }, { x: 2, y: 0.2 }]);
    expect(curves(pts, 'wall').get('reward')).toEqual([{ x: 0, y: 0.1 }, { x: 2, y: 0.2 }]);
    expect(curves(pts, 'wall').has('loss')).toBe(false);
  });

  it('estimates the time left from the step rate', () => {
    const pts = [1, 2, 3, 4, 5].map((s) => ({ step: s, name: 'loss', value: 1, wallMs: 1000 + s * 500 }));
    const e = eta(pts, 25, 5)!;
    expect(e.rate).toBeCloseTo(2);
    expect(e.secondsLeft).toBeCloseTo(10);
    expect(eta(pts, 5, 5)).toBeNull();
    expect(eta(pts.slice(0, 1), 25, 1)).toBeNull();
  });
});
