/**
 * The photo browser's reads: one page of photos under a filter, its total, the
 * filter menus' facets and one photo's detail. Totals and facets are cached per
 * filter until the project is written (`invalidate`), so scrolling a 4.7M-row
 * dataset counts once, not once per page.
 */
import type Database from 'better-sqlite3';
import type { CorLabelView, Facets, ImageDetail, ImageFilter, ImagePage, ImageRow } from '../../../shared/rpc/browse-methods.js';
import type { DatasetInfo } from '../../../shared/rpc/datasets-methods.js';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import { readReviewedLabel } from '../audit/reviewed-labels.js';
import { bitsToFlags, flagsToBits, LABEL_FLAGS, FLAG_BITS } from '../geo/flags.js';
import { filterSql, hasPlaceFilter, labelJoin, relabeledSql, type FilterSql, type NameMatches } from './filter-sql.js';
import type { FilterContext } from './filter-sql.js';
import type { FacetRow } from '../datasets/label-facets.js';

/** A photo whose reviewed label is not the gazetteer's, with both. */
interface RelabeledRow {
  imageId: number;
  countryCode: string | null;
  country: string | null;
  regionCode: string | null;
  region: string | null;
  city: string | null;
  gCountryCode: string | null;
  gRegionCode: string | null;
  gRegion: string | null;
  gCity: string | null;
  gFlags: number | null;
}

/** The label a page row shows: the reviewed one where a review changed it. */
const reviewJoin = 'LEFT JOIN reviewed_labels v ON v.image_id = i.id AND v.relabeled = 1';
const label = (column: string): string => `CASE WHEN v.image_id IS NULL THEN g.${column} ELSE v.${column} END AS ${column}`;
const COLUMNS = `i.id, i.rel_path, i.lat, i.lon, i.photo, ${['country_code', 'country', 'region', 'city'].map(label).join(', ')}, g.flags`;
import { pointsBuffer } from './points.js';

/** Counting stops here for filters that cannot use an index (free text, boxes). */
export const countCap = 1_000_000;

interface RawRow {
  id: number;
  rel_path: string;
  lat: number | null;
  lon: number | null;
  photo: number;
  country_code: string | null;
  country: string | null;
  region: string | null;
  city: string | null;
  flags: number | null;
}

export class ImageQueries {
  private readonly totals = new Map<string, { total: number; capped: boolean }>();
  private readonly facetCache = new Map<string, Facets>();
  private readonly idRanges = new Map<number, { min: number; max: number; count: number }>();
  private readonly facetRows = new Map<number, FacetRow[]>();
  private readonly relabeledRows = new Map<number, RelabeledRow[]>();

  constructor(private readonly db: Database.Database) {}

  /** Call after any write that changes images or labels. */
  invalidate(): void {
    this.totals.clear();
    this.facetCache.clear();
    this.idRanges.clear();
    this.facetRows.clear();
    this.relabeledRows.clear();
  }

  /** Every point under the filter, as the map's binary buffer. */
  points(filter: ImageFilter): Buffer {
    return pointsBuffer(this.db, this.sql(filter), this.relabeledMatches(filter));
  }

  /** The filter as SQL, with free text resolved to the dataset's matching place names. */
  private sql(filter: ImageFilter): FilterSql {
    return filterSql(filter, this.context(filter));
  }

  /** Free text resolved to place names, how a region is given, and whether reviews moved photos. */
  private context(filter: ImageFilter): FilterContext {
    const text = filter.text?.trim();
    return {
      names: text ? this.namesContaining(filter.datasetId, text) : null,
      regionIsCode: filter.region ? this.isRegionCode(filter.datasetId, filter.region) : true,
      relabeled: this.relabeledOf(filter.datasetId).length > 0,
    };
  }

