/**
 * Recomputes the stored level checks (country_ok, region_ok, city_ok) of every
 * completion of one photo against its current label, after a review changed it; the
 * parse and the point checks do not depend on the label and stay as stored.
 *
 * The level checks need only country names mapped to ISO codes (regions.json, a few
 * milliseconds to load), never the gazetteer's polygons or cities: a review runs this
 * inside its own short transaction on the main thread.
 */
import type Database from 'better-sqlite3';
import type { CountryCodeLookup } from '../datasets/country-codes.js';
import { levelChecks, predictionFromPoint, predictionFromText, type Prediction } from './checks.js';
import { TruthReader } from './truth.js';

const bit = (v: boolean | null): number | null => (v === null ? null : v ? 1 : 0);

/** Returns how many completions were checked again; `codes` is asked for only when there are some. */
export function recheckCompletions(db: Database.Database, imageId: number, codes: () => CountryCodeLookup | null): number {
  const rows = db.prepare('SELECT id, text, lat, lon FROM completions WHERE image_id = ?').all(imageId) as {
    id: number;
    text: string | null;
    lat: number | null;
    lon: number | null;
  }[];
  if (rows.length === 0) return 0;
  const truth = new TruthReader(db).label(imageId);
  const lookup = codes();
  const update = db.prepare('UPDATE completions SET country_ok = ?, region_ok = ?, city_ok = ? WHERE id = ?');
  let n = 0;
  for (const r of rows) {
    let prediction: Prediction;
    if (r.text !== null) prediction = predictionFromText(r.text);
    else if (r.lat !== null && r.lon !== null) prediction = predictionFromPoint(r.lat, r.lon);
    else continue;
    const country = prediction.parsed.country;
    const c = levelChecks(prediction, truth, country && lookup ? lookup(country) : null);
    update.run(bit(c.countryOk), bit(c.regionOk), bit(c.cityOk), r.id);
    n++;
  }
  return n;
}
