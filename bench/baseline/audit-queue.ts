/**
 * The review queue as it was before labels carried a stored risk
 * (schema 5): the risk order built per dataset by scoring every label in one pass and
 * sorting them. Kept only as the baseline that
 * bench/audit.bench.ts measures the indexed versions against, in the same run.
 */
import type Database from 'better-sqlite3';
import type { QueueItem, QueuePage, SourceLabel } from '../../shared/rpc/audit-methods.js';
import type { FlagName } from '../../shared/rpc/browse-methods.js';
import { ErrorCode, RpcError } from '../../shared/rpc/errors.js';
import { bitsToFlags, FLAG_BITS } from '../../electron/services/geo/flags.js';
import { currentState, type RawReview } from '../../electron/services/audit/label-state.js';
import { riskOf, type RiskInput } from '../../electron/services/geo/risk.js';

interface Order {
  key: string;
  /** Image ids, riskiest first. */
  ids: Int32Array;
  flags: Int32Array;
  country: string[];
}

interface LabelRow {
  id: number;
  flags: number | null;
  city_km: number | null;
  g_cc: string | null;
  g_country: string | null;
  g_region: string | null;
  g_city: string | null;
  d_cc: string | null;
  d_country: string | null;
  d_region: string | null;
  d_city: string | null;
}

const ORDER_SQL = `
  SELECT i.id, g.flags, g.city_km, g.country_code AS g_cc, g.country AS g_country, g.region AS g_region, g.city AS g_city,
         d.country_code AS d_cc, d.country AS d_country, d.region AS d_region, d.city AS d_city
    FROM images i
    LEFT JOIN cor_labels g ON g.image_id = i.id AND g.source = 'gazetteer'
    LEFT JOIN cor_labels d ON d.image_id = i.id AND d.source = 'dataset'
   WHERE i.dataset_id = ?
   ORDER BY i.id`;

/**
 * Without place columns of its own (IM2GPS3K, YFCC4K) the second join is skipped, and
 * so are the names: with nothing to compare them to, the risk needs only the flags
 * and the distance to the city.
 */
const ORDER_SQL_GAZETTEER_ONLY = `
  SELECT i.id, g.flags, g.city_km, g.country_code AS g_cc
    FROM images i
    LEFT JOIN cor_labels g ON g.image_id = i.id AND g.source = 'gazetteer'
   WHERE i.dataset_id = ?
   ORDER BY i.id`;

/** Row positions are packed below this in the sort keys (risk in thousandths above it). */
const INDEX_SPAN = 2 ** 33;

