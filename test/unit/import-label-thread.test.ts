/**
 * Labelled imports label in a thread of their own, block by block, while rows are
 * read and written. What lands in cor_labels is exactly what the labeler gives for
 * each point (same as labelling on the import's own thread), across several blocks,
 * a partial last block, duplicate ids replayed row by row, and rows with their own
 * dataset labels.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourcesDir } from '../../electron/services/app-paths.js';
import { flagsToBits } from '../../electron/services/geo/flags.js';
import { loadLabeler } from '../../electron/services/geo/labeler.js';
import { importDataset } from '../../electron/services/datasets/import-dataset.js';
import { detachedTask } from '../../electron/services/rpc/task-context.js';
import { ProjectStore } from '../../electron/services/store/project-store.js';
import { tempDir } from '../helpers/temp.js';

const ROWS = 9_500; // two full blocks of 4096 and a partial one
const HEADER = 'IMG_ID,LAT,LON,neighbourhood,city,county,state,region,country,continent';

let dir: string;
let cleanup: () => void;
let csv: string;

/** Points over land, sea and borders; every third row names its own place. */
function row(i: number): string {
  const lat = ((((i * 7919) % 14000) / 100) - 60).toFixed(5);
  const lon = ((((i * 104729) % 36000) / 100) - 180).toFixed(5);
  return i % 3 === 0 ? `p/${i}.jpg,${lat},${lon},,Somewhere,,Some State,,Someland,` : `p/${i}.jpg,${lat},${lon},,,,,,,`;
}

beforeAll(() => {
  ({ dir, cleanup } = tempDir('georeason-label-thread-'));
  csv = path.join(dir, 'points.csv');
  fs.writeFileSync(csv, `${[HEADER, ...Array.from({ length: ROWS }, (_, i) => row(i))].join('\n')}\n`);
});
afterAll(() => cleanup());

type Stored = Record<string, unknown>;

async function importInto(name: string, labelInThread: boolean, source = csv, skipBad = false): Promise<Stored[]> {
  const project = path.join(dir, `${name}.georeason.sqlite`);
  ProjectStore.create(project).close();
  const result = await importDataset(project, { source, label: true, skipBad }, detachedTask(), { labelInThread });
  expect(result.labeled).toBe(result.rows);
  const store = ProjectStore.open(project);
  try {
    return store.db
      .prepare(
        `SELECT i.rel_path, i.lat, i.lon, l.source, l.country_code, l.country, l.region_code, l.region, l.city,
                l.city_lat, l.city_lon, l.city_km, l.border_km, l.flags
           FROM cor_labels l JOIN images i ON i.id = l.image_id ORDER BY i.id, l.source`,
      )
      .all() as Stored[];
  } finally {
    store.close();
  }
}

describe('labelled import with a labelling thread', () => {
  it('stores for every point exactly what the labeler says, in order', async () => {
    const rows = await importInto('thread', false);
    const gazetteer = rows.filter((r) => r.source === 'gazetteer');
    expect(gazetteer).toHaveLength(ROWS);
    expect(rows.filter((r) => r.source === 'dataset')).toHaveLength(Math.ceil(ROWS / 3));
    const labeler = loadLabeler(resourcesDir);
    gazetteer.forEach((r, i) => {
      expect(r.rel_path).toBe(`p/${i}.jpg`);
      const l = labeler.label(r.lat as number, r.lon as number);
      expect([r.country_code, r.country, r.region_code, r.region, r.city, r.city_lat, r.city_lon, r.city_km, r.border_km, r.flags]).toEqual([
        l.countryCode, l.country, l.regionCode, l.region, l.city, l.cityLat, l.cityLon, l.cityKm, l.borderKm, flagsToBits(l.flags),
      ]);
    });
  });

  it('gives the same rows as labelling on the import thread', async () => {
    expect(await importInto('thread-again', false)).toEqual(await importInto('in-thread', true));
  });

  it('skips duplicate ids with skipBad and labels only the rows kept', async () => {
    const dupes = path.join(dir, 'dupes.csv');
    const lines = Array.from({ length: 5000 }, (_, i) => row(i));
    lines.splice(4500, 0, row(10), row(4200)); // duplicates of rows in an earlier and the same block
    fs.writeFileSync(dupes, `${[HEADER, ...lines].join('\n')}\n`);
    const rows = await importInto('dupes', false, dupes, true);
    const gazetteer = rows.filter((r) => r.source === 'gazetteer');
    expect(gazetteer).toHaveLength(5000);
    expect(gazetteer.map((r) => r.rel_path)).toEqual(Array.from({ length: 5000 }, (_, i) => `p/${i}.jpg`));
  });
});
