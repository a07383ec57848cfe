/**
 * The "Geographic prior baseline": every photo predicted at one point, the geographic
 * medoid of the dataset's true points — the trivial prior of geolocation papers' tables.
 * Real predictions, stored and checked like any imported run, so every figure shown
 * for it comes from the same metric code as a model's.
 */
import type Database from 'better-sqlite3';
import { haversineKm } from '../../../shared/geo/haversine.js';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import type { BaselineResult } from '../../../shared/rpc/evaluate-methods.js';
import { predictionFromPoint } from '../completions/checks.js';
import { CompletionWriter } from '../completions/completion-writer.js';
import type { GeoLookup } from '../completions/geo-lookup.js';
import { RunsStore } from '../completions/runs-store.js';
import { TruthReader } from '../completions/truth.js';

export const BASELINE_NAME = 'Geographic prior baseline';
export const BASELINE_KIND = 'geographic-medoid';
/** Above this many points the medoid is searched over an even stride of them (O(n²)). */
export const MEDOID_MAX_POINTS = 4000;

/**
 * The point of the set with the least summed great-circle distance to the others.
 * Beyond `maxPoints`, candidates and targets are an even stride of the points.
 */
export function geographicMedoid(
  lat: ArrayLike<number>,
  lon: ArrayLike<number>,
  maxPoints = MEDOID_MAX_POINTS,
): { lat: number; lon: number; index: number; used: number } {
  const n = lat.length;
  if (n === 0) throw new Error('geographicMedoid: no points');
  const stride = Math.max(1, Math.ceil(n / maxPoints));
  const pick: number[] = [];
  for (let i = 0; i < n; i += stride) pick.push(i);
  let best = -1;
  let bestSum = Infinity;
  for (const c of pick) {
    let s = 0;
    const la = lat[c] as number;
    const lo = lon[c] as number;
    for (const t of pick) {
      s += haversineKm(la, lo, lat[t] as number, lon[t] as number);
      if (s >= bestSum) break; // cannot win any more
    }
    if (s < bestSum) {
      bestSum = s;
      best = c;
    }
  }
  return { lat: lat[best] as number, lon: lon[best] as number, index: best, used: pick.length };
}

/**
 * Adds the baseline run to a dataset (once: an existing one is returned as is). Every
 * photo of the dataset gets the medoid as its prediction; photos without a true point
 * get it too but are not scored.
 */
export function addDemoBaselineRun(db: Database.Database, datasetId: number, geo: GeoLookup | null = null): BaselineResult {
  const dataset = db.prepare('SELECT name FROM datasets WHERE id = ?').pluck().get(datasetId) as string | undefined;
  if (dataset === undefined) throw new RpcError(ErrorCode.NotFound, `no dataset with id ${datasetId}`);

  const existing = db
    .prepare(`SELECT id, params_json FROM runs WHERE dataset_id = ? AND json_extract(params_json, '$.baseline') = ? ORDER BY id LIMIT 1`)
    .get(datasetId, BASELINE_KIND) as { id: number; params_json: string } | undefined;
  if (existing) {
    const p = JSON.parse(existing.params_json) as { description: string; medoid: { lat: number; lon: number } };
    const photos = db.prepare('SELECT COUNT(*) FROM completions WHERE run_id = ?').pluck().get(existing.id) as number;
    return { runId: existing.id, name: BASELINE_NAME, lat: p.medoid.lat, lon: p.medoid.lon, photos, description: p.description };
  }

  const points = db
    .prepare('SELECT lat, lon FROM images WHERE dataset_id = ? AND lat IS NOT NULL AND lon IS NOT NULL ORDER BY id')
    .raw()
    .all(datasetId) as [number, number][];
  if (points.length === 0) throw new RpcError(ErrorCode.BadInput, `dataset "${dataset}" has no photo with a point: no prior to compute`);
  const m = geographicMedoid(
    points.map((p) => p[0]),
    points.map((p) => p[1]),
  );
  const imageIds = db.prepare('SELECT id FROM images WHERE dataset_id = ? ORDER BY id').pluck().all(datasetId) as number[];
  const subset = m.used < points.length ? ` (searched over an even stride of ${m.used} of them)` : '';
  const description =
    `A trivial prior baseline, like the "prior" rows of geolocation papers: every photo is predicted at the same point, ` +
    `(${m.lat.toFixed(5)}, ${m.lon.toFixed(5)}), the geographic medoid (the point of the set with the least summed ` +
    `great-circle distance to all others) of the ${points.length} true points of dataset "${dataset}"${subset}. ` +
    `No training split is at hand, so the prior is taken from the evaluated points themselves, which makes it slightly ` +
    `optimistic. It uses no image: any real model must beat it.`;

  const runs = new RunsStore(db);
  const writer = new CompletionWriter(db, new TruthReader(db), geo);
  const runId = db.transaction(() => {
    const id = runs.create({
      kind: 'import',
      name: BASELINE_NAME,
      model: 'geographic prior (medoid)',
      datasetId,
      prompt: null,
      params: { baseline: BASELINE_KIND, description, medoid: { lat: m.lat, lon: m.lon }, points: points.length, searched: m.used },
      status: 'running',
    });
    for (const imageId of imageIds) writer.write(id, { imageId, sample: 0, prediction: predictionFromPoint(m.lat, m.lon) });
    runs.setStatus(id, 'done', { completions: imageIds.length, photos: imageIds.length });
    return id;
  })();
  return { runId, name: BASELINE_NAME, lat: m.lat, lon: m.lon, photos: imageIds.length, description };
}
