/**
 * Turns the browser's filter into SQL that an index answers in image-id order, so a
 * page of a 4.7M-photo dataset never needs a sort:
 * - filters on the label (country, region, city, flags) drive from cor_labels'
 *   (source, dataset_id, …, image_id) indexes and join images by primary key;
 * - the others drive from images and left-join the label;
 * - free text becomes a set of ids (place names that contain it, from the small
 *   label_facets table, or file paths that start with it) the rows must be in.
 * Every value is a bound parameter; nothing from the filter is spliced into SQL text.
 */
import type { ImageFilter } from '../../../shared/rpc/browse-methods.js';
import { flagsToBits } from '../geo/flags.js';

export interface FilterSql {
  /** FROM … JOIN … */
  from: string;
  where: string;
  params: unknown[];
  /** The id column rows are ordered and ranged by. */
  idColumn: 'i.id' | 'g.image_id';
  /** True when only the dataset is constrained (paging can use id arithmetic). */
  datasetOnly: boolean;
}

/** Places of one dataset whose names contain a search text (from label_facets), as index keys. */
export interface NameMatches {
  countryCodes: string[];
  regions: { countryCode: string; regionCode: string }[];
  cities: string[];
}

export const labelJoin = "LEFT JOIN cor_labels g ON g.image_id = i.id AND g.source = 'gazetteer'";
const labelDriven = "cor_labels g JOIN images i ON i.id = g.image_id";
/**
 * Flags alone: name the index of flagged labels. The place indexes are partial too
 * (gazetteer labels only), and without ANALYZE statistics SQLite rates every partial
 * index the same, so a COUNT(*) of a flag filter (no ORDER BY to tip the balance) may
 * walk all of the dataset's labels through the city index: seconds at 4.7M photos.
 */
const flaggedDriven = "cor_labels g INDEXED BY cor_labels_flagged JOIN images i ON i.id = g.image_id";

/**
 * The review status of a photo: its row in reviewed_labels (what its latest review
 * left), else unreviewed, the one definition the audit's queue and statistics use too.
 */
const reviewedRow = 'SELECT 1 FROM reviewed_labels rv WHERE rv.image_id = i.id';

function inList(column: string, values: string[], params: unknown[]): string {
  params.push(...values);
  return `${column} IN (${values.map(() => '?').join(', ')})`;
}

export interface FilterContext {
  /** Place names containing the search text, when there is one. */
  names?: NameMatches | null;
  /** Whether `filter.region` is an ISO code (else a region name without one). */
  regionIsCode?: boolean;
  /**
   * Whether the dataset has photos whose reviewed label differs from the gazetteer's:
   * then a place filter leaves them out here, and `relabeledSql` finds those whose
   * reviewed label matches.
   */
  relabeled?: boolean;
}

/** Whether a filter names a place (country, region, city): the levels a review can change. */
export function hasPlaceFilter(filter: ImageFilter): boolean {
  return Boolean(filter.country || filter.region || filter.city);
}

const relabeledIds = 'SELECT image_id FROM reviewed_labels WHERE dataset_id = ? AND relabeled = 1';