  /**
   * Photos whose reviewed label differs from the gazetteer's (edited, rejected), with
   * both labels: few next to the dataset, read once until the next write.
   */
  private relabeledOf(datasetId: number): RelabeledRow[] {
    let rows = this.relabeledRows.get(datasetId);
    if (!rows) {
      rows = this.db
        .prepare(
          `SELECT v.image_id AS imageId, v.country_code AS countryCode, v.country, v.region_code AS regionCode, v.region, v.city,
                  g.country_code AS gCountryCode, g.region_code AS gRegionCode, g.region AS gRegion, g.city AS gCity, g.flags AS gFlags
             FROM reviewed_labels v LEFT JOIN cor_labels g ON g.image_id = v.image_id AND g.source = 'gazetteer'
            WHERE v.dataset_id = ? AND v.relabeled = 1 ORDER BY v.image_id`,
        )
        .all(datasetId) as RelabeledRow[];
      this.relabeledRows.set(datasetId, rows);
    }
    return rows;
  }

  /** Ids (ascending) of the photos a place filter finds by their reviewed label. */
  private relabeledMatches(filter: ImageFilter): number[] {
    if (!hasPlaceFilter(filter) || this.relabeledOf(filter.datasetId).length === 0) return [];
    const q = relabeledSql(filter, this.context(filter));
    return this.db.prepare(q.sql).pluck().all(...q.params) as number[];
  }

  /** Whether a region filter value is one of the dataset's ISO region codes (else a name). */
  private isRegionCode(datasetId: number, region: string): boolean {
    return this.facetsOf(datasetId).some((r) => r.regionCode === region);
  }

  /** Places whose names contain the text; at most `maxNames` of each kind, so the SQL stays small. */
  private namesContaining(datasetId: number, text: string): NameMatches {
    const maxNames = 200;
    const needle = fold(text);
    const countryCodes = new Set<string>();
    const regions = new Map<string, { countryCode: string; regionCode: string }>();
    const cities = new Set<string>();
    for (const row of this.facetsOf(datasetId)) {
      if (row.countryCode && row.country && fold(row.country).includes(needle)) countryCodes.add(row.countryCode);
      if (row.countryCode && row.regionCode && row.region && fold(row.region).includes(needle)) {
        regions.set(`${row.countryCode}|${row.regionCode}`, { countryCode: row.countryCode, regionCode: row.regionCode });
      }
      if (row.city && fold(row.city).includes(needle)) cities.add(row.city);
    }
    return {
      countryCodes: [...countryCodes].slice(0, maxNames),
      regions: [...regions.values()].slice(0, maxNames),
      cities: [...cities].slice(0, maxNames),
    };
  }

  /**
   * The total of a filter on the label alone (country, region code, city, flags), summed
   * from label_facets: exact, since those columns are the facets' own keys, and a few
   * thousand rows instead of a count over millions of labels that held the main
   * process for up to half a second at 4.7M photos. Null when another condition
   * applies, when the region is matched by name (names are not facet keys), or when
   * the dataset has no facet rows (labels written without them).
   */
  private totalFromFacets(filter: ImageFilter): number | null {
    if ((filter.review ?? 'any') !== 'any' || (filter.photo ?? 'any') !== 'any' || filter.text?.trim() || filter.bbox) return null;
    const flags = filter.flags ?? [];
    if (!filter.country && !filter.region && !filter.city && flags.length === 0) return null;
    const rows = this.facetsOf(filter.datasetId);
    if (rows.length === 0) return null;
    if (filter.region && !this.isRegionCode(filter.datasetId, filter.region)) return null;
    const mask = flagsToBits(flags);
    let total = 0;
    for (const r of rows) {
      if (filter.country && r.countryCode !== filter.country) continue;
      if (filter.region && r.regionCode !== filter.region) continue;
      if (filter.city && r.city !== filter.city) continue;
      if (mask !== 0 && (r.flags & mask) === 0) continue;
      total += r.count;
    }
    // The facets count gazetteer labels: a place filter leaves out photos a review moved elsewhere.
    if (hasPlaceFilter(filter)) {
      for (const r of this.relabeledOf(filter.datasetId)) {
        if (filter.country && r.gCountryCode !== filter.country) continue;
        if (filter.region && r.gRegionCode !== filter.region) continue;
        if (filter.city && r.gCity !== filter.city) continue;
        if (mask !== 0 && ((r.gFlags ?? 0) & mask) === 0) continue;
        total--;
      }
    }
    return total;
  }

