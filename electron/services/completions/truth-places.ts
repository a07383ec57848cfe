/**
 * What an evaluation reads of a completion without visiting its photo's rows, fixed
 * when the completion is written (a photo's point and its gazetteer label never change
 * after import; reviews are laid over at read time from reviewed_labels):
 * - `error_km`: the error to the photo's point, unrounded (`km` is rounded to metres);
 * - `truth_place`: the photo's gazetteer place (country code, country, region) as a
 *   small integer into `truth_places`; 0 when the photo has no gazetteer label. NULL
 *   means "not recorded" (rows written before these columns, or by hand), and the
 *   evaluation then reads the photo's rows instead.
 */
import type Database from 'better-sqlite3';
import { haversineKm } from '../../../shared/geo/haversine.js';

/** A gazetteer place: the three fields the evaluation's breakdowns group by. */
export interface Place {
  countryCode: string | null;
  country: string | null;
  region: string | null;
}

/** truth_place of a photo without a gazetteer label. */
export const NO_PLACE = 0;

const placeKey = (p: Place): string => JSON.stringify([p.countryCode, p.country, p.region]);

/** Every stored place by id (few: one per region of the datasets' labels). */
export function readPlaces(db: Database.Database): Map<number, Place> {
  const rows = db.prepare('SELECT id, country_code, country, region FROM truth_places').raw().all() as [number, string | null, string | null, string | null][];
  return new Map(rows.map(([id, countryCode, country, region]) => [id, { countryCode, country, region }]));
}

/**
 * Interns places into truth_places. Two writers on separate connections may each add
 * the same place: harmless, as the evaluation groups places by their names.
 */
export class TruthPlaces {
  private readonly ids = new Map<string, number>();
  private readonly gazetteer: Database.Statement<[number], Place>;
  private readonly insert: Database.Statement<[string | null, string | null, string | null]>;

  constructor(db: Database.Database) {
    for (const [id, place] of readPlaces(db)) if (!this.ids.has(placeKey(place))) this.ids.set(placeKey(place), id);
    this.gazetteer = db.prepare(
      "SELECT country_code AS countryCode, country, region FROM cor_labels WHERE image_id = ? AND source = 'gazetteer'",
    );
    this.insert = db.prepare('INSERT INTO truth_places(country_code, country, region) VALUES (?, ?, ?)');
  }

  /** The truth_place of a photo: its gazetteer place, or NO_PLACE. */
  placeOf(imageId: number): number {
    const label = this.gazetteer.get(imageId);
    return label ? this.intern(label) : NO_PLACE;
  }

  intern(place: Place): number {
    const key = placeKey(place);
    let id = this.ids.get(key);
    if (id === undefined) {
      id = Number(this.insert.run(place.countryCode, place.country, place.region).lastInsertRowid);
      this.ids.set(key, id);
    }
    return id;
  }
}

/**
 * Records error_km and truth_place on every completion that lacks them (a project
 * from before these columns). Reads in slices by id, as better-sqlite3 cannot write
 * while a read is open on the same connection. Returns the rows filled.
 */
export function fillTruthColumns(db: Database.Database, slice = 50_000): number {
  const places = new TruthPlaces(db);
  const read = db.prepare(
    `SELECT c.id, c.image_id, c.lat, c.lon, i.lat, i.lon
       FROM completions c LEFT JOIN images i ON i.id = c.image_id
      WHERE c.id > ? AND c.truth_place IS NULL ORDER BY c.id LIMIT ?`,
  );
  const update = db.prepare('UPDATE completions SET error_km = ?, truth_place = ? WHERE id = ?');
  let after = 0;
  let filled = 0;
  for (;;) {
    const rows = read.raw().all(after, slice) as [number, number, number | null, number | null, number | null, number | null][];
    for (const [id, imageId, la, lo, tLat, tLon] of rows) {
      const km = la !== null && lo !== null && tLat !== null && tLon !== null ? haversineKm(tLat, tLon, la, lo) : null;
      update.run(km, places.placeOf(imageId), id);
      after = id;
    }
    filled += rows.length;
    if (rows.length < slice) return filled;
  }
}
