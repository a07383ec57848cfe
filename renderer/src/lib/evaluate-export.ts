/**
 * Report export for the Evaluate view: CSV and JSON of every figure, PNG of the
 * charts. Files are handed to the browser as Blob URLs through an <a download>, so
 * the same code works in Electron and in the served UI.
 */
import type { BreakdownRow, Metrics, RunComparison, RunEvaluation } from '../../../shared/rpc/evaluate-methods.js';
import { PUBLISHED_IM2GPS3K, PUBLISHED_THRESHOLDS_KM } from '../../../shared/metrics/published.js';

type Cell = string | number | null | undefined;

/**
 * One CSV cell (RFC 4180 quoting). Text that a spreadsheet would run as a formula
 * (=, +, -, @ first) gets a leading apostrophe; numbers are written as numbers.
 */
export function csvCell(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const s = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: string[], rows: Cell[][]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

/** A file name fragment from free text (run names). */
export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'run';
}

export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  // Give the download a moment to start before the URL goes.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function downloadText(text: string, fileName: string, type: string): void {
  downloadBlob(new Blob([text], { type }), fileName);
}

export function downloadJson(value: unknown, fileName: string): void {
  downloadText(`${JSON.stringify(value, null, 2)}\n`, fileName, 'application/json');
}

export function downloadCsv(header: string[], rows: Cell[][], fileName: string): void {
  downloadText(toCsv(header, rows), fileName, 'text/csv');
}

/** A chart's canvas as PNG, on a white background (a transparent PNG reads badly in papers). */
export function downloadCanvasPng(canvas: HTMLCanvasElement, fileName: string): Promise<void> {
  const copy = document.createElement('canvas');
  copy.width = canvas.width;
  copy.height = canvas.height;
  const ctx = copy.getContext('2d');
  if (!ctx) return Promise.reject(new Error('no 2D canvas context'));
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, copy.width, copy.height);
  ctx.drawImage(canvas, 0, 0);
  return new Promise((resolve, reject) => {
    copy.toBlob((blob) => {
      if (!blob) reject(new Error('the chart could not be encoded as PNG'));
      else {
        downloadBlob(blob, fileName);
        resolve();
      }
    }, 'image/png');
  });
}

const accHeader = (thresholds: readonly number[]): string[] => thresholds.map((t) => `acc_${t}km`);

/** The overall table of a run (one row) with its convention. */
export function metricsCsv(e: RunEvaluation): { header: string[]; rows: Cell[][] } {
  const m = e.overall;
  return {
    header: ['run_id', 'run', 'dataset', 'samples', 'scope', 'n', 'predicted', ...accHeader(e.thresholdsKm), 'median_km', 'mean_km', 'country_acc', 'region_acc', 'city_acc'],
    rows: [
      [
        e.run.id,
        e.run.name,
        e.run.datasetName,
        e.mode,
        e.scope,
        m.n,
        m.predicted,
        ...m.accuracy.map((a) => a.rate),
        m.medianKm,
        m.meanKm,
        e.chain?.country.rate,
        e.chain?.region.rate,
        e.chain?.city.rate,
      ],
    ],
  };
}

export function breakdownCsv(level: string, rows: BreakdownRow[], thresholds: readonly number[]): { header: string[]; rows: Cell[][] } {
  return {
    header: [level, 'key', 'n', 'predicted', ...accHeader(thresholds), 'median_km', 'mean_km'],
    rows: rows.map((r) => [r.label, r.key, r.n, r.predicted, ...r.accuracy, r.medianKm, r.meanKm]),
  };
}

export function cdfCsv(e: RunEvaluation): { header: string[]; rows: Cell[][] } {
  return { header: ['km', 'share_within'], rows: e.cdf.km.map((k, i) => [k, e.cdf.share[i]]) };
}

export function publishedCsv(): { header: string[]; rows: Cell[][] } {
  return {
    header: ['method', 'type', 'dataset', ...PUBLISHED_THRESHOLDS_KM.map((t) => `acc_${t}km_pct`), 'paper', 'source'],
    rows: PUBLISHED_IM2GPS3K.map((r) => [r.method, r.type, r.dataset, ...r.accuracyPct, r.paper, r.source]),
  };
}

export function compareCsv(c: RunComparison): { header: string[]; rows: Cell[][] } {
  return {
    header: ['run_id', 'run', 'model', 'shared_photos', 'answered_photos', 'n', 'predicted', ...accHeader(c.thresholdsKm), 'median_km', 'mean_km'],
    rows: c.runs.map((r) => [r.run.id, r.run.name, r.run.model, c.shared, r.answered, ...metricCells(r.metrics)]),
  };
}

export function compareCdfCsv(c: RunComparison): { header: string[]; rows: Cell[][] } {
  return {
    header: ['km', ...c.runs.map((r) => `run_${r.run.id}_share_within`)],
    rows: c.cdfKm.map((k, i) => [k, ...c.runs.map((r) => r.cdf[i])]),
  };
}

function metricCells(m: Metrics): Cell[] {
  return [m.n, m.predicted, ...m.accuracy.map((a) => a.rate), m.medianKm, m.meanKm];
}