  private facetsOf(datasetId: number): FacetRow[] {
    let rows = this.facetRows.get(datasetId);
    if (!rows) {
      rows = this.db
        .prepare(
          `SELECT country_code AS countryCode, country, region_code AS regionCode, region, city, flags, count
             FROM label_facets WHERE dataset_id = ? AND source = 'gazetteer'`,
        )
        .all(datasetId) as FacetRow[];
      this.facetRows.set(datasetId, rows);
    }
    return rows;
  }

  listDatasets(): DatasetInfo[] {
    const rows = this.db
      .prepare(
        `SELECT d.id, d.name, d.format, d.source, d.root_dir AS rootDir, d.created_at AS createdAt,
                (SELECT COUNT(*) FROM images i WHERE i.dataset_id = d.id) AS images,
                (SELECT COUNT(*) FROM images i WHERE i.dataset_id = d.id AND i.photo = 1) AS photosPresent,
                -- From the facet counts, else the import's own count (a join over
                -- millions of labels took most of a second at 4.7M photos); datasets
                -- written without either are counted.
                COALESCE((SELECT SUM(f.count) FROM label_facets f WHERE f.dataset_id = d.id AND f.source = 'gazetteer'),
                         json_extract(d.stats_json, '$.labeled'),
                         (SELECT COUNT(*) FROM images i JOIN cor_labels g ON g.image_id = i.id AND g.source = 'gazetteer'
                           WHERE i.dataset_id = d.id)) AS labeled
           FROM datasets d ORDER BY d.id`,
      )
      .all() as DatasetInfo[];
    return rows;
  }

  page(filter: ImageFilter, offset: number, limit: number): ImagePage {
    const started = performance.now();
    const sql = this.sql(filter);
    const { total, capped } = this.total(filter);
    const columns = COLUMNS;
    let raw: RawRow[];
    const range = sql.datasetOnly ? this.idRange(filter.datasetId) : null;
    const extra = this.relabeledMatches(filter);
    if (range && range.max - range.min + 1 === range.count) {
      // Ids of one import are contiguous: jump straight to the page, even at the end of millions.
      const first = range.min + offset;
      raw = this.db
        .prepare(`SELECT ${columns} FROM images i ${labelJoin} ${reviewJoin} WHERE i.id BETWEEN ? AND ? AND i.dataset_id = ? ORDER BY i.id`)
        .all(first, Math.min(first + limit - 1, range.max), filter.datasetId) as RawRow[];
    } else if (extra.length > 0) {
      raw = this.mergedPage(sql, extra, total - extra.length, offset, limit);
    } else {
      raw = this.db
        .prepare(`SELECT ${columns} FROM ${sql.from} ${reviewJoin} WHERE ${sql.where} ORDER BY ${sql.idColumn} LIMIT ? OFFSET ?`)
        .all(...sql.params, limit, offset) as RawRow[];
    }
    return { total, totalCapped: capped, offset, rows: raw.map(toRow), ms: performance.now() - started };
  }

  /**
   * A page of two id-ordered streams: the filter's rows by the gazetteer's label (an
   * index walk, relabeled photos left out) and the few photos it finds by their
   * reviewed label. Positions in the merge are counted exactly from a window of the
   * first stream that starts early enough to hold every candidate.
   */
  private mergedPage(sql: FilterSql, extra: number[], totalByGazetteer: number, offset: number, limit: number): RawRow[] {
    const nb = extra.length;
    const start = Math.max(0, offset - nb);
    const window = this.db
      .prepare(`SELECT ${COLUMNS} FROM ${sql.from} ${reviewJoin} WHERE ${sql.where} ORDER BY ${sql.idColumn} LIMIT ? OFFSET ?`)
      .all(...sql.params, limit + nb, start) as RawRow[];
    const full = window.length === limit + nb;
    const placed: { pos: number; id: number; row: RawRow | null }[] = [];
    let j = 0;
    for (let k = 0; k < window.length; k++) {
      const row = window[k] as RawRow;
      while (j < nb && (extra[j] as number) < row.id) j++;
      placed.push({ pos: start + k + j, id: row.id, row });
    }
    for (let b = 0; b < nb; b++) {
      const id = extra[b] as number;
      const firstId = window[0]?.id;
      let before: number | null;
      if (firstId === undefined) before = start === 0 ? 0 : totalByGazetteer;
      else if (id < firstId) before = start === 0 ? 0 : null; // before the window: ahead of this page
      else if (id > (window.at(-1)?.id ?? 0) && full) before = null; // after the window: beyond this page
      else before = start + window.filter((r) => r.id < id).length;
      if (before !== null) placed.push({ pos: b + before, id, row: null });
    }
    const wanted = placed.filter((p) => p.pos >= offset && p.pos < offset + limit).sort((a, b) => a.pos - b.pos);
    const missing = wanted.filter((p) => p.row === null).map((p) => p.id);
    const byId = new Map<number, RawRow>();
    if (missing.length > 0) {
      const rows = this.db
        .prepare(`SELECT ${COLUMNS} FROM images i ${labelJoin} ${reviewJoin} WHERE i.id IN (${missing.map(() => '?').join(', ')})`)
        .all(...missing) as RawRow[];
      for (const r of rows) byId.set(r.id, r);
    }
    return wanted.map((p) => p.row ?? byId.get(p.id)).filter((r): r is RawRow => r !== undefined);
  }

