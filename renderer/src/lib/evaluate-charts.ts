/**
 * Chart.js set-ups of the Evaluate view: the error CDF on a log km axis with the
 * published IM2GPS3K results as labelled reference points, and the comparison of runs.
 * Only the pieces used are registered (tree-shaken build).
 */
import {
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  ScatterController,
  Tooltip,
  type ChartConfiguration,
  type ChartDataset,
  type TooltipItem,
} from 'chart.js';
import { PUBLISHED_IM2GPS3K, PUBLISHED_THRESHOLDS_KM } from '../../../shared/metrics/published.js';
import type { RunComparison, RunEvaluation } from '../../../shared/rpc/evaluate-methods.js';

Chart.register(LineController, ScatterController, LineElement, PointElement, LinearScale, LogarithmicScale, Legend, Tooltip);

export { Chart };

export const RUN_COLORS = ['#0284c7', '#ea580c', '#7c3aed', '#16a34a', '#db2777', '#0891b2', '#ca8a04', '#4b5563', '#dc2626', '#2563eb', '#65a30d', '#9333ea'];
const REF_STYLES = ['triangle', 'rectRot', 'star', 'crossRot', 'rect', 'circle', 'cross'] as const;
const REF_COLORS = ['#b91c1c', '#1d4ed8', '#047857', '#a16207', '#6d28d9', '#be185d', '#374151'];

type XY = { x: number; y: number };

function kmTick(value: number | string): string {
  const v = Number(value);
  const log = Math.log10(v);
  if (Math.abs(log - Math.round(log)) > 1e-9 && ![25, 200, 750, 2500].includes(v)) return '';
  return v >= 1000 ? `${v / 1000}k` : String(v);
}

const axes = {
  x: {
    type: 'logarithmic' as const,
    min: 0.1,
    max: 20_100,
    title: { display: true, text: 'error (km, log scale)' },
    ticks: { callback: kmTick, autoSkip: false, maxRotation: 0 },
  },
  y: {
    type: 'linear' as const,
    min: 0,
    max: 100,
    title: { display: true, text: 'photos within the error (%)' },
  },
};

/** The published rows as reference points: one dataset per method, labelled with its source. */
export function publishedDatasets(): ChartDataset<'scatter', XY[]>[] {
  return PUBLISHED_IM2GPS3K.map((r, i) => ({
    type: 'scatter' as const,
    label: `${r.method} (published, IM2GPS3K)`,
    data: r.accuracyPct.flatMap((pctValue, k) => (pctValue === null ? [] : [{ x: PUBLISHED_THRESHOLDS_KM[k] as number, y: pctValue }])),
    pointStyle: REF_STYLES[i % REF_STYLES.length],
    pointRadius: 6,
    pointHoverRadius: 8,
    borderColor: REF_COLORS[i % REF_COLORS.length],
    backgroundColor: `${REF_COLORS[i % REF_COLORS.length]}55`,
    borderWidth: 1.5,
    showLine: false,
  }));
}

function curve(label: string, km: number[], share: number[], color: string): ChartDataset<'line', XY[]> {
  return {
    type: 'line' as const,
    label,
    data: km.map((x, i) => ({ x, y: 100 * (share[i] ?? 0) })),
    borderColor: color,
    backgroundColor: color,
    borderWidth: 2.5,
    pointRadius: 0,
    pointStyle: 'line',
    stepped: false,
    tension: 0,
  };
}

/** A tooltip line: "<label>: 12.34 % within 25 km". */
const withinLine = (label: string, p: XY): string => `${label}: ${p.y.toFixed(2)} % within ${p.x} km`;

const refTooltip = (datasetLabel: string, x: number, y: number): string[] => {
  const method = datasetLabel.replace(/ \(published, IM2GPS3K\)$/, '');
  const r = PUBLISHED_IM2GPS3K.find((p) => p.method === method);
  if (!r) return [withinLine(datasetLabel, { x, y })];
  return [`${r.method}: ${y.toFixed(2)} % within ${x} km (published)`, r.paper, `as printed in: ${r.source}`];
};

/** The options both CDF charts share: the log km axis, the legend at the right, and the given tooltip text. */
function cdfOptions(tooltipLabel: (item: TooltipItem<'line' | 'scatter'>) => string | string[]) {
  return {
    animation: false as const,
    responsive: true,
    maintainAspectRatio: false,
    parsing: false as const,
    scales: axes,
    plugins: {
      legend: { position: 'right' as const, labels: { usePointStyle: true, boxWidth: 8 } },
      tooltip: { callbacks: { label: tooltipLabel } },
    },
  };
}

export function cdfConfig(e: RunEvaluation, showPublished: boolean): ChartConfiguration<'line' | 'scatter', XY[]> {
  const datasets: ChartDataset<'line' | 'scatter', XY[]>[] = [curve(`${e.run.name} (this run)`, e.cdf.km, e.cdf.share, RUN_COLORS[0]!)];
  if (showPublished) datasets.push(...publishedDatasets());
  return {
    type: 'line',
    data: { datasets },
    options: cdfOptions((item) => {
      const p = item.raw as XY;
      if (item.dataset.type === 'scatter') return refTooltip(item.dataset.label ?? '', p.x, p.y);
      return withinLine(item.dataset.label ?? '', p);
    }),
  };
}

export function compareConfig(c: RunComparison): ChartConfiguration<'line', XY[]> {
  return {
    type: 'line',
    data: { datasets: c.runs.map((r, i) => curve(r.run.name, c.cdfKm, r.cdf, RUN_COLORS[i % RUN_COLORS.length]!)) },
    options: cdfOptions((item) => withinLine(item.dataset.label ?? '', item.raw as XY)),
  };
}
