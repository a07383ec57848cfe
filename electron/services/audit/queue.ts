/**
 * The review queue: a dataset's labelled photos in descending risk (ties by id). Each
 * gazetteer label carries its risk (cor_labels.risk, scored when written), so a page
 * walks the (dataset, risk, id) index from a keyset cursor and never sorts the
 * dataset; a country filter walks the (dataset, country, risk, id) index. The scopes
 * read reviewed_labels: a photo is reviewed while it has a row there, so an undo
 * back to the gazetteer's label puts it back at its place in the unreviewed order.
 *
 * Plain functions of (db, params): they only read, and can run on a read-only
 * connection in a worker.
 */
import type Database from 'better-sqlite3';
import type { QueueItem, QueuePage, SourceLabel } from '../../../shared/rpc/audit-methods.js';
import type { FlagName } from '../../../shared/rpc/browse-methods.js';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import { bitsToFlags, FLAG_BITS } from '../geo/flags.js';
import { currentState, type RawReview } from './label-state.js';
import { readReviewedLabel } from './reviewed-labels.js';
import { riskOf, type RiskInput } from '../geo/risk.js';

export interface QueueParams {
  datasetId: number;
  scope: 'unreviewed' | 'all' | 'reviewed';
  flag?: FlagName | undefined;
  country?: string | undefined;
  /** 0 for the first page, else a page's nextCursor. */
  cursor: number;
  limit: number;
}

/**
 * A cursor names the last photo of a page by its (risk, id): (risk + 1) · 2³¹ + id,
 * one integer the client hands back unchanged. Risks are thousandths (a few
 * thousand at most) and ids stay below 2³¹, so it is exact in a double.
 */
const ID_SPAN = 2 ** 31;
export function encodeCursor(risk: number, imageId: number): number {
  return (risk + 1) * ID_SPAN + imageId;
}
export function decodeCursor(cursor: number): { risk: number; imageId: number } | null {
  if (cursor <= 0) return null;
  return { risk: Math.floor(cursor / ID_SPAN) - 1, imageId: cursor % ID_SPAN };
}

/** The FROM and WHERE of a page: index-driven, in (risk desc, id) order. */
export function queueSource(p: QueueParams): { from: string; where: string[]; params: unknown[] } {
  const where: string[] = ["g.source = 'gazetteer'", 'g.dataset_id = ?'];
  const params: unknown[] = [p.datasetId];
  let from = 'cor_labels g';
  if (p.country) {
    where.push('g.country_code = ?');
    params.push(p.country);
  }
  if (p.flag) {
    where.push('g.flags <> 0', '(g.flags & ?) <> 0');
    params.push(FLAG_BITS[p.flag]);
  }
  if (p.scope === 'unreviewed') {
    where.push('NOT EXISTS (SELECT 1 FROM reviewed_labels v WHERE v.image_id = g.image_id)');
  } else if (p.scope === 'reviewed') {
    // Reviewed photos are few: start from them, then sort them by risk.
    from = "reviewed_labels v CROSS JOIN cor_labels g ON g.image_id = v.image_id AND g.source = 'gazetteer'";
    where.push('v.dataset_id = ?');
    params.push(p.datasetId);
  }
  return { from, where, params };
}

export const PAGE_SQL = {
  /** The rest of the cursor's risk, after its id. */
  sameRisk: (from: string, where: string[]): string =>
    `SELECT g.image_id, g.risk FROM ${from} WHERE ${[...where, 'g.risk = ?', 'g.image_id > ?'].join(' AND ')} ORDER BY g.image_id LIMIT ?`,
  /** Lower risks (or, for the first page, all of them). */
  lower: (from: string, where: string[], first: boolean): string =>
    `SELECT g.image_id, g.risk FROM ${from} WHERE ${[...where, ...(first ? [] : ['g.risk < ?'])].join(' AND ')} ORDER BY g.risk DESC, g.image_id LIMIT ?`,
};

/** Photos in the order under the flag/country filter, all review states: summed from label_facets. */
export function orderedCount(db: Database.Database, datasetId: number, flag: FlagName | undefined, country: string | undefined): number {
  const hasFacets = db.prepare("SELECT 1 FROM label_facets WHERE dataset_id = ? AND source = 'gazetteer' LIMIT 1").get(datasetId) !== undefined;
  const where = ['dataset_id = ?'];
  const params: unknown[] = [datasetId];
  if (country) {
    where.push('country_code = ?');
    params.push(country);
  }
  if (flag) {
    where.push('(flags & ?) <> 0');
    params.push(FLAG_BITS[flag]);
  }
  if (hasFacets) {
    return db.prepare(`SELECT COALESCE(SUM(count), 0) FROM label_facets WHERE source = 'gazetteer' AND ${where.join(' AND ')}`).pluck().get(...params) as number;
  }
  return db.prepare(`SELECT COUNT(*) FROM cor_labels WHERE source = 'gazetteer' AND ${where.join(' AND ')}`).pluck().get(...params) as number;
}