  total(filter: ImageFilter): { total: number; capped: boolean } {
    const key = JSON.stringify(filter);
    const cached = this.totals.get(key);
    if (cached) return cached;
    const sql = this.sql(filter);
    let result: { total: number; capped: boolean };
    const fromFacets = sql.datasetOnly ? null : this.totalFromFacets(filter);
    if (sql.datasetOnly) {
      result = { total: this.idRange(filter.datasetId).count, capped: false };
    } else if (fromFacets !== null) {
      result = { total: fromFacets, capped: false };
    } else {
      const needsCap = Boolean(filter.text?.trim()) || Boolean(filter.bbox);
      const inner = `SELECT 1 FROM ${sql.from} WHERE ${sql.where}${needsCap ? ' LIMIT ?' : ''}`;
      const params = needsCap ? [...sql.params, countCap + 1] : sql.params;
      const n = (this.db.prepare(`SELECT COUNT(*) AS n FROM (${inner})`).get(...params) as { n: number }).n;
      result = n > countCap ? { total: countCap, capped: true } : { total: n, capped: false };
    }
    const extra = this.relabeledMatches(filter).length;
    if (extra > 0) result = { total: result.total + extra, capped: result.capped };
    this.totals.set(key, result);
    return result;
  }

  facets(filter: ImageFilter): Facets {
    // Menus list the dataset's countries, the regions of the chosen country, and flags.
    const key = `${filter.datasetId}|${filter.country ?? ''}`;
    const cached = this.facetCache.get(key);
    if (cached) return cached;
    const rows = this.facetsOf(filter.datasetId);
    const countries = new Map<string, { code: string; name: string; count: number }>();
    const regions = new Map<string, { code: string; name: string; count: number }>();
    const flagCounts = new Map<string, number>();
    for (const r of rows) {
      if (r.countryCode) {
        const c = countries.get(r.countryCode) ?? { code: r.countryCode, name: r.country ?? r.countryCode, count: 0 };
        c.count += r.count;
        countries.set(r.countryCode, c);
      }
      if (filter.country && r.countryCode === filter.country && r.region) {
        const code = r.regionCode ?? r.region;
        const g = regions.get(code) ?? { code, name: r.region, count: 0 };
        g.count += r.count;
        regions.set(code, g);
      }
      for (const flag of LABEL_FLAGS) {
        if ((r.flags & FLAG_BITS[flag]) !== 0) flagCounts.set(flag, (flagCounts.get(flag) ?? 0) + r.count);
      }
    }
    // Photos a review moved: counted at their reviewed label's country and region.
    const move = <T extends { code: string; name: string; count: number }>(map: Map<string, T>, code: string | null, name: string | null, by: number, make: (code: string, name: string) => T): void => {
      if (!code) return;
      const entry = map.get(code) ?? make(code, name ?? code);
      entry.count += by;
      map.set(code, entry);
    };
    const entry = (code: string, name: string): { code: string; name: string; count: number } => ({ code, name, count: 0 });
    for (const r of this.relabeledOf(filter.datasetId)) {
      move(countries, r.gCountryCode, null, -1, entry);
      move(countries, r.countryCode, r.country, 1, entry);
      if (filter.country && r.gCountryCode === filter.country) move(regions, r.gRegionCode ?? r.gRegion, r.gRegion, -1, entry);
      if (filter.country && r.countryCode === filter.country) move(regions, r.regionCode ?? r.region, r.region, 1, entry);
    }
    const byCount = <T extends { count: number }>(a: T, b: T): number => b.count - a.count;
    const result: Facets = {
      countries: [...countries.values()].filter((c) => c.count > 0).sort(byCount),
      regions: [...regions.values()].filter((r) => r.count > 0).sort(byCount),
      flags: LABEL_FLAGS.map((flag) => ({ flag, count: flagCounts.get(flag) ?? 0 })),
    };
    this.facetCache.set(key, result);
    return result;
  }