export function riskInput(r: LabelRow): RiskInput {
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

export class BaselineAuditQueue {
  private readonly orders = new Map<number, Order>();

  constructor(private readonly db: Database.Database) {}

  invalidate(): void {
    this.orders.clear();
  }

  order(datasetId: number): Order {
    const exists = this.db.prepare('SELECT 1 FROM datasets WHERE id = ?').get(datasetId);
    if (!exists) throw new RpcError(ErrorCode.NotFound, `no dataset with id ${datasetId}`);
    // A dataset deleted and another imported may reuse the id: the key notices.
    const shape = this.db.prepare('SELECT COUNT(*) AS n, MAX(id) AS max FROM images WHERE dataset_id = ?').get(datasetId) as { n: number; max: number | null };
    const key = `${shape.n}:${shape.max ?? 0}`;
    let order = this.orders.get(datasetId);
    if (order && order.key === key) return order;
    const ids: number[] = [];
    const risk: number[] = [];
    const flags: number[] = [];
    const country: string[] = [];
    // From the facet counts: the dataset's own labels are not in the place indexes.
    const hasOwnPlaces = this.db.prepare("SELECT 1 FROM label_facets WHERE dataset_id = ? AND source = 'dataset' LIMIT 1").get(datasetId) !== undefined;
    const sql = hasOwnPlaces ? ORDER_SQL : ORDER_SQL_GAZETTEER_ONLY;
    // Rows as arrays (columns in ORDER_SQL's order): better-sqlite3 builds no object
    // per row, a third less time over millions of photos.
    type RawRow = [number, number | null, number | null, ...(string | null)[]];
    const input: RiskInput = { flags: 0, cityKm: null, gCountryCode: null, gCountry: null, gRegion: null, gCity: null, dCountryCode: null, dCountry: null, dRegion: null, dCity: null };
    for (const row of this.db.prepare(sql).raw(true).iterate(datasetId) as Iterable<RawRow>) {
      const [id, rowFlags, cityKm, gCountryCode = null, gCountry = null, gRegion = null, gCity = null, dCountryCode = null, dCountry = null, dRegion = null, dCity = null] = row;
      input.flags = rowFlags ?? 0;
      input.cityKm = cityKm;
      input.gCountryCode = gCountryCode;
      input.gCountry = gCountry;
      input.gRegion = gRegion;
      input.gCity = gCity;
      input.dCountryCode = dCountryCode;
      input.dCountry = dCountry;
      input.dRegion = dRegion;
      input.dCity = dCity;
      ids.push(id);
      risk.push(Math.round(riskOf(input).risk * 1000));
      flags.push(rowFlags ?? 0);
      country.push(gCountryCode ?? '');
    }
    // One numeric sort of packed keys (descending risk, then row order = id order)
    // instead of a comparator sort: millions of rows sort in a fraction of the time.
    const maxRisk = risk.reduce((m, r) => Math.max(m, r), 0);
    const keys = new Float64Array(ids.length);
    for (let i = 0; i < ids.length; i++) keys[i] = (maxRisk - (risk[i] ?? 0)) * INDEX_SPAN + i;
    keys.sort();
    const n = ids.length;
    order = { key, ids: new Int32Array(n), flags: new Int32Array(n), country: new Array<string>(n) };
    for (let k = 0; k < n; k++) {
      const i = (keys[k] ?? 0) % INDEX_SPAN;
      order.ids[k] = ids[i] ?? 0;
      order.flags[k] = flags[i] ?? 0;
      order.country[k] = country[i] ?? '';
    }
    this.orders.set(datasetId, order);
    return order;
  }

  page(p: {
    datasetId: number;
    scope: 'unreviewed' | 'all' | 'reviewed';
    flag?: FlagName | undefined;
    country?: string | undefined;
    cursor: number;
    limit: number;
  }): QueuePage {
    const started = performance.now();
    const order = this.order(p.datasetId);
    const reviewed = p.scope === 'all' ? null : this.reviewedIds(p.datasetId);
    const bit = p.flag ? FLAG_BITS[p.flag] : 0;
    const picked: number[] = [];
    let k = p.cursor;
    let ordered = 0;
    for (let i = 0; i < order.ids.length; i++) {
      if (bit && ((order.flags[i] ?? 0) & bit) === 0) continue;
      if (p.country && order.country[i] !== p.country) continue;
      ordered++;
    }
    for (; k < order.ids.length && picked.length < p.limit; k++) {
      if (bit && ((order.flags[k] ?? 0) & bit) === 0) continue;
      if (p.country && order.country[k] !== p.country) continue;
      const id = order.ids[k] ?? 0;
      if (reviewed) {
        const has = reviewed.has(id);
        if (p.scope === 'unreviewed' ? has : !has) continue;
      }
      picked.push(k);
    }
    const items = picked.map((pos) => this.item(order.ids[pos] ?? 0));
    return { items, nextCursor: k < order.ids.length ? k : null, ordered, ms: performance.now() - started };
  }

  /** One photo as the queue shows it (also used to refresh an item after an action). */
  item(imageId: number): QueueItem {
    const row = this.db
      .prepare(
        `SELECT i.id, i.rel_path, i.photo, i.lat, i.lon, g.flags, g.city_km, g.border_km, g.city_lat, g.city_lon,
                g.country_code AS g_cc, g.country AS g_country, g.region_code AS g_rc, g.region AS g_region, g.city AS g_city,
                d.country_code AS d_cc, d.country AS d_country, d.region AS d_region, d.city AS d_city, d.image_id AS d_id
           FROM images i
           LEFT JOIN cor_labels g ON g.image_id = i.id AND g.source = 'gazetteer'
           LEFT JOIN cor_labels d ON d.image_id = i.id AND d.source = 'dataset'
          WHERE i.id = ?`,
      )
      .get(imageId) as
      | (LabelRow & {
          rel_path: string;
          photo: number;
          lat: number | null;
          lon: number | null;
          border_km: number | null;
          city_lat: number | null;
          city_lon: number | null;
          g_rc: string | null;
          d_id: number | null;
        })
      | undefined;
    if (!row) throw new RpcError(ErrorCode.NotFound, `no photo with id ${imageId}`);
    const history = this.db.prepare('SELECT * FROM label_reviews WHERE image_id = ? ORDER BY id').all(imageId) as RawReview[];
    const scored = riskOf(riskInput(row));
    const gazetteer: SourceLabel | null =
      row.flags === null ? null : { countryCode: row.g_cc, country: row.g_country, regionCode: row.g_rc, region: row.g_region, city: row.g_city };
    const dataset: SourceLabel | null =
      row.d_id === null ? null : { countryCode: row.d_cc, country: row.d_country, regionCode: null, region: row.d_region, city: row.d_city };
    return {
      imageId: row.id,
      relPath: row.rel_path,
      photo: row.photo,
      lat: row.lat,
      lon: row.lon,
      risk: scored.risk,
      reasons: scored.reasons,
      flags: bitsToFlags(row.flags ?? 0),
      cityKm: row.city_km,
      borderKm: row.border_km,
      cityLat: row.city_lat,
      cityLon: row.city_lon,
      gazetteer,
      dataset,
      current: currentState(history, gazetteer && { country_code: row.g_cc, country: row.g_country, region_code: row.g_rc, region: row.g_region, city: row.g_city }),
      reviews: history.length,
    };
  }

  private reviewedIds(datasetId: number): Set<number> {
    const ids = this.db
      .prepare('SELECT DISTINCT r.image_id FROM label_reviews r JOIN images i ON i.id = r.image_id WHERE i.dataset_id = ?')
      .pluck()
      .all(datasetId) as number[];
    return new Set(ids);
  }
}
