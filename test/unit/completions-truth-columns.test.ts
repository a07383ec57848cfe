/**
 * What a completion records for the evaluation (exact error, truth place) is what the
 * photo's rows say: the writer records it for every new row, and the schema-8
 * migration fills it in for the rows of an older project.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { CompletionWriter } from '../../electron/services/completions/completion-writer.js';
import { predictionFromPoint, predictionFromText } from '../../electron/services/completions/checks.js';
import { NO_PLACE, readPlaces } from '../../electron/services/completions/truth-places.js';
import { TruthReader } from '../../electron/services/completions/truth.js';
import { loadRecordedRun, runRef } from '../../electron/services/evaluate/run-data.js';
import { migrations } from '../../electron/services/store/migrations.js';
import { applyMigrations } from '../../electron/services/store/project-store.js';
import { haversineKm } from '../../shared/geo/haversine.js';

/** A database at schema `version`, with two labelled photos, one without a label and one without GPS. */
function projectAt(version: number): Database.Database {
  const db = new Database(':memory:');
  for (const m of migrations.filter((x) => x.version <= version)) {
    db.exec(m.sql);
    m.run?.(db);
  }
  db.pragma(`user_version = ${version}`);
  db.prepare("INSERT INTO datasets(id, name, format, created_at) VALUES (1, 'd', 'csv', 'now')").run();
  const image = db.prepare('INSERT INTO images(id, dataset_id, rel_path, lat, lon) VALUES (?, 1, ?, ?, ?)');
  image.run(1, '1.jpg', 48.8566, 2.3522);
  image.run(2, '2.jpg', 43.2965, 5.3698);
  image.run(3, '3.jpg', 0.5, -30.25);
  image.run(4, '4.jpg', null, null);
  const label = db.prepare(
    "INSERT INTO cor_labels(image_id, dataset_id, source, country_code, country, region, flags, created_at) VALUES (?, 1, 'gazetteer', 'FR', 'France', ?, 0, 'now')",
  );
  label.run(1, 'Île-de-France');
  label.run(2, "Provence-Alpes-Côte d'Azur");
  db.prepare("INSERT INTO runs(id, kind, name, dataset_id, status, created_at) VALUES (1, 'import', 'r', 1, 'done', 'now')").run();
  return db;
}

interface Recorded {
  image_id: number;
  km: number | null;
  error_km: number | null;
  truth_place: number | null;
}

const recorded = (db: Database.Database): Recorded[] =>
  db.prepare('SELECT image_id, km, error_km, truth_place FROM completions ORDER BY image_id, sample').all() as Recorded[];

describe('completions: the exact error and the truth place', () => {
  it('are recorded by the writer: the unrounded error, and each gazetteer place once', () => {
    const db = projectAt(migrations.length);
    const writer = new CompletionWriter(db, new TruthReader(db), null);
    writer.write(1, { imageId: 1, sample: 0, prediction: predictionFromPoint(48.85, 2.35) });
    writer.write(1, { imageId: 1, sample: 1, prediction: predictionFromText('<answer>France, Paris</answer>') });
    writer.write(1, { imageId: 2, sample: 0, prediction: predictionFromPoint(45.1234567, 4.7654321) });
    writer.write(1, { imageId: 3, sample: 0, prediction: predictionFromPoint(1, -30) });
    writer.write(1, { imageId: 4, sample: 0, prediction: predictionFromPoint(1, 1) });
    const rows = recorded(db);
    const exact = haversineKm(43.2965, 5.3698, 45.1234567, 4.7654321);
    expect(rows[2]).toMatchObject({ image_id: 2, error_km: exact, km: Math.round(exact * 1000) / 1000 });
    expect(rows[2]!.error_km).not.toBe(rows[2]!.km);
    // A text without a point has no error; photo 3 has no gazetteer label, photo 4 no point.
    expect(rows[1]).toMatchObject({ error_km: null });
    expect(rows[3]!.truth_place).toBe(NO_PLACE);
    expect(rows[4]).toMatchObject({ error_km: null, truth_place: NO_PLACE });
    const places = readPlaces(db);
    expect([...places.values()]).toEqual([
      { countryCode: 'FR', country: 'France', region: 'Île-de-France' },
      { countryCode: 'FR', country: 'France', region: "Provence-Alpes-Côte d'Azur" },
    ]);
    expect(rows[0]!.truth_place).toBe(rows[1]!.truth_place);
    // A second writer (another run, a later session) reuses the stored places.
    new CompletionWriter(db, new TruthReader(db), null).write(1, { imageId: 2, sample: 1, prediction: predictionFromPoint(1, 1) });
    expect(readPlaces(db).size).toBe(2);
    expect(loadRecordedRun(db, runRef(db, 1))).not.toBeNull();
  });

  it('are filled in by the migration for an older project, as the writer would have recorded them', () => {
    const old = projectAt(7);
    const insert = old.prepare('INSERT INTO completions(run_id, image_id, sample, lat, lon, km, format_ok) VALUES (1, ?, ?, ?, ?, ?, 1)');
    insert.run(1, 0, 48.85, 2.35, 0.5);
    insert.run(2, 0, 45.1234567, 4.7654321, 1);
    insert.run(3, 0, null, null, null);
    insert.run(4, 0, 1, 1, null);
    expect(applyMigrations(old, 7)).toEqual([8, 9]);
    const fresh = projectAt(migrations.length);
    const writer = new CompletionWriter(fresh, new TruthReader(fresh), null);
    writer.write(1, { imageId: 1, sample: 0, prediction: predictionFromPoint(48.85, 2.35) });
    writer.write(1, { imageId: 2, sample: 0, prediction: predictionFromPoint(45.1234567, 4.7654321) });
    writer.write(1, { imageId: 3, sample: 0, prediction: predictionFromText('no answer') });
    writer.write(1, { imageId: 4, sample: 0, prediction: predictionFromPoint(1, 1) });
    const strip = (rows: Recorded[]) => rows.map(({ km: _km, ...r }) => r);
    expect(strip(recorded(old))).toEqual(strip(recorded(fresh)));
    expect(readPlaces(old)).toEqual(readPlaces(fresh));
    const index = old.prepare("SELECT sql FROM sqlite_master WHERE name = 'completions_for_metrics'").pluck().get() as string;
    expect(index).toContain('error_km, truth_place');
  });
});
