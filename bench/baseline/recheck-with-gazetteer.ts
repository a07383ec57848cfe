/**
 * A review's completion re-check as it was before it used the country codes alone:
 * each completion checked in full (checkCompletion) against the label, with the
 * whole gazetteer lookup (polygons, cities, codes) built on first need, on the
 * thread that runs the review. Kept only as the baseline bench/event-loop.bench.ts
 * measures the review path against, in the same run.
 */
import type Database from 'better-sqlite3';
import { checkCompletion, predictionFromPoint, predictionFromText, type Prediction } from '../../electron/services/completions/checks.js';
import type { GeoLookup } from '../../electron/services/completions/geo-lookup.js';
import { TruthReader } from '../../electron/services/completions/truth.js';

const bit = (v: boolean | null): number | null => (v === null ? null : v ? 1 : 0);

export function recheckWithGazetteer(db: Database.Database, imageId: number, geo: () => GeoLookup | null): number {
  const rows = db.prepare('SELECT id, text, lat, lon FROM completions WHERE image_id = ?').all(imageId) as {
    id: number;
    text: string | null;
    lat: number | null;
    lon: number | null;
  }[];
  if (rows.length === 0) return 0;
  const truth = new TruthReader(db).truth(imageId);
  const lookup = geo();
  const update = db.prepare('UPDATE completions SET country_ok = ?, region_ok = ?, city_ok = ? WHERE id = ?');
  let n = 0;
  for (const r of rows) {
    let prediction: Prediction;
    if (r.text !== null) prediction = predictionFromText(r.text);
    else if (r.lat !== null && r.lon !== null) prediction = predictionFromPoint(r.lat, r.lon);
    else continue;
    const c = checkCompletion(prediction, truth.label, truth, lookup);
    update.run(bit(c.countryOk), bit(c.regionOk), bit(c.cityOk), r.id);
    n++;
  }
  return n;
}
