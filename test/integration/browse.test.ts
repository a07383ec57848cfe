/**
 * The browser's queries against a real project file: every filter agrees with a
 * brute-force check over all rows, pages are in id order at any depth, facets add up,
 * and the map's point buffer holds exactly the filtered points.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlagName, ImageFilter } from '../../shared/rpc/browse-methods.js';
import { ImageQueries } from '../../electron/services/browse/image-queries.js';
import { rebuildReviewedLabels } from '../../electron/services/audit/reviewed-labels.js';
import { refreshLabelFacets } from '../../electron/services/datasets/label-facets.js';
import { FLAG_BITS } from '../../electron/services/geo/flags.js';
import { ProjectStore } from '../../electron/services/store/project-store.js';
import { tempDir } from '../helpers/temp.js';

interface Row {
  id: number;
  dataset: number;
  relPath: string;
  lat: number;
  lon: number;
  photo: number;
  cc: string;
  country: string;
  regionCode: string | null;
  region: string;
  city: string;
  flags: number;
  verdict: string | null;
}

const places = [
  { cc: 'FR', country: 'France', regionCode: 'FR-IDF', region: 'Île-de-France', city: 'Paris', lat: 48.85, lon: 2.35 },
  { cc: 'FR', country: 'France', regionCode: 'FR-ARA', region: 'Auvergne-Rhône-Alpes', city: 'Lyon', lat: 45.76, lon: 4.83 },
  { cc: 'JP', country: 'Japan', regionCode: 'JP-13', region: 'Tokyo', city: 'Tokyo', lat: 35.68, lon: 139.69 },
  { cc: 'JP', country: 'Japan', regionCode: 'JP-27', region: 'Ōsaka', city: 'Ōsaka', lat: 34.69, lon: 135.5 },
  { cc: 'NZ', country: 'New Zealand', regionCode: null, region: 'Chatham Islands', city: 'Waitangi', lat: -43.95, lon: -176.56 },
  { cc: 'FJ', country: 'Fiji', regionCode: 'FJ-E', region: 'Eastern', city: 'Levuka', lat: -17.68, lon: 178.84 },
];

let store: ProjectStore;
let queries: ImageQueries;
let cleanup: () => void;
const rows: Row[] = [];

beforeAll(() => {
  let dir: string;
  ({ dir, cleanup } = tempDir());
  store = ProjectStore.create(path.join(dir, 'b.georeason.sqlite'));
  const db = store.db;
  db.prepare("INSERT INTO datasets(id, name, format, created_at) VALUES (1, 'a', 'csv', 'now'), (2, 'b', 'csv', 'now')").run();
  const image = db.prepare('INSERT INTO images(id, dataset_id, rel_path, lat, lon, photo) VALUES (?, ?, ?, ?, ?, ?)');
  const label = db.prepare(
    `INSERT INTO cor_labels(image_id, dataset_id, source, country_code, country, region_code, region, city, flags, created_at)
     VALUES (?, ?, 'gazetteer', ?, ?, ?, ?, ?, ?, 'now')`,
  );
  const review = db.prepare("INSERT INTO label_reviews(image_id, verdict, after_json, at) VALUES (?, ?, ?, 'now')");
  const undo = db.prepare("INSERT INTO label_reviews(image_id, verdict, after_json, at) VALUES (?, 'undo', ?, 'now')");
  db.transaction(() => {
    for (let id = 1; id <= 600; id++) {
      const dataset = id <= 500 ? 1 : 2;
      const p = places[(id * 7) % places.length]!;
      const flags = id % 11 === 0 ? FLAG_BITS.near_border : id % 17 === 0 ? FLAG_BITS.ocean | FLAG_BITS.far_city : 0;
      const verdict = id % 23 === 0 ? 'accepted' : id % 29 === 0 ? 'rejected' : null;
      const row: Row = {
        id,
        dataset,
        relPath: `${p.city.toLowerCase()}/${id}.jpg`,
        lat: p.lat + (id % 5) * 0.01,
        lon: p.lon,
        photo: id % 3 === 0 ? 1 : 0,
        cc: p.cc,
        country: p.country,
        regionCode: p.regionCode,
        region: p.region,
        city: p.city,
        flags,
        verdict,
      };
      rows.push(row);
      image.run(id, dataset, row.relPath, row.lat, row.lon, row.photo);
      label.run(id, dataset, p.cc, p.country, p.regionCode, p.region, p.city, flags);
      // History: the latest entry's status counts, and an undo restores an earlier one.
      // Every state keeps the gazetteer's chain here (edits that moved a photo: audit-review-state.test.ts).
      const chain = { countryCode: p.cc, country: p.country, regionCode: p.regionCode, region: p.region, city: p.city };
      const state = (status: string): string => JSON.stringify({ ...chain, status });
      if (verdict) review.run(id, verdict === 'rejected' ? 'accepted' : verdict, state(verdict === 'rejected' ? 'accepted' : verdict));
      if (verdict) review.run(id, verdict, state(verdict));
      if (id % 31 === 0) {
        review.run(id, 'edited', state('edited'));
        undo.run(id, state(verdict ?? 'unreviewed'));
      }
    }
    refreshLabelFacets(db, 1);
    refreshLabelFacets(db, 2);
    // The reviews were written by SQL, not the review store: derive each photo's current label as the migration does.
    rebuildReviewedLabels(db);
  })();
  queries = new ImageQueries(db);
});
afterAll(() => {
  store.close();
  cleanup();
});

function expected(filter: ImageFilter): number[] {
  const fold = (s: string): string => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  return rows
    .filter((r) => r.dataset === filter.datasetId)
    .filter((r) => !filter.country || r.cc === filter.country)
    .filter((r) => !filter.region || (r.regionCode ?? r.region) === filter.region)
    .filter((r) => !filter.city || r.city === filter.city)
    .filter((r) => !filter.flags || filter.flags.some((f) => (r.flags & FLAG_BITS[f]) !== 0))
    .filter((r) => filter.photo !== 'present' || r.photo === 1)
    .filter((r) => filter.photo !== 'missing' || r.photo !== 1)
    .filter((r) => !filter.review || filter.review === 'any' || (filter.review === 'unreviewed' ? !r.verdict : filter.review === 'reviewed' ? !!r.verdict : r.verdict === filter.review))
    .filter((r) => {
      if (!filter.text) return true;
      const t = fold(filter.text);
      return [r.country, r.region, r.city].some((n) => fold(n).includes(t)) || r.relPath.startsWith(filter.text);
    })
    .filter((r) => {
      if (!filter.bbox) return true;
      const [s, w, n, e] = filter.bbox;
      const inLon = w <= e ? r.lon >= w && r.lon <= e : r.lon >= w || r.lon <= e;
      return r.lat >= s && r.lat <= n && inLon;
    })
    .map((r) => r.id);
}

const cases: [string, ImageFilter][] = [
  ['dataset only', { datasetId: 1 }],
  ['second dataset', { datasetId: 2 }],
  ['country', { datasetId: 1, country: 'JP' }],
  ['country + region code', { datasetId: 1, country: 'JP', region: 'JP-13' }],
  ['region without a code', { datasetId: 1, country: 'NZ', region: 'Chatham Islands' }],
  ['city', { datasetId: 1, city: 'Lyon' }],
  ['one flag', { datasetId: 1, flags: ['near_border'] as FlagName[] }],
  ['any of two flags', { datasetId: 1, flags: ['ocean', 'near_border'] as FlagName[] }],
  ['photo present', { datasetId: 1, photo: 'present' }],
  ['photo missing + country', { datasetId: 1, photo: 'missing', country: 'FR' }],
  ['reviewed', { datasetId: 1, review: 'reviewed' }],
  ['unreviewed', { datasetId: 1, review: 'unreviewed' }],
  ['latest verdict rejected', { datasetId: 1, review: 'rejected' }],
  ['text: place name, any case and accents', { datasetId: 1, text: 'osaka' }],
  ['text: region name', { datasetId: 1, text: 'rhone' }],
  ['text: file path prefix', { datasetId: 1, text: 'lyon/1' }],
  ['box', { datasetId: 1, bbox: [40, -10, 55, 10] }],
  ['box across the antimeridian', { datasetId: 1, bbox: [-50, 170, -10, -170] }],
  ['country + flag + photo', { datasetId: 1, country: 'FR', flags: ['near_border'] as FlagName[], photo: 'present' }],
  // Label-only filters: totals summed from label_facets, which must agree with the rows.
  ['country + flag', { datasetId: 1, country: 'FR', flags: ['near_border'] as FlagName[] }],
  ['country + city', { datasetId: 1, country: 'FR', city: 'Lyon' }],
  ['region code alone', { datasetId: 1, region: 'JP-13' }],
  ['city + any of two flags', { datasetId: 1, city: 'Lyon', flags: ['ocean', 'near_border'] as FlagName[] }],
  ['country with no photos of it', { datasetId: 1, country: 'ZZ' }],
];

describe('browser queries', () => {
  it.each(cases)('%s: total and pages match a brute-force filter, in id order', (_name, filter) => {
    const want = expected(filter);
    expect(queries.total(filter)).toEqual({ total: want.length, capped: false });
    const got: number[] = [];
    for (let offset = 0; offset < want.length + 50; offset += 50) got.push(...queries.page(filter, offset, 50).rows.map((r) => r.id));
    expect(got).toEqual(want);
  });

  it('pages by id range at any depth when only the dataset is filtered', () => {
    const page = queries.page({ datasetId: 1 }, 480, 50);
    expect(page.rows.map((r) => r.id)).toEqual(Array.from({ length: 20 }, (_, i) => 481 + i));
    expect(page.total).toBe(500);
  });

  it('lists facets that add up to the dataset', () => {
    const facets = queries.facets({ datasetId: 1 });
    expect(facets.countries.reduce((n, c) => n + c.count, 0)).toBe(500);
    expect(facets.countries.find((c) => c.code === 'JP')?.count).toBe(expected({ datasetId: 1, country: 'JP' }).length);
    const withRegions = queries.facets({ datasetId: 1, country: 'NZ' });
    expect(withRegions.regions).toEqual([{ code: 'Chatham Islands', name: 'Chatham Islands', count: expected({ datasetId: 1, country: 'NZ' }).length }]);
    expect(facets.flags.find((f) => f.flag === 'ocean')?.count).toBe(expected({ datasetId: 1, flags: ['ocean'] }).length);
  });

  it('writes the map buffer: count, lon, lat, id of exactly the filtered points', () => {
    const filter: ImageFilter = { datasetId: 1, country: 'FR' };
    const buffer = queries.points(filter);
    const n = buffer.readUInt32LE(0);
    const want = expected(filter);
    expect(n).toBe(want.length);
    const ids = Array.from({ length: n }, (_, i) => buffer.readUInt32LE(4 + n * 8 + i * 4));
    expect(ids).toEqual(want);
    const first = rows.find((r) => r.id === want[0])!;
    expect(buffer.readFloatLE(4)).toBeCloseTo(first.lon, 4);
    expect(buffer.readFloatLE(4 + n * 4)).toBeCloseTo(first.lat, 4);
  });

  it('gives one photo with all its labels', () => {
    const detail = queries.detail(12);
    expect(detail).toMatchObject({ id: 12, datasetId: 1, relPath: rows[11]!.relPath });
    expect(detail.labels[0]).toMatchObject({ source: 'gazetteer', countryCode: rows[11]!.cc });
    expect(() => queries.detail(99_999)).toThrow(/no photo with id/);
  });
});