  detail(id: number): ImageDetail {
    const image = this.db
      .prepare(
        `SELECT i.id, i.dataset_id AS datasetId, d.name AS datasetName, i.rel_path AS relPath, i.lat, i.lon,
                i.split, i.photo, i.meta_json AS metaJson
           FROM images i JOIN datasets d ON d.id = i.dataset_id WHERE i.id = ?`,
      )
      .get(id) as (Omit<ImageDetail, 'meta' | 'labels'> & { metaJson: string | null }) | undefined;
    if (!image) throw new RpcError(ErrorCode.NotFound, `no photo with id ${id}`);
    const labels = (
      this.db
        .prepare(
          `SELECT source, country_code, country, region_code, region, city, city_lat, city_lon, city_km, border_km, flags
             FROM cor_labels WHERE image_id = ? ORDER BY CASE source WHEN 'gazetteer' THEN 0 ELSE 1 END, source`,
        )
        .all(id) as {
        source: string;
        country_code: string | null;
        country: string | null;
        region_code: string | null;
        region: string | null;
        city: string | null;
        city_lat: number | null;
        city_lon: number | null;
        city_km: number | null;
        border_km: number | null;
        flags: number;
      }[]
    ).map(
      (l): CorLabelView => ({
        source: l.source,
        countryCode: l.country_code,
        country: l.country,
        regionCode: l.region_code,
        region: l.region,
        city: l.city,
        cityLat: l.city_lat,
        cityLon: l.city_lon,
        cityKm: l.city_km,
        borderKm: l.border_km,
        flags: bitsToFlags(l.flags),
      }),
    );
    // Where a review changed the label, the reviewed label comes first: it is the photo's label now.
    const reviewed = readReviewedLabel(this.db, id);
    if (reviewed?.relabeled) {
      labels.unshift({
        source: 'review',
        countryCode: reviewed.countryCode,
        country: reviewed.country,
        regionCode: reviewed.regionCode,
        region: reviewed.region,
        city: reviewed.city,
        cityLat: reviewed.cityLat,
        cityLon: reviewed.cityLon,
        cityKm: reviewed.cityKm,
        borderKm: null,
        flags: [],
      });
    }
    const { metaJson, ...rest } = image;
    return { ...rest, meta: parseMeta(metaJson), labels };
  }

  private idRange(datasetId: number): { min: number; max: number; count: number } {
    let range = this.idRanges.get(datasetId);
    if (!range) {
      const row = this.db
        .prepare('SELECT MIN(id) AS min, MAX(id) AS max, COUNT(*) AS count FROM images WHERE dataset_id = ?')
        .get(datasetId) as { min: number | null; max: number | null; count: number };
      range = { min: row.min ?? 0, max: row.max ?? -1, count: row.count };
      this.idRanges.set(datasetId, range);
    }
    return range;
  }
}

/** Case- and accent-insensitive form for the place-name search. */
function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

function toRow(r: RawRow): ImageRow {
  return {
    id: r.id,
    relPath: r.rel_path,
    lat: r.lat,
    lon: r.lon,
    photo: r.photo,
    countryCode: r.country_code,
    country: r.country,
    region: r.region,
    city: r.city,
    flags: bitsToFlags(r.flags ?? 0),
  };
}

function parseMeta(json: string | null): Record<string, unknown> {
  if (!json) return {};
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
