/**
 * Where a model is already right: a photo is a hotspot when at least half of its
 * predictions lie within `hotspotKm` of its true point (a missing prediction counts
 * as a miss). Predictions come from a stored run (its completions' km) or from a
 * prediction file (JSONL completions or a CSV of coordinates, matched to photos as
 * runs.importFile matches them).
 */
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { HotspotSource } from '../../../shared/rpc/audit-methods.js';
import { haversineKm } from '../../../shared/geo/haversine.js';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import { Problems } from '../datasets/problems.js';
import { ImageMatcher } from '../completions/image-matcher.js';
import { detectFormat, readCsvPredictions, readJsonl, type PredictionRow } from '../completions/read-predictions.js';

export interface HotspotResult {
  /** Image ids that are hotspots. */
  imageIds: Set<number>;
  /** Photos with at least one prediction. */
  predicted: number;
}

export async function findHotspots(db: Database.Database, datasetId: number, source: HotspotSource, hotspotKm: number): Promise<HotspotResult> {
  const tally = new Map<number, { n: number; hit: number }>();
  const count = (imageId: number, km: number | null): void => {
    let t = tally.get(imageId);
    if (!t) tally.set(imageId, (t = { n: 0, hit: 0 }));
    t.n++;
    if (km !== null && km <= hotspotKm) t.hit++;
  };
  if ('runId' in source) {
    const run = db.prepare('SELECT dataset_id AS datasetId FROM runs WHERE id = ?').get(source.runId) as { datasetId: number | null } | undefined;
    if (!run) throw new RpcError(ErrorCode.NotFound, `no run with id ${source.runId}`);
    if (run.datasetId !== datasetId) throw new RpcError(ErrorCode.BadInput, `run ${source.runId} belongs to another dataset`);
    const rows = db.prepare('SELECT image_id AS imageId, km FROM completions WHERE run_id = ?').iterate(source.runId) as Iterable<{
      imageId: number;
      km: number | null;
    }>;
    for (const r of rows) count(r.imageId, r.km);
  } else {
    const file = path.resolve(source.file);
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new RpcError(ErrorCode.NotFound, `${file}: no such file`);
    const matcher = new ImageMatcher(db, datasetId);
    const point = db.prepare('SELECT lat, lon FROM images WHERE id = ?');
    const problems = new Problems(source.file, false);
    const onRow = (row: PredictionRow): void => {
      for (const key of row.keys) {
        const m = matcher.match(key);
        if (m.imageId === null) continue;
        const truth = point.get(m.imageId) as { lat: number | null; lon: number | null } | undefined;
        const { lat, lon } = row.prediction.parsed;
        const tLat = truth?.lat ?? null;
        const tLon = truth?.lon ?? null;
        const km = tLat !== null && tLon !== null && lat !== null && lon !== null ? haversineKm(tLat, tLon, lat, lon) : null;
        count(m.imageId, km);
        return;
      }
    };
    if (detectFormat(file) === 'jsonl') await readJsonl(file, problems, onRow);
    else await readCsvPredictions(file, problems, onRow);
    problems.throwIfFailed();
    if (tally.size === 0) throw new RpcError(ErrorCode.BadInput, `${source.file}: no prediction matched a photo of this dataset`);
  }
  const imageIds = new Set<number>();
  for (const [id, t] of tally) if (2 * t.hit >= t.n && t.hit > 0) imageIds.add(id);
  return { imageIds, predicted: tally.size };
}