export function filterSql(filter: ImageFilter, context: FilterContext = {}): FilterSql {
  const names = context.names ?? null;
  const byLabel = Boolean(filter.country || filter.region || filter.city || (filter.flags && filter.flags.length > 0));
  const where: string[] = [];
  const params: unknown[] = [];
  const text = filter.text?.trim();
  if (byLabel) {
    where.push("g.source = 'gazetteer'", 'g.dataset_id = ?');
  } else {
    // With a text search the id set is small: the unary + keeps SQLite from scanning
    // the dataset index and makes it walk the ids instead.
    where.push(text ? '+i.dataset_id = ?' : 'i.dataset_id = ?');
  }
  params.push(filter.datasetId);
  if (filter.country) {
    where.push('g.country_code = ?');
    params.push(filter.country);
  }
  if (filter.region) {
    // One column per case, so the (country, region, image_id) index serves it.
    where.push(context.regionIsCode === false ? 'g.region = ?' : 'g.region_code = ?');
    params.push(filter.region);
  }
  if (filter.city) {
    where.push('g.city = ?');
    params.push(filter.city);
  }
  if (context.relabeled && hasPlaceFilter(filter)) {
    where.push(`g.image_id NOT IN (${relabeledIds})`);
    params.push(filter.datasetId);
  }
  if (filter.flags && filter.flags.length > 0) {
    const mask = flagsToBits(filter.flags);
    // `g.flags <> 0` written out lets SQLite use the partial index of flagged labels.
    where.push('g.flags <> 0', '(g.flags & ?) <> 0');
    params.push(mask);
  }
  switch (filter.review ?? 'any') {
    case 'unreviewed':
      where.push(`NOT EXISTS (${reviewedRow})`);
      break;
    case 'reviewed':
      where.push(`EXISTS (${reviewedRow})`);
      break;
    case 'accepted':
    case 'rejected':
    case 'edited':
      where.push(`EXISTS (${reviewedRow} AND rv.status = ?)`);
      params.push(filter.review);
      break;
    default:
      break;
  }
  if (filter.photo === 'present') where.push('i.photo = 1');
  if (filter.photo === 'missing') where.push('i.photo <> 1');
  if (text) {
    const parts: string[] = [];
    const labels = "SELECT image_id FROM cor_labels WHERE source = 'gazetteer' AND dataset_id = ?";
    if (names && names.countryCodes.length > 0) {
      params.push(filter.datasetId);
      parts.push(`${labels} AND ${inList('country_code', names.countryCodes, params)}`);
    }
    for (const region of names?.regions ?? []) {
      parts.push(`${labels} AND country_code = ? AND region_code = ?`);
      params.push(filter.datasetId, region.countryCode, region.regionCode);
    }
    if (names && names.cities.length > 0) {
      params.push(filter.datasetId);
      parts.push(`${labels} AND ${inList('city', names.cities, params)}`);
    }
    // File paths starting with the text: a range on the (dataset_id, rel_path) index.
    parts.push('SELECT id FROM images WHERE dataset_id = ? AND rel_path >= ? AND rel_path < ?');
    params.push(filter.datasetId, text, `${text}\u{10FFFF}`);
    where.push(`i.id IN (${parts.join(' UNION ')})`);
  }
  if (filter.bbox) {
    const [south, west, north, east] = filter.bbox;
    where.push('i.lat BETWEEN ? AND ?');
    params.push(south, north);
    // A box across the antimeridian has west > east.
    if (west <= east) {
      where.push('i.lon BETWEEN ? AND ?');
      params.push(west, east);
    } else {
      where.push('(i.lon >= ? OR i.lon <= ?)');
      params.push(west, east);
    }
  }
  return {
    from: !byLabel ? `images i ${labelJoin}` : filter.country || filter.region || filter.city ? labelDriven : flaggedDriven,
    where: where.join(' AND '),
    params,
    idColumn: byLabel ? 'g.image_id' : 'i.id',
    datasetOnly: where.length === 1,
  };
}

/**
 * The photos a place filter finds by their reviewed label (where it differs from the
 * gazetteer's): the filter's other conditions as usual, the place conditions on the
 * reviewed label. Ids in order; reviewed labels are few, so this reads few rows.
 */
export function relabeledSql(filter: ImageFilter, context: FilterContext = {}): { sql: string; params: unknown[] } {
  const { country, region, city, flags, ...rest } = filter;
  // Without place or flag conditions the others drive from images; the few reviewed labels lead the join.
  const others = filterSql(rest, { ...context, relabeled: false });
  const where = [others.where, 'i.id = v.image_id', 'v.dataset_id = ?', 'v.relabeled = 1'];
  const params = [...others.params, filter.datasetId];
  if (flags && flags.length > 0) {
    where.push('g.flags <> 0', '(g.flags & ?) <> 0');
    params.push(flagsToBits(flags));
  }
  if (country) {
    where.push('v.country_code = ?');
    params.push(country);
  }
  if (region) {
    where.push(context.regionIsCode === false ? 'v.region = ?' : 'v.region_code = ?');
    params.push(region);
  }
  if (city) {
    where.push('v.city = ?');
    params.push(city);
  }
  // CROSS JOIN keeps the reviewed labels first: SQLite would rather walk the dataset's images in id order.
  return { sql: `SELECT i.id FROM reviewed_labels v CROSS JOIN ${others.from} WHERE ${where.join(' AND ')} ORDER BY i.id`, params };
}
