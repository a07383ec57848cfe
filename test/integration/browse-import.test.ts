/**
 * The importer and the browser agree: an imported dataset's labels carry their
 * dataset, its facets add up to its rows, and a country filter answers from them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageQueries } from '../../electron/services/browse/image-queries.js';
import { refreshLabelFacets } from '../../electron/services/datasets/label-facets.js';
import { demoSources } from '../../electron/services/demo/demo-project.js';
import { importDataset } from '../../electron/services/datasets/import-dataset.js';
import { detachedTask } from '../../electron/services/rpc/task-context.js';
import { ProjectStore } from '../../electron/services/store/project-store.js';
import { tempDir } from '../helpers/temp.js';

let store: ProjectStore;
let cleanup: () => void;
let datasetId: number;
let dir: string;
let file: string;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  file = path.join(dir, 'i.georeason.sqlite');
  ProjectStore.create(file).close();
  datasetId = (await importDataset(file, { source: demoSources.benchmark, label: true }, detachedTask())).datasetId;
  store = ProjectStore.open(file);
});
afterAll(() => {
  store.close();
  cleanup();
});

describe('imported datasets in the browser', () => {
  it('stores each label with its dataset and counts them in label_facets', () => {
    const unassigned = store.db.prepare('SELECT COUNT(*) AS n FROM cor_labels WHERE dataset_id IS NOT ?').get(datasetId) as { n: number };
    expect(unassigned.n).toBe(0);
    const queries = new ImageQueries(store.db);
    const facets = queries.facets({ datasetId });
    const labeled = store.db.prepare("SELECT COUNT(*) AS n FROM cor_labels WHERE source = 'gazetteer' AND country_code IS NOT NULL").get() as { n: number };
    expect(facets.countries.reduce((n, c) => n + c.count, 0)).toBe(labeled.n);
    const us = facets.countries.find((c) => c.code === 'US');
    expect(us && us.count).toBeGreaterThan(300);
    expect(queries.total({ datasetId, country: 'US' })).toEqual({ total: us?.count, capped: false });
    expect(queries.page({ datasetId, country: 'US' }, 0, 5).rows.every((r) => r.countryCode === 'US')).toBe(true);
  });

  /** The dataset's label_facets rows, sorted, as written now. */
  function facetRows(id: number): unknown[] {
    return store.db
      .prepare('SELECT source, country_code, country, region_code, region, city, flags, count FROM label_facets WHERE dataset_id = ? ORDER BY 1, 2, 4, 6, 7')
      .all(id);
  }

  it('counts facets while importing exactly as a GROUP BY over the stored labels does', async () => {
    // MP16-Pro place columns (the dataset's own labels) with gaps, one country spelled
    // two ways, markup and a place name that looks like a null; plus gazetteer labels.
    const csv = path.join(dir, 'mp16-facets.csv');
    const rows = [
      'IMG_ID,LAT,LON,neighbourhood,city,county,state,region,country,continent',
      'a/1.jpg,48.8584,2.2945,,Paris,,Île-de-France,,France,Europe',
      'a/2.jpg,48.86,2.35,,Paris,,Île-de-France,,France,Europe',
      'a/3.jpg,45.46,9.19,,Milan,,Lombardy,,Italy,Europe',
      'a/4.jpg,45.47,9.18,,,,,,Italy,Europe',
      'a/5.jpg,40.758,-73.9855,,New York,,New York,,United States of America,North America',
      'a/6.jpg,40.76,-73.98,,New York,,New York,,United States,North America',
      'a/7.jpg,0.5,-30.2,,,,,,,',
      'a/8.jpg,35.68,139.69,,<b>Tokyo</b>,,null,,Japan,Asia',
    ];
    fs.writeFileSync(csv, `${rows.join('\n')}\n`);
    for (const label of [true, false]) {
      const imported = await importDataset(file, { source: csv, label, name: `facets ${label}` }, detachedTask());
      const counted = facetRows(imported.datasetId);
      refreshLabelFacets(store.db, imported.datasetId);
      expect(counted).toEqual(facetRows(imported.datasetId));
      expect(counted.length).toBeGreaterThanOrEqual(label ? 9 : 5);
    }
    const counted = facetRows(datasetId);
    refreshLabelFacets(store.db, datasetId);
    expect(counted).toEqual(facetRows(datasetId));
  });
});
