/**
 * The training set of a cor-policy job: current labels (reviewed edits used, rejected
 * labels left out, an undone review back to the gazetteer), city points, splits.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourcesDir } from '../../electron/services/app-paths.js';
import { readTrainingSet } from '../../electron/services/jobs/training-data.js';
import { makeTrainingProject, type Fixture } from '../helpers/trainer-fixture.js';
import { tempDir } from '../helpers/temp.js';

const t = tempDir('georeason-training-set-');
let fx: Fixture;

const state = (o: Record<string, unknown>): string =>
  JSON.stringify({ countryCode: null, country: null, regionCode: null, region: null, city: null, cityFree: false, ...o });

beforeAll(async () => {
  fx = await makeTrainingProject(t.dir, 3);
  const [rejected, edited, undone, accepted] = fx.imageIds as [number, number, number, number];
  const add = fx.store.db.prepare('INSERT INTO label_reviews(image_id, verdict, before_json, after_json, note, at) VALUES (?, ?, NULL, ?, NULL, ?)');
  add.run(rejected, 'rejected', state({ country: 'France', status: 'rejected' }), '2026-01-01');
  add.run(edited, 'edited', state({ countryCode: 'JP', country: 'Japan', region: 'Osaka', city: 'Osaka', status: 'edited' }), '2026-01-01');
  add.run(undone, 'rejected', state({ status: 'rejected' }), '2026-01-01');
  add.run(undone, 'undo', state({ country: 'United States', city: 'New York City', status: 'unreviewed', undoes: 3 }), '2026-01-02');
  add.run(accepted, 'accepted', state({ countryCode: 'AU', country: 'Australia', region: 'New South Wales', city: 'Sydney', status: 'accepted' }), '2026-01-01');
  // A photo whose file is not here.
  fx.store.db.prepare('UPDATE images SET photo = 0 WHERE id = ?').run(fx.imageIds[5]);
});
afterAll(() => {
  fx.store.close();
  t.cleanup();
});

describe('cor-policy training set', () => {
  it('uses the current labels: edits used, rejected left out, undone reviews back to the gazetteer', () => {
    const set = readTrainingSet(fx.store.db, resourcesDir, { datasetId: fx.datasetId, valFraction: 0.25 });
    const [rejected, edited, undone] = fx.imageIds as [number, number, number];
    expect(set.counts).toMatchObject({ photos: 12, rejected: 1, missingPhoto: 1, noLabel: 0 });
    expect(set.photos.map((p) => p.imageId)).not.toContain(rejected);
    const cityOf = (id: number) => set.cities[set.photos.find((p) => p.imageId === id)!.cityIndex]!;
    expect(cityOf(edited).name).toBe('Osaka');
    // Osaka's point comes from the shipped cities list, not from the photo.
    expect(cityOf(edited).lat).toBeCloseTo(34.69, 1);
    expect(cityOf(edited).lon).toBeCloseTo(135.5, 1);
    expect(set.counts.cityPointFromList).toBe(1);
    expect(cityOf(undone).name).toBe('New York City'); // the undo restored the unreviewed (gazetteer) label
    // The hierarchy is consistent: every city's region belongs to its country.
    const osakaRegion = set.regions[cityOf(edited).region]!;
    expect(set.countries[osakaRegion.country]!.name).toBe('Japan');
    expect(set.cities).toHaveLength(5);
    expect(new Set(set.photos.map((p) => p.split))).toEqual(new Set(['train', 'val']));
  });

  it('takes a split column when the dataset has one', () => {
    fx.store.db.prepare("UPDATE images SET split = CASE WHEN id % 2 = 0 THEN 'test' ELSE 'train' END WHERE dataset_id = ?").run(fx.datasetId);
    const set = readTrainingSet(fx.store.db, resourcesDir, { datasetId: fx.datasetId, valFraction: 0.25 });
    for (const p of set.photos) expect(p.split).toBe(p.imageId % 2 === 0 ? 'val' : 'train');
    expect(path.isAbsolute(resourcesDir)).toBe(true);
  });
});
