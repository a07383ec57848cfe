/**
 * The place filters must be answered from the cor_labels indexes, never by scanning
 * the labels: on a 4.7M-photo project a scan is seconds per page. The indexes are
 * partial (gazetteer labels only, migration 5), which SQLite uses only when the query
 * says `source = 'gazetteer'` itself: these plans catch a query that stops saying it.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageFilter } from '../../shared/rpc/browse-methods.js';
import { PAGE_SQL, queueSource, type QueueParams } from '../../electron/services/audit/queue.js';
import { filterSql, relabeledSql } from '../../electron/services/browse/filter-sql.js';
import { ProjectStore } from '../../electron/services/store/project-store.js';
import { tempDir } from '../helpers/temp.js';

let store: ProjectStore;
let cleanup: () => void;

beforeAll(() => {
  let dir: string;
  ({ dir, cleanup } = tempDir('georeason-plans-'));
  store = ProjectStore.create(path.join(dir, 'plans.georeason.sqlite'));
  const db = store.db;
  db.prepare("INSERT INTO datasets(id, name, format, source, created_at) VALUES (1, 'd', 'csv', 'x.csv', '2026-01-01')").run();
  const image = db.prepare('INSERT INTO images(id, dataset_id, rel_path, lat, lon) VALUES (?, 1, ?, 48.85, 2.35)');
  const label = db.prepare(
    "INSERT INTO cor_labels(image_id, dataset_id, source, country_code, country, region_code, region, city, flags, created_at) VALUES (?, 1, ?, 'FR', 'France', 'FR-IDF', 'Île-de-France', 'Paris', ?, '2026-01-01')",
  );
  for (let id = 1; id <= 200; id++) {
    image.run(id, `p/${id}.jpg`);
    label.run(id, 'gazetteer', id % 7 === 0 ? 2 : 0);
    label.run(id, 'dataset', 0);
  }
});
afterAll(() => {
  store.close();
  cleanup();
});

type Names = NonNullable<Parameters<typeof filterSql>[1]>['names'];

/** The plan of a page (ordered, limited) or of a count / the map's points (neither). */
function plan(filter: ImageFilter, names: Names = null, query: 'page' | 'count' = 'page'): string {
  const sql = filterSql(filter, { names, regionIsCode: true });
  const select = query === 'page' ? `SELECT i.id FROM ${sql.from} WHERE ${sql.where} ORDER BY ${sql.idColumn} LIMIT 50` : `SELECT COUNT(*) FROM (SELECT 1 FROM ${sql.from} WHERE ${sql.where})`;
  const rows = store.db.prepare(`EXPLAIN QUERY PLAN ${select}`).all(...sql.params) as { detail: string }[];
  return rows.map((r) => r.detail).join('\n');
}

describe('place filters use the partial label indexes', () => {
  it.each([
    ['country', { datasetId: 1, country: 'FR' }, 'cor_labels_by_country'],
    ['region', { datasetId: 1, country: 'FR', region: 'FR-IDF' }, 'cor_labels_by_region'],
    ['city', { datasetId: 1, city: 'Paris' }, 'cor_labels_by_city'],
    ['flags', { datasetId: 1, flags: ['near_border'] }, 'cor_labels_flagged'],
  ] as [string, ImageFilter, string][])('%s', (_name, filter, index) => {
    const p = plan(filter);
    expect(p).toMatch(new RegExp(`USING (COVERING )?INDEX ${index}\\b`));
    expect(p).not.toMatch(/SCAN g\b|SCAN cor_labels/);
    expect(p).not.toContain('TEMP B-TREE'); // no sort: pages come in id order
    // Totals and map points: no ORDER BY, and still the filter's own index (a flag
    // count once walked every label of the dataset through the city index).
    const c = plan(filter, null, 'count');
    // A country's labels are one range of the audit's (country, risk) index too: as good for a count.
    const countIndex = index === 'cor_labels_by_country' ? 'cor_labels_by_country(_risk)?' : index;
    expect(c).toMatch(new RegExp(`USING (COVERING )?INDEX ${countIndex}\\b`));
    expect(c).not.toMatch(/SCAN g\b|SCAN cor_labels/);
  });

  it('text matching place names', () => {
    const p = plan({ datasetId: 1, text: 'par' }, { countryCodes: ['FR'], regions: [{ countryCode: 'FR', regionCode: 'FR-IDF' }], cities: ['Paris'] });
    expect(p).toMatch(/cor_labels_by_country/);
    expect(p).toMatch(/cor_labels_by_region/);
    expect(p).toMatch(/cor_labels_by_city/);
    expect(p).not.toMatch(/SCAN cor_labels/);
  });
});

