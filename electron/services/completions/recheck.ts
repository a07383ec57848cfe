/**
 * Recomputes the stored level checks (country_ok, region_ok, city_ok) of every
 * completion of one photo against its current label, after a review changed it; the
 * parse and the point checks do not depend on the label and stay as stored.
 */
import type Database from 'better-sqlite3';
import { checkCompletion, predictionFromPoint, predictionFromText, type Prediction } from './checks.js';
import type { GeoLookup } from './geo-lookup.js';
import { TruthReader } from './truth.js';

const bit = (v: boolean | null): number | null => (v === null ? null : v ? 1 : 0);

/** Returns how many completions were checked again; `geo` is asked for only when there are some. */
export function recheckCompletions(db: Database.Database, imageId: number, geo: () => GeoLookup | null): number {
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
