/**
 * Hard-sample selection over one dataset: its photos with a point are the samples,
 * the hotspots come from a run or a prediction file, and selectHard drops every
 * sample within R km of a hotspot. Used by the preview (counts and thinned points for
 * the map) and by saving the kept samples as a subset.
 */
import type Database from 'better-sqlite3';
import type { HardPreview, HotspotSource } from '../../../shared/rpc/audit-methods.js';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import type { TaskContext } from '../rpc/task-context.js';
import { selectHard } from './hard-samples.js';
import { findHotspots } from './hotspots.js';

export interface HardOptions {
  datasetId: number;
  source: HotspotSource;
  hotspotKm: number;
  radiusKm: number;
}

export interface HardSelection {
  ids: Int32Array;
  lat: Float64Array;
  lon: Float64Array;
  keep: Uint8Array;
  hotspotIds: Set<number>;
  predicted: number;
  ms: number;
}

export async function runHardSelection(db: Database.Database, o: HardOptions, task: TaskContext): Promise<HardSelection> {
  const started = performance.now();
  if (!db.prepare('SELECT 1 FROM datasets WHERE id = ?').get(o.datasetId)) throw new RpcError(ErrorCode.NotFound, `no dataset with id ${o.datasetId}`);
  task.progress(0, null, 'finding hotspots');
  const { imageIds: hotspotIds, predicted } = await findHotspots(db, o.datasetId, o.source, o.hotspotKm);
  task.throwIfCancelled();
  const rows = db
    .prepare('SELECT id, lat, lon FROM images WHERE dataset_id = ? AND lat IS NOT NULL AND lon IS NOT NULL ORDER BY id')
    .raw()
    .all(o.datasetId) as [number, number, number][];
  const n = rows.length;
  const ids = new Int32Array(n);
  const lat = new Float64Array(n);
  const lon = new Float64Array(n);
  const hLat: number[] = [];
  const hLon: number[] = [];
  rows.forEach(([id, la, lo], i) => {
    ids[i] = id;
    lat[i] = la;
    lon[i] = lo;
    if (hotspotIds.has(id)) {
      hLat.push(la);
      hLon.push(lo);
    }
  });
  task.progress(0, n, `${hLat.length} hotspots; selecting`);
  const keep = selectHard({ lat, lon }, { lat: Float64Array.from(hLat), lon: Float64Array.from(hLon) }, o.radiusKm, (done) => {
    task.throwIfCancelled();
    task.progress(done, n, 'selecting');
  });
  task.progress(n, n, 'done');
  return { ids, lat, lon, keep, hotspotIds, predicted, ms: performance.now() - started };
}

/** Every k-th point so at most `limit` remain, as flat [lat, lon, …]. */
function thin(indexes: number[], lat: Float64Array, lon: Float64Array, limit: number): number[] {
  const step = Math.max(1, Math.ceil(indexes.length / limit));
  const out: number[] = [];
  for (let k = 0; k < indexes.length; k += step) {
    const i = indexes[k] ?? 0;
    out.push(Math.round((lat[i] ?? 0) * 1e4) / 1e4, Math.round((lon[i] ?? 0) * 1e4) / 1e4);
  }
  return out;
}

export function previewOf(s: HardSelection, pointLimit: number): HardPreview {
  const kept: number[] = [];
  const dropped: number[] = [];
  const hot: number[] = [];
  for (let i = 0; i < s.ids.length; i++) {
    if (s.keep[i]) kept.push(i);
    else dropped.push(i);
    if (s.hotspotIds.has(s.ids[i] ?? 0)) hot.push(i);
  }
  return {
    samples: s.ids.length,
    hotspots: hot.length,
    kept: kept.length,
    dropped: dropped.length,
    predicted: s.predicted,
    ms: s.ms,
    keptPoints: thin(kept, s.lat, s.lon, pointLimit),
    droppedPoints: thin(dropped, s.lat, s.lon, pointLimit),
    hotspotPoints: thin(hot, s.lat, s.lon, pointLimit),
  };
}

export function* keptIds(s: HardSelection): Generator<number> {
  for (let i = 0; i < s.ids.length; i++) if (s.keep[i]) yield s.ids[i] ?? 0;
}
