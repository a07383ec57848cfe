/**
 * reviewed_labels: each reviewed photo's current label, kept in step with the
 * append-only label_reviews log inside the same transaction as the review. It is the
 * one definition of "reviewed" (the photo's latest review did not undo it back to
 * nothing): the queue's scopes, the statistics, Browse's review filter, the checks of
 * completions, Evaluate and exports all read it.
 */
import type Database from 'better-sqlite3';
import type { LabelState } from '../../../shared/rpc/audit-methods.js';
import { haversineKm } from '../../../shared/geo/haversine.js';
import { fold } from '../geo/fold.js';
import { parseState, type RawReview } from './label-state.js';

/** The gazetteer's label of a photo, as far as a reviewed label is compared with it. */
export interface GazetteerLabel {
  country_code: string | null;
  country: string | null;
  region_code: string | null;
  region: string | null;
  city: string | null;
  city_lat: number | null;
  city_lon: number | null;
}

export interface CityPoint {
  lat: number;
  lon: number;
}

/** A reviewed label as read back. */
export interface ReviewedLabel {
  imageId: number;
  status: Exclude<LabelState['status'], 'unreviewed'>;
  relabeled: boolean;
  countryCode: string | null;
  country: string | null;
  regionCode: string | null;
  region: string | null;
  city: string | null;
  cityFree: boolean;
  cityLat: number | null;
  cityLon: number | null;
  cityKm: number | null;
}

const same = (a: string | null, b: string | null): boolean => fold(a ?? '') === fold(b ?? '');

/** Whether a state's chain is the gazetteer's own (then the gazetteer's evidence still holds). */
export function isGazetteerChain(state: LabelState, g: GazetteerLabel | null | undefined): boolean {
  if (!g) return state.countryCode === null && state.country === null && state.region === null && state.city === null;
  return (
    (state.countryCode ?? '').toUpperCase() === (g.country_code ?? '').toUpperCase() &&
    same(state.region, g.region) &&
    same(state.city, g.city) &&
    !state.cityFree
  );
}

/**
 * The point of a state's city: the gazetteer's when the chain is the gazetteer's,
 * else the edit's looked-up city (`edited`), else none (a city typed freely, or an
 * older edit stored without its point).
 */
export function cityPointOf(state: LabelState, g: GazetteerLabel | null | undefined, edited: CityPoint | null): CityPoint | null {
  if (!state.city || state.cityFree) return null;
  if (g && g.city_lat !== null && g.city_lon !== null && isGazetteerChain(state, g)) return { lat: g.city_lat, lon: g.city_lon };
  return edited;
}

const UPSERT = `
  INSERT INTO reviewed_labels(image_id, dataset_id, review_id, status, relabeled, country_code, country, region_code, region, city,
                              city_free, city_lat, city_lon, city_km)
  SELECT i.id, i.dataset_id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
    FROM images i WHERE i.id = ?
  ON CONFLICT(image_id) DO UPDATE SET
    review_id = excluded.review_id, status = excluded.status, relabeled = excluded.relabeled,
    country_code = excluded.country_code, country = excluded.country, region_code = excluded.region_code,
    region = excluded.region, city = excluded.city, city_free = excluded.city_free,
    city_lat = excluded.city_lat, city_lon = excluded.city_lon, city_km = excluded.city_km`;

/**
 * Records what a review left: the state's label, or no row when the state is
 * 'unreviewed' (an undo back to the gazetteer's label).
 */
export function storeReviewedLabel(
  db: Database.Database,
  imageId: number,
  reviewId: number,
  state: LabelState,
  gazetteer: GazetteerLabel | null | undefined,
  city: CityPoint | null,
): void {
  if (state.status === 'unreviewed') {
    db.prepare('DELETE FROM reviewed_labels WHERE image_id = ?').run(imageId);
    return;
  }
  const photo = db.prepare('SELECT lat, lon FROM images WHERE id = ?').get(imageId) as { lat: number | null; lon: number | null } | undefined;
  const km =
    city && photo && photo.lat !== null && photo.lon !== null ? Math.round(haversineKm(photo.lat, photo.lon, city.lat, city.lon) * 1000) / 1000 : null;
  db.prepare(UPSERT).run(
    reviewId,
    state.status,
    // A rejected label keeps no chain to move the photo to: Browse still finds it by the gazetteer's.
    state.status === 'rejected' || isGazetteerChain(state, gazetteer) ? 0 : 1,
    state.countryCode,
    state.country,
    state.regionCode,
    state.region,
    state.city,
    state.cityFree ? 1 : 0,
    city?.lat ?? null,
    city?.lon ?? null,
    km,
    imageId,
  );
}

/** The city point an after-state was stored with (reviews store it beside the chain). */
export function storedCityPoint(afterJson: string | null): CityPoint | null {
  if (!afterJson) return null;
  try {
    const o = JSON.parse(afterJson) as { cityLat?: unknown; cityLon?: unknown };
    return typeof o.cityLat === 'number' && typeof o.cityLon === 'number' ? { lat: o.cityLat, lon: o.cityLon } : null;
  } catch {
    return null;
  }
}

export const GAZETTEER_LABEL_SQL =
  "SELECT country_code, country, region_code, region, city, city_lat, city_lon FROM cor_labels WHERE image_id = ? AND source = 'gazetteer'";

/** Rebuilds every row from the log: each photo's latest review (the migration's backfill). */
export function rebuildReviewedLabels(db: Database.Database): void {
  db.exec('DELETE FROM reviewed_labels');
  const latest = db
    .prepare('SELECT r.* FROM label_reviews r WHERE r.id = (SELECT MAX(x.id) FROM label_reviews x WHERE x.image_id = r.image_id)')
    .all() as RawReview[];
  const gazetteer = db.prepare(GAZETTEER_LABEL_SQL);
  for (const r of latest) {
    const state = parseState(r.after_json, r.verdict);
    if (!state) continue;
    const g = gazetteer.get(r.image_id) as GazetteerLabel | undefined;
    storeReviewedLabel(db, r.image_id, r.id, state, g, cityPointOf(state, g, storedCityPoint(r.after_json)));
  }
}

const READ_SQL = `SELECT image_id AS imageId, status, relabeled, country_code AS countryCode, country, region_code AS regionCode,
                         region, city, city_free AS cityFree, city_lat AS cityLat, city_lon AS cityLon, city_km AS cityKm
                    FROM reviewed_labels WHERE image_id = ?`;

export function readReviewedLabel(db: Database.Database, imageId: number): ReviewedLabel | null {
  const row = db.prepare(READ_SQL).get(imageId) as (Omit<ReviewedLabel, 'relabeled' | 'cityFree'> & { relabeled: number; cityFree: number }) | undefined;
  if (!row) return null;
  return { ...row, relabeled: row.relabeled === 1, cityFree: row.cityFree === 1 };
}
