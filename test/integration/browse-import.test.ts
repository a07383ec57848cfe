/**
 * The importer and the browser agree: an imported dataset's labels carry their
 * dataset, its facets add up to its rows, and a country filter answers from them.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageQueries } from '../../electron/services/browse/image-queries.js';
import { demoSources } from '../../electron/services/demo/demo-project.js';
import { importDataset } from '../../electron/services/datasets/import-dataset.js';
import { detachedTask } from '../../electron/services/rpc/task-context.js';
import { ProjectStore } from '../../electron/services/store/project-store.js';
import { tempDir } from '../helpers/temp.js';

let store: ProjectStore;
let cleanup: () => void;
let datasetId: number;

beforeAll(async () => {
  let dir: string;
  ({ dir, cleanup } = tempDir());
  const file = path.join(dir, 'i.georeason.sqlite');
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
});
