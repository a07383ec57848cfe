/**
 * label_facets: one dataset's labels counted by (source, country, region, city,
 * flags). Written once when a dataset's labels are made; the filter menus and the
 * place-name search read these few thousand rows instead of millions of labels.
 */
import type Database from 'better-sqlite3';

export function refreshLabelFacets(db: Database.Database, datasetId: number): void {
  db.prepare('DELETE FROM label_facets WHERE dataset_id = ?').run(datasetId);
  db.prepare(
    `INSERT INTO label_facets(dataset_id, source, country_code, country, region_code, region, city, flags, count)
     SELECT ?, source, country_code, MAX(country), region_code, MAX(region), city, flags, COUNT(*)
       FROM cor_labels WHERE dataset_id = ?
      GROUP BY source, country_code, region_code, city, flags`,
  ).run(datasetId, datasetId);
}