export function queuePage(db: Database.Database, p: QueueParams): QueuePage {
  const started = performance.now();
  if (!db.prepare('SELECT 1 FROM datasets WHERE id = ?').get(p.datasetId)) throw new RpcError(ErrorCode.NotFound, `no dataset with id ${p.datasetId}`);
  const { from, where, params } = queueSource(p);
  const at = decodeCursor(p.cursor);
  type Row = [number, number];
  let rows: Row[] = [];
  if (at) {
    rows = db.prepare(PAGE_SQL.sameRisk(from, where)).raw(true).all(...params, at.risk, at.imageId, p.limit + 1) as Row[];
  }
  if (rows.length <= p.limit) {
    const rest = db
      .prepare(PAGE_SQL.lower(from, where, at === null))
      .raw(true)
      .all(...params, ...(at ? [at.risk] : []), p.limit + 1 - rows.length) as Row[];
    rows = rows.concat(rest);
  }
  // One row more than asked says whether there is a next page.
  const picked = rows.slice(0, p.limit);
  const last = picked.at(-1);
  const nextCursor = rows.length > p.limit && last ? encodeCursor(last[1], last[0]) : null;
  return {
    items: picked.map(([id]) => queueItem(db, id)),
    nextCursor,
    ordered: orderedCount(db, p.datasetId, p.flag, p.country),
    ms: performance.now() - started,
  };
}

interface ItemRow {
  id: number;
  rel_path: string;
  photo: number;
  lat: number | null;
  lon: number | null;
  flags: number | null;
  city_km: number | null;
  border_km: number | null;
  city_lat: number | null;
  city_lon: number | null;
  g_cc: string | null;
  g_country: string | null;
  g_rc: string | null;
  g_region: string | null;
  g_city: string | null;
  d_cc: string | null;
  d_country: string | null;
  d_region: string | null;
  d_city: string | null;
  d_id: number | null;
}

export function riskInput(r: ItemRow): RiskInput {
  return {
    flags: r.flags ?? 0,
    cityKm: r.city_km,
    gCountryCode: r.g_cc,
    gCountry: r.g_country,
    gRegion: r.g_region,
    gCity: r.g_city,
    dCountryCode: r.d_cc,
    dCountry: r.d_country,
    dRegion: r.d_region,
    dCity: r.d_city,
  };
}

/**
 * One photo as the queue shows it (also used to refresh an item after an action).
 * The city's point and distance are those of the current label: after an edit, the
 * edited city's (none for a city typed freely).
 */
export function queueItem(db: Database.Database, imageId: number): QueueItem {
  const row = db
    .prepare(
      `SELECT i.id, i.rel_path, i.photo, i.lat, i.lon, g.flags, g.city_km, g.border_km, g.city_lat, g.city_lon,
              g.country_code AS g_cc, g.country AS g_country, g.region_code AS g_rc, g.region AS g_region, g.city AS g_city,
              d.country_code AS d_cc, d.country AS d_country, d.region AS d_region, d.city AS d_city, d.image_id AS d_id
         FROM images i
         LEFT JOIN cor_labels g ON g.image_id = i.id AND g.source = 'gazetteer'
         LEFT JOIN cor_labels d ON d.image_id = i.id AND d.source = 'dataset'
        WHERE i.id = ?`,
    )
    .get(imageId) as ItemRow | undefined;
  if (!row) throw new RpcError(ErrorCode.NotFound, `no photo with id ${imageId}`);
  const history = db.prepare('SELECT * FROM label_reviews WHERE image_id = ? ORDER BY id').all(imageId) as RawReview[];
  const scored = riskOf(riskInput(row));
  const gazetteer: SourceLabel | null =
    row.flags === null ? null : { countryCode: row.g_cc, country: row.g_country, regionCode: row.g_rc, region: row.g_region, city: row.g_city };
  const dataset: SourceLabel | null =
    row.d_id === null ? null : { countryCode: row.d_cc, country: row.d_country, regionCode: null, region: row.d_region, city: row.d_city };
  const reviewed = readReviewedLabel(db, imageId);
  const city = reviewed?.relabeled ? { km: reviewed.cityKm, lat: reviewed.cityLat, lon: reviewed.cityLon } : { km: row.city_km, lat: row.city_lat, lon: row.city_lon };
  return {
    imageId: row.id,
    relPath: row.rel_path,
    photo: row.photo,
    lat: row.lat,
    lon: row.lon,
    risk: scored.risk,
    reasons: scored.reasons,
    flags: bitsToFlags(row.flags ?? 0),
    cityKm: city.km,
    borderKm: row.border_km,
    cityLat: city.lat,
    cityLon: city.lon,
    gazetteer,
    dataset,
    current: currentState(history, gazetteer && { country_code: row.g_cc, country: row.g_country, region_code: row.g_rc, region: row.g_region, city: row.g_city }),
    reviews: history.length,
  };
}
