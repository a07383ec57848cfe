/**
 * Stores completions with their checks. `INSERT OR IGNORE` on the table's
 * UNIQUE(run_id, image_id, sample): a sample that is already stored (a resume racing
 * an earlier answer, an import listing a row twice is refused before) is never
 * stored twice.
 */
import type Database from 'better-sqlite3';
import { checkCompletion, type Prediction } from './checks.js';
import type { GeoLookup } from './geo-lookup.js';
import type { TruthReader } from './truth.js';
import { TruthPlaces } from './truth-places.js';

export interface StoredSample {
  imageId: number;
  sample: number;
  prediction: Prediction;
  error?: string | null;
  latencyMs?: number | null;
}

const bit = (v: boolean | null): number | null => (v === null ? null : v ? 1 : 0);

export class CompletionWriter {
  private readonly insert: Database.Statement;
  private readonly places: TruthPlaces;

  constructor(
    db: Database.Database,
    private readonly truth: TruthReader,
    private readonly geo: GeoLookup | null,
  ) {
    this.places = new TruthPlaces(db);
    this.insert = db.prepare(
      `INSERT OR IGNORE INTO completions(
         run_id, image_id, sample, text, country, region, city, lat, lon, format_ok, km,
         country_ok, region_ok, city_ok, coord_country, coord_region, coord_in_country, coord_in_region,
         city_coord_km, reasoning, error, latency_ms, error_km, truth_place)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  /** Checks and stores one sample; false when that sample was already stored. */
  write(runId: number, s: StoredSample): boolean {
    const t = this.truth.truth(s.imageId);
    const c = checkCompletion(s.prediction, t.label, t, this.geo);
    const info = this.insert.run(
      runId,
      s.imageId,
      s.sample,
      s.prediction.text,
      c.country,
      c.region,
      c.city,
      c.lat,
      c.lon,
      c.formatOk ? 1 : 0,
      c.km,
      bit(c.countryOk),
      bit(c.regionOk),
      bit(c.cityOk),
      c.coordCountry,
      c.coordRegion,
      bit(c.coordInCountry),
      bit(c.coordInRegion),
      c.cityCoordKm,
      c.reasoning,
      s.error ?? null,
      s.latencyMs ?? null,
      c.errorKm,
      this.places.placeOf(s.imageId),
    );
    return info.changes > 0;
  }
}
