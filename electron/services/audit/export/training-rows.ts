/**
 * The rows an export writes: a dataset's photos (or one subset of them) with their
 * current label: the reviewed label (reviewed_labels; edits used, rejected labels
 * left out), else the gazetteer's. Photos without a country or a point are left out, and
 * photos whose file is not present are counted (or left out with onlyPresent).
 */
import type Database from 'better-sqlite3';
import type { Chain, LabelState } from '../../../../shared/rpc/audit-methods.js';
import { gazetteerState } from '../label-state.js';
import { mulberry32 } from '../../../../shared/random.js';

export interface TrainingRow {
  imageId: number;
  relPath: string;
  lat: number;
  lon: number;
  photo: number;
  chain: Chain;
  fromReview: boolean;
}

export type RowOutcome = { row: TrainingRow } | { skipped: 'rejected' | 'no_label' };

interface RawRow {
  id: number;
  rel_path: string;
  lat: number | null;
  lon: number | null;
  photo: number;
  country_code: string | null;
  country: string | null;
  region_code: string | null;
  region: string | null;
  city: string | null;
  status: string | null;
  v_country_code: string | null;
  v_country: string | null;
  v_region_code: string | null;
  v_region: string | null;
  v_city: string | null;
  v_city_free: number | null;
}

export function* trainingRows(db: Database.Database, datasetId: number, subsetId: number | null): Generator<RowOutcome> {
  const subset = subsetId === null ? '' : 'AND i.id IN (SELECT image_id FROM subset_members WHERE subset_id = ?)';
  const sql = `
    SELECT i.id, i.rel_path, i.lat, i.lon, i.photo,
           g.country_code, g.country, g.region_code, g.region, g.city,
           v.status, v.country_code AS v_country_code, v.country AS v_country, v.region_code AS v_region_code,
           v.region AS v_region, v.city AS v_city, v.city_free AS v_city_free
      FROM images i
      LEFT JOIN cor_labels g ON g.image_id = i.id AND g.source = 'gazetteer'
      LEFT JOIN reviewed_labels v ON v.image_id = i.id
     WHERE i.dataset_id = ? ${subset}
     ORDER BY i.id`;
  const params = subsetId === null ? [datasetId] : [datasetId, subsetId];
  for (const r of db.prepare(sql).iterate(...params) as Iterable<RawRow>) {
    if (r.status === 'rejected') {
      yield { skipped: 'rejected' };
      continue;
    }
    const fromReview = r.status !== null;
    const state: LabelState = fromReview
      ? {
          status: r.status as LabelState['status'],
          countryCode: r.v_country_code,
          country: r.v_country,
          regionCode: r.v_region_code,
          region: r.v_region,
          city: r.v_city,
          cityFree: r.v_city_free === 1,
        }
      : gazetteerState(r);
    if (!state.country || r.lat === null || r.lon === null) {
      yield { skipped: 'no_label' };
      continue;
    }
    const { status: _status, ...chain } = state;
    yield { row: { imageId: r.id, relPath: r.rel_path, lat: r.lat, lon: r.lon, photo: r.photo, chain, fromReview } };
  }
}

export { mulberry32 } from '../../../../shared/random.js';

/** The validation ids: a seeded shuffle of the ids, the first round(n × fraction) of it. */
export function validationIds(ids: readonly number[], fraction: number, seed: number): Set<number> {
  const order = [...ids];
  const random = mulberry32(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i] as number;
    order[i] = order[j] as number;
    order[j] = t;
  }
  return new Set(order.slice(0, Math.round(order.length * fraction)));
}
