/**
 * The run-scoped loader reads only the run's photos (one pass over its completions)
 * and must give exactly the rows and truth the dataset-wide loader gives for them:
 * same photos, samples, errors, chain checks, labels, and the same count of answered
 * photos without a true point (another dataset's, or no GPS).
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { evaluateRun } from '../../electron/services/evaluate/evaluate-run.js';
import { loadAnsweredRun, loadRecordedRun, loadRunRows, loadTruth, runRef } from '../../electron/services/evaluate/run-data.js';
import { fillTruthColumns } from '../../electron/services/completions/truth-places.js';
import { ProjectStore } from '../../electron/services/store/project-store.js';
import { tempDir } from '../helpers/temp.js';

let store: ProjectStore;
let cleanup: () => void;

beforeEach(() => {
  let dir: string;
  ({ dir, cleanup } = tempDir('georeason-eval-data-'));
  store = ProjectStore.create(path.join(dir, 'eval.georeason.sqlite'));
  const db = store.db;
  db.prepare("INSERT INTO datasets(id, name, format, created_at) VALUES (1, 'a', 'csv', 'now'), (2, 'b', 'csv', 'now')").run();
  const image = db.prepare('INSERT INTO images(id, dataset_id, rel_path, lat, lon) VALUES (?, ?, ?, ?, ?)');
  const label = db.prepare("INSERT INTO cor_labels(image_id, dataset_id, source, country_code, country, region, flags, created_at) VALUES (?, ?, 'gazetteer', ?, ?, ?, 0, 'now')");
  for (let id = 1; id <= 40; id++) {
    const noPoint = id % 13 === 0;
    image.run(id, 1, `${id}.jpg`, noPoint ? null : 10 + id / 10, noPoint ? null : 20 - id / 7);
    if (id % 5 !== 0) label.run(id, 1, id % 2 ? 'FR' : 'JP', id % 2 ? 'France' : 'Japan', `r${id % 3}`);
  }
  image.run(41, 2, 'other.jpg', 1, 1);
  db.prepare("INSERT INTO runs(id, kind, name, dataset_id, status, created_at) VALUES (1, 'import', 'r', 1, 'done', 'now')").run();
  const completion = db.prepare('INSERT INTO completions(run_id, image_id, sample, lat, lon, format_ok, country_ok, region_ok, city_ok) VALUES (1, ?, ?, ?, ?, 1, ?, ?, ?)');
  // Every other photo, two samples each (the second sometimes without a point), plus
  // answers on a photo without GPS and on another dataset's photo.
  for (let id = 1; id <= 41; id += 2) {
    for (let s = 0; s < 2; s++) {
      const none = s === 1 && id % 3 === 0;
      completion.run(id, s, none ? null : 11 + id / 9 + s, none ? null : 19 - id / 5, id % 4 === 0 ? null : 1, s, id % 2);
    }
  }
  completion.run(26, 0, 5, 5, 1, 1, 1);
});
afterEach(() => {
  store.close();
  cleanup();
});

describe('evaluate: run-scoped loading', () => {
  it('gives the same rows and truth as the dataset-wide loader, reading only answered photos', () => {
    const ref = runRef(store.db, 1);
    const full = loadTruth(store.db, 1);
    const expected = loadRunRows(store.db, ref, full);
    const { truth, rows } = loadAnsweredRun(store.db, ref);
    expect(rows.withoutTruth).toBe(expected.withoutTruth);
    expect(rows.withoutTruth).toBe(4); // photos 13, 26 and 39 (no GPS) and 41 (dataset b)
    expect(truth.ids.length).toBeLessThan(full.ids.length);
    const view = (t: typeof truth, r: typeof rows) =>
      Array.from(r.image, (ti, j) => ({
        id: t.ids[ti],
        sample: r.sample[j],
        km: r.km[j],
        ok: [r.countryOk[j], r.regionOk[j], r.cityOk[j]],
        label: [t.places[t.place[ti]!], t.points([ti])],
      }));
    expect(view(truth, rows)).toEqual(view(full, expected));
    expect(truth.indexOf(3)).toBe(1);
    expect(truth.indexOf(2)).toBeUndefined();
  });

  it('evaluates a run the same in every mode, and counts unanswered photos in dataset scope', () => {
    for (const mode of ['first', 'best', 'mean'] as const) {
      const e = evaluateRun(store.db, 1, mode, 'run');
      expect(e.photos).toEqual({ counted: 18, withoutTruth: 4, unanswered: 0 });
      expect(e.overall.n).toBe(mode === 'mean' ? 36 : 18);
    }
    const d = evaluateRun(store.db, 1, 'first', 'dataset');
    expect(d.photos.unanswered).toBe(37 - 18);
    expect(d.overall.n).toBe(37);
  });

  it('matches the dataset-wide loader on random runs: samples, missing checks, foreign photos, reviews', () => {
    const db = store.db;
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1664525 + 1013904223) % 4294967296;
      return seed / 4294967296;
    };
    const check = () => (rnd() < 0.3 ? null : rnd() < 0.5 ? 0 : 1);
    const image = db.prepare('INSERT INTO images(id, dataset_id, rel_path, lat, lon) VALUES (?, ?, ?, ?, ?)');
    const label = db.prepare("INSERT INTO cor_labels(image_id, dataset_id, source, country_code, country, region, flags, created_at) VALUES (?, ?, 'gazetteer', ?, ?, ?, 0, 'now')");
    const review = db.prepare(
      "INSERT INTO reviewed_labels(image_id, dataset_id, review_id, status, relabeled, country_code, country, region) VALUES (?, 1, ?, 'relabeled', ?, ?, ?, ?)",
    );
    const completion = db.prepare('INSERT INTO completions(run_id, image_id, sample, lat, lon, format_ok, country_ok, region_ok, city_ok) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)');
    // Run 2 is stored in (image, sample) order, with run 3's rows between its own;
    // run 3 is stored out of order (its samples newest first), as a resumed run can be.
    db.prepare("INSERT INTO runs(id, kind, name, dataset_id, status, created_at) VALUES (2, 'import', 'in order', 1, 'done', 'now'), (3, 'import', 'out of order', 1, 'done', 'now')").run();
    for (let id = 100; id < 1100; id++) {
      const dataset = rnd() < 0.05 ? 2 : 1;
      const noPoint = rnd() < 0.05;
      image.run(id, dataset, `${id}.jpg`, noPoint ? null : (rnd() - 0.5) * 170, noPoint ? null : (rnd() - 0.5) * 359);
      if (rnd() < 0.9) label.run(id, dataset, rnd() < 0.1 ? null : `C${Math.floor(rnd() * 5)}`, rnd() < 0.1 ? null : `Country ${id % 7}`, rnd() < 0.2 ? null : `r${id % 11}`);
      if (dataset === 1 && rnd() < 0.1) review.run(id, id, rnd() < 0.7 ? 1 : 0, 'RV', 'Reviewed', rnd() < 0.5 ? null : 'reviewed region');
      if (rnd() < 0.4) continue;
      const samples = 1 + Math.floor(rnd() * 4);
      // Sample numbers with gaps (resumed runs), up to the hundreds.
      let sample = Math.floor(rnd() * 3);
      for (let s = 0; s < samples; s++, sample += 1 + Math.floor(rnd() * 200)) {
        const none = rnd() < 0.1;
        completion.run(2, id, sample, none ? null : (rnd() - 0.5) * 170, none ? null : (rnd() - 0.5) * 359, check(), check(), check());
      }
      for (let s = samples; s > 0; s--) completion.run(3, id, s, (rnd() - 0.5) * 170, (rnd() - 0.5) * 359, check(), check(), check());
    }
    for (const runId of [2, 3]) expectSameAsDatasetWide(runId);
    // The same runs read from the recorded columns (error and place) give the same rows,
    // truth and evaluation, for every mode, as reading the photos' points and labels.
    expect(loadRecordedRun(db, runRef(db, 2))).toBeNull();
    expect(fillTruthColumns(db)).toBeGreaterThan(1000);
    expect(db.prepare('SELECT COUNT(*) FROM completions WHERE truth_place IS NULL').pluck().get()).toBe(0);
    for (const runId of [2, 3]) {
      expect(loadRecordedRun(db, runRef(db, runId))).not.toBeNull();
      expectSameAsDatasetWide(runId);
    }
  });

  it('reads recorded runs in slices, and falls back to the photos\' rows when one row is not recorded', () => {
    const db = store.db;
    fillTruthColumns(db);
    const ref = runRef(db, 1);
    const fast = loadRecordedRun(db, ref);
    expect(fast).not.toBeNull();
    expectSameAsDatasetWide(1, 30);
    // Slices of 1 to 7 rows: a photo's samples split across slices.
    const data = (d: ReturnType<typeof loadRecordedRun>) => d && { ids: d.truth.ids, place: d.truth.place, places: d.truth.places, rows: d.rows };
    for (let slice = 1; slice <= 7; slice++) expect(data(loadRecordedRun(db, ref, slice))).toEqual(data(fast));
    db.prepare('UPDATE completions SET truth_place = NULL WHERE run_id = 1 AND image_id = 7').run();
    expect(loadRecordedRun(db, ref)).toBeNull();
    expect(loadAnsweredRun(db, ref).rows.km).toEqual(fast!.rows.km);
  });
});

/** The run-scoped loader and evaluation of a run equal those from the dataset-wide loader. */
function expectSameAsDatasetWide(runId: number, minRows = 500): void {
  const db = store.db;
  const ref = runRef(db, runId);
  const full = loadTruth(db, 1);
  const expected = loadRunRows(db, ref, full);
  const { truth, rows } = loadAnsweredRun(db, ref);
  const view = (t: typeof truth, r: typeof rows) =>
    Array.from(r.image, (ti, j) => ({
      id: t.ids[ti],
      sample: r.sample[j],
      km: r.km[j],
      ok: [r.countryOk[j], r.regionOk[j], r.cityOk[j]],
      label: [t.places[t.place[ti]!], t.points([ti])],
    }));
  expect(rows.image.length).toBeGreaterThan(minRows);
  expect(rows.withoutTruth).toBe(expected.withoutTruth);
  expect(view(truth, rows)).toEqual(view(full, expected));
  for (const mode of ['first', 'best', 'mean'] as const) {
    const { durationMs: _r, ...byRun } = evaluateRun(db, runId, mode, 'run');
    const { durationMs: _d, ...byDataset } = evaluateRun(db, runId, mode, 'run', () => ({ truth: full, rows: expected }));
    expect(byRun).toEqual(byDataset);
  }
}
