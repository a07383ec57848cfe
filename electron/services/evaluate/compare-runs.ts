/**
 * Runs side by side on the same rows: only photos that every run answered (and that
 * have a true point) count; each run's other photos are left out.
 */
import type Database from 'better-sqlite3';
import { DEFAULT_THRESHOLDS_KM } from '../../../shared/metrics/accuracy.js';
import { overallStats } from '../../../shared/metrics/breakdown.js';
import { cdfAt } from '../../../shared/metrics/cdf.js';
import { sharedIds } from '../../../shared/metrics/compare.js';
import { selectSamples, type SampleMode } from '../../../shared/metrics/samples.js';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import type { RunComparison } from '../../../shared/rpc/evaluate-methods.js';
import { cdfGrid, metricsOf } from './evaluate-run.js';
import { loadAnsweredRun, runRef, type RunRows, type Truth } from './run-data.js';

export function compareRuns(db: Database.Database, runIds: readonly number[], mode: SampleMode): RunComparison {
  const unique = [...new Set(runIds)];
  if (unique.length < 2) throw new RpcError(ErrorCode.BadInput, 'pick at least two different runs to compare');
  // Each run is read with the truth of the photos it answered: only shared photos count.
  const loaded: { rows: RunRows; truth: Truth; picked: Int32Array }[] = unique.map((id) => {
    const { truth, rows } = loadAnsweredRun(db, runRef(db, id));
    return { rows, truth, picked: selectSamples(rows, mode) };
  });
  // Photos are compared by image id: runs on different datasets share none.
  const answered = loaded.map(({ rows, truth, picked }) => [...new Set(Array.from(picked, (r) => truth.ids[rows.image[r] as number] as number))]);
  const shared = new Set(sharedIds(answered));
  if (shared.size === 0) {
    const names = loaded.map((l) => `"${l.rows.ref.name}" (${l.rows.ref.datasetName ?? 'no dataset'})`).join(', ');
    throw new RpcError(ErrorCode.BadInput, `the runs ${names} share no answered photo with a true point: compare runs made on the same photos`);
  }
  const grid = cdfGrid();
  return {
    mode,
    thresholdsKm: [...DEFAULT_THRESHOLDS_KM],
    shared: shared.size,
    cdfKm: grid,
    runs: loaded.map(({ rows, truth, picked }, k) => {
      const km: number[] = [];
      for (const r of picked) if (shared.has(truth.ids[rows.image[r] as number] as number)) km.push(rows.km[r] as number);
      const { stats, predicted } = overallStats(Float64Array.from(km), DEFAULT_THRESHOLDS_KM);
      return { run: rows.ref, answered: answered[k]?.length ?? 0, metrics: metricsOf(stats), cdf: cdfAt(predicted, km.length, grid) };
    }),
  };
}