describe('the review queue walks the risk indexes', () => {
  function queuePlan(p: Omit<QueueParams, 'cursor' | 'limit'>, part: 'first' | 'sameRisk' | 'lower'): string {
    const src = queueSource({ ...p, cursor: 0, limit: 50 });
    const sql = part === 'sameRisk' ? PAGE_SQL.sameRisk(src.from, src.where) : PAGE_SQL.lower(src.from, src.where, part === 'first');
    const params = [...src.params, ...(part === 'sameRisk' ? [1, 1] : part === 'lower' ? [1] : []), 50];
    const rows = store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[];
    return rows.map((r) => r.detail).join('\n');
  }

  it.each([
    ['all', { datasetId: 1, scope: 'all' }, 'cor_labels_by_risk'],
    ['unreviewed', { datasetId: 1, scope: 'unreviewed' }, 'cor_labels_by_risk'],
    ['unreviewed, a flag', { datasetId: 1, scope: 'unreviewed', flag: 'near_border' }, 'cor_labels_by_risk'],
    ['unreviewed, a country', { datasetId: 1, scope: 'unreviewed', country: 'FR' }, 'cor_labels_by_country_risk'],
  ] as [string, Omit<QueueParams, 'cursor' | 'limit'>, string][])('%s: no sort, no scan', (_name, params, index) => {
    for (const part of ['first', 'sameRisk', 'lower'] as const) {
      const p = queuePlan(params, part);
      expect(p).toMatch(new RegExp(`USING (COVERING )?INDEX ${index}\\b`));
      expect(p).not.toContain('TEMP B-TREE');
      expect(p).not.toMatch(/SCAN g\b|SCAN cor_labels/);
      // Reviewed photos are looked up by id, never scanned.
      if (params.scope === 'unreviewed') expect(p).toMatch(/reviewed_labels USING INTEGER PRIMARY KEY|SEARCH v USING INTEGER PRIMARY KEY/);
    }
  });

  it('reviewed: starts from the few reviewed photos', () => {
    const p = queuePlan({ datasetId: 1, scope: 'reviewed' }, 'first');
    expect(p).toMatch(/SEARCH v USING (COVERING )?INDEX reviewed_labels_by_dataset/);
    expect(p).not.toMatch(/SCAN g\b|SCAN cor_labels/);
  });
});

describe('place filters with relabeled photos', () => {
  const explain = (sql: string, params: unknown[]): string =>
    (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join('\n');

  it.each([
    ['country', { datasetId: 1, country: 'FR' }, 'cor_labels_by_country'],
    ['city', { datasetId: 1, city: 'Paris' }, 'cor_labels_by_city'],
  ] as [string, ImageFilter, string][])('%s: the gazetteer side still walks its index in id order', (_name, filter, index) => {
    const sql = filterSql(filter, { relabeled: true, regionIsCode: true });
    const p = explain(
      `SELECT i.id FROM ${sql.from} LEFT JOIN reviewed_labels v ON v.image_id = i.id AND v.relabeled = 1 WHERE ${sql.where} ORDER BY ${sql.idColumn} LIMIT 50`,
      sql.params,
    );
    expect(p).toMatch(new RegExp(`USING (COVERING )?INDEX ${index}\\b`));
    expect(p).not.toContain('TEMP B-TREE');
    expect(p).not.toMatch(/SCAN g\b|SCAN cor_labels|SCAN i\b/);
  });

  it('the reviewed side starts from the few relabeled photos', () => {
    const q = relabeledSql({ datasetId: 1, country: 'FR', flags: ['near_border'] }, { regionIsCode: true });
    const p = explain(q.sql, q.params);
    expect(p).toMatch(/SEARCH v USING (COVERING )?INDEX reviewed_labels_relabeled/);
    expect(p).not.toMatch(/SCAN g\b|SCAN cor_labels|SCAN i\b/);
  });
});
