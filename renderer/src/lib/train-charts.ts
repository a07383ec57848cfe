/**
 * Chart.js set-up of the Train view: one small line chart per metric, x = step, with
 * an optional second job drawn beside it for comparison. Only the pieces used are
 * registered (tree-shaken build).
 */
import { Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip, type ChartConfiguration } from 'chart.js';
import type { MetricPoint } from '../../../shared/rpc/jobs-methods.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, Legend, Tooltip);

export { Chart };

export const JOB_COLORS = ['#0284c7', '#ea580c'] as const;

/** The order metrics are shown in: the TRL GRPO names first, then accuracy, then the rest. */
const ORDER = ['reward', 'reward_std', 'frac_reward_zero_std', 'kl', 'loss', 'sft_loss', 'acc_25km', 'acc_200km', 'acc_750km', 'acc_2500km', 'acc_city'];

export function metricOrder(names: Iterable<string>): string[] {
  const rank = (n: string): number => {
    const i = ORDER.indexOf(n);
    return i < 0 ? ORDER.length : i;
  };
  return [...new Set(names)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

export type Series = Map<string, { x: number; y: number }[]>;

/** Groups points by metric name, in step order. */
export function toSeries(points: readonly MetricPoint[], into: Series = new Map()): Series {
  for (const p of points) {
    if (p.value === null) continue;
    let s = into.get(p.name);
    if (!s) into.set(p.name, (s = []));
    const last = s.at(-1);
    if (last && last.x >= p.step) {
      // A resumed job logs steps again: keep one point per step.
      const i = s.findIndex((q) => q.x >= p.step);
      if (s[i]?.x === p.step) s[i] = { x: p.step, y: p.value };
      else s.splice(i, 0, { x: p.step, y: p.value });
    } else s.push({ x: p.step, y: p.value });
  }
  return into;
}

/** Short tick labels: 4 significant digits, exponent form for tiny or huge values. */
export function shortNumber(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a < 1e-3 || a >= 1e5 ? v.toExponential(1) : String(Number(v.toPrecision(4)));
}

export function metricChartConfig(name: string): ChartConfiguration<'line', { x: number; y: number }[]> {
  return {
    type: 'line',
    data: { datasets: [] },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      normalized: true,
      interaction: { mode: 'nearest', intersect: false },
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: (c) => `${c.dataset.label ?? ''}: ${Number(c.parsed.y).toPrecision(4)} @ step ${c.parsed.x}` } },
      },
      scales: {
        x: { type: 'linear', title: { display: true, text: 'step' }, ticks: { maxTicksLimit: 6 } },
        y: { type: 'linear', title: { display: false, text: name }, ticks: { maxTicksLimit: 5, callback: (v) => shortNumber(Number(v)) }, ...(name.startsWith('acc_') ? { min: 0, max: 1 } : {}) },
      },
      // Points only while a series is short (a job that just started shows its first values).
      elements: { point: { radius: (c) => ((c.dataset.data as unknown[]).length < 40 ? 2 : 0) }, line: { borderWidth: 1.5, tension: 0 } },
    },
  };
}
