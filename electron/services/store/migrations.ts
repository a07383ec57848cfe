/**
 * Numbered schema migrations, applied in order at open inside one transaction each.
 * `PRAGMA user_version` records the last one applied. Never edit a shipped
 * migration: add the next number.
 */
import type Database from 'better-sqlite3';
import { fillMissingRiskEverywhere } from '../geo/label-risk.js';
import { rebuildReviewedLabels } from '../audit/reviewed-labels.js';
import { fillTruthColumns } from '../completions/truth-places.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** Data the SQL cannot compute (backfills that need the app's own code), run after it in the same transaction. */
  run?: (db: Database.Database) => void;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );

      CREATE TABLE datasets (
        id         INTEGER PRIMARY KEY,
        name       TEXT NOT NULL UNIQUE,
        root_dir   TEXT,
        format     TEXT NOT NULL,
        source     TEXT,
        created_at TEXT NOT NULL
      );

      CREATE TABLE images (
        id         INTEGER PRIMARY KEY,
        dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        rel_path   TEXT NOT NULL,
        lat        REAL,
        lon        REAL,
        split      TEXT,
        meta_json  TEXT
      );
      CREATE UNIQUE INDEX images_by_path ON images(dataset_id, rel_path);
      CREATE INDEX images_by_split ON images(dataset_id, split);

      CREATE TABLE cor_labels (
        image_id     INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        source       TEXT NOT NULL,
        country_code TEXT,
        country      TEXT,
        region_code  TEXT,
        region       TEXT,
        city         TEXT,
        city_id      INTEGER,
        city_lat     REAL,
        city_lon     REAL,
        city_km      REAL,
        border_km    REAL,
        flags        INTEGER NOT NULL DEFAULT 0,
        created_at   TEXT NOT NULL,
        PRIMARY KEY (image_id, source)
      );
      CREATE INDEX cor_labels_by_country ON cor_labels(source, country_code, region_code);
      CREATE INDEX cor_labels_by_flags ON cor_labels(source, flags);

      CREATE TABLE label_reviews (
        id          INTEGER PRIMARY KEY,
        image_id    INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        verdict     TEXT NOT NULL,
        before_json TEXT,
        after_json  TEXT,
        note        TEXT,
        at          TEXT NOT NULL
      );
      CREATE INDEX label_reviews_by_image ON label_reviews(image_id, id);

      CREATE TABLE runs (
        id          INTEGER PRIMARY KEY,
        kind        TEXT NOT NULL,
        model       TEXT,
        dataset_id  INTEGER REFERENCES datasets(id) ON DELETE CASCADE,
        prompt      TEXT,
        params_json TEXT,
        status      TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        ended_at    TEXT
      );

      CREATE TABLE completions (
        id        INTEGER PRIMARY KEY,
        run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        image_id  INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        sample    INTEGER NOT NULL DEFAULT 0,
        text      TEXT,
        country   TEXT,
        region    TEXT,
        city      TEXT,
        lat       REAL,
        lon       REAL,
        format_ok INTEGER NOT NULL DEFAULT 0,
        km        REAL,
        UNIQUE (run_id, image_id, sample)
      );

      CREATE TABLE reward_presets (
        id        INTEGER PRIMARY KEY,
        name      TEXT NOT NULL UNIQUE,
        spec_json TEXT NOT NULL
      );

      CREATE TABLE jobs (
        id          INTEGER PRIMARY KEY,
        recipe      TEXT NOT NULL,
        config_json TEXT NOT NULL,
        status      TEXT NOT NULL,
        pid         INTEGER,
        started_at  TEXT,
        ended_at    TEXT,
        exit_code   INTEGER,
        log_path    TEXT
      );

      CREATE TABLE job_metrics (
        job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        step   INTEGER NOT NULL,
        name   TEXT NOT NULL,
        value  REAL,
        PRIMARY KEY (job_id, name, step)
      );

      CREATE TABLE artifacts (
        id     INTEGER PRIMARY KEY,
        job_id INTEGER REFERENCES jobs(id) ON DELETE CASCADE,
        kind   TEXT NOT NULL,
        path   TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'datasets: photo presence, import provenance, label sources',
    sql: `
      -- photo: 0 = no file under the image root, 1 = present, 2 = present but unreadable
      ALTER TABLE images ADD COLUMN photo INTEGER NOT NULL DEFAULT 0;
      -- line of the metadata file the row came from (for file:line messages later)
      ALTER TABLE images ADD COLUMN source_line INTEGER;
      CREATE INDEX images_by_photo ON images(dataset_id, photo);
      CREATE INDEX images_by_dataset ON images(dataset_id, id);

      -- what the import saw: rows, photos found, formats, timings (JSON)
      ALTER TABLE datasets ADD COLUMN stats_json TEXT;

      -- cor_labels.source is 'gazetteer' (made by the labeler) or 'dataset' (the
      -- dataset's own place columns, e.g. MP16-Pro's Nominatim fields). dataset_id is
      -- copied from images so the browser's filters are answered from these indexes
      -- alone, in image-id order, without a sort.
      ALTER TABLE cor_labels ADD COLUMN dataset_id INTEGER;
      UPDATE cor_labels SET dataset_id = (SELECT i.dataset_id FROM images i WHERE i.id = cor_labels.image_id);
      DROP INDEX cor_labels_by_country;
      DROP INDEX cor_labels_by_flags;
      CREATE INDEX cor_labels_by_country ON cor_labels(source, dataset_id, country_code, image_id);
      CREATE INDEX cor_labels_by_region ON cor_labels(source, dataset_id, country_code, region_code, image_id);
      CREATE INDEX cor_labels_by_city ON cor_labels(source, dataset_id, city, image_id);
      -- most labels carry no flag: index only the flagged ones
      CREATE INDEX cor_labels_flagged ON cor_labels(source, dataset_id, image_id) WHERE flags <> 0;

      -- Label counts per dataset, source and (country, region, city, flags): the
      -- filter menus and the place-name search read this, not millions of rows.
      CREATE TABLE label_facets (
        dataset_id   INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        source       TEXT NOT NULL,
        country_code TEXT,
        country      TEXT,
        region_code  TEXT,
        region       TEXT,
        city         TEXT,
        flags        INTEGER NOT NULL,
        count        INTEGER NOT NULL
      );
      CREATE INDEX label_facets_by_dataset ON label_facets(dataset_id, source);
    `,
  },
  {
    version: 3,
    name: 'completions: checks stored with each completion; run names and stats',
    sql: `
      ALTER TABLE runs ADD COLUMN name TEXT;
      -- what the import or live run saw: counts, first errors (JSON)
      ALTER TABLE runs ADD COLUMN stats_json TEXT;

      -- Checks made when the completion was stored (NULL: cannot tell).
      -- *_ok: the level matches the image's label of the time (reviewed, else gazetteer).
      ALTER TABLE completions ADD COLUMN country_ok INTEGER;
      ALTER TABLE completions ADD COLUMN region_ok INTEGER;
      ALTER TABLE completions ADD COLUMN city_ok INTEGER;
      -- self-consistency: the predicted point reverse-geocoded against the predicted chain
      ALTER TABLE completions ADD COLUMN coord_country TEXT;
      ALTER TABLE completions ADD COLUMN coord_region TEXT;
      ALTER TABLE completions ADD COLUMN coord_in_country INTEGER;
      ALTER TABLE completions ADD COLUMN coord_in_region INTEGER;
      ALTER TABLE completions ADD COLUMN city_coord_km REAL;
      ALTER TABLE completions ADD COLUMN reasoning TEXT;
      ALTER TABLE completions ADD COLUMN error TEXT;
      ALTER TABLE completions ADD COLUMN latency_ms REAL;
      CREATE INDEX completions_by_image ON completions(image_id);
    `,
  },
  {
    version: 4,
    name: 'audit: named subsets of a dataset (hard-sample selection)',
    sql: `
      CREATE TABLE subsets (
        id          INTEGER PRIMARY KEY,
        dataset_id  INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        name        TEXT NOT NULL,
        kind        TEXT NOT NULL,
        params_json TEXT,
        created_at  TEXT NOT NULL,
        UNIQUE (dataset_id, name)
      );
      CREATE TABLE subset_members (
        subset_id INTEGER NOT NULL REFERENCES subsets(id) ON DELETE CASCADE,
        image_id  INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        PRIMARY KEY (subset_id, image_id)
      ) WITHOUT ROWID;
      CREATE INDEX subset_members_by_image ON subset_members(image_id);
    `,
  },
  {
    version: 5,
    name: 'index only the gazetteer labels for the place filters',
    sql: `
      -- The browser's place filters read only the gazetteer's labels; a dataset's own
      -- labels (MP16-Pro's place columns) are read by image id, through the primary
      -- key. Indexing them too doubled the index work of a big import (three sorts of
      -- millions of rows that no query used). Every query of these indexes says
      -- source = 'gazetteer' literally, so SQLite can use the partial indexes.
      DROP INDEX cor_labels_by_country;
      DROP INDEX cor_labels_by_region;
      DROP INDEX cor_labels_by_city;
      CREATE INDEX cor_labels_by_country ON cor_labels(source, dataset_id, country_code, image_id) WHERE source = 'gazetteer';
      CREATE INDEX cor_labels_by_region ON cor_labels(source, dataset_id, country_code, region_code, image_id) WHERE source = 'gazetteer';
      CREATE INDEX cor_labels_by_city ON cor_labels(source, dataset_id, city, image_id) WHERE source = 'gazetteer';
    `,
  },
  {
    version: 6,
    name: 'audit: label risk indexed, reviewed labels and agreement totals kept',
    sql: `
      -- The review queue's order, scored when a label is written (thousandths), and
      -- which levels agree with the dataset's own label (bits, see audit/label-risk.ts).
      ALTER TABLE cor_labels ADD COLUMN risk INTEGER;
      ALTER TABLE cor_labels ADD COLUMN agree INTEGER;
      CREATE INDEX cor_labels_by_risk ON cor_labels(source, dataset_id, risk DESC, image_id) WHERE source = 'gazetteer';
      CREATE INDEX cor_labels_by_country_risk ON cor_labels(source, dataset_id, country_code, risk DESC, image_id) WHERE source = 'gazetteer';

      -- Gazetteer labels counted per country and agreement bits: statistics add these up.
      CREATE TABLE label_agreement (
        dataset_id   INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        country_code TEXT,
        country      TEXT,
        agree        INTEGER NOT NULL,
        count        INTEGER NOT NULL
      );
      CREATE INDEX label_agreement_by_dataset ON label_agreement(dataset_id);

      -- Each reviewed photo's current label: what its latest review left, kept in step
      -- with label_reviews (the log) by every review and undo. A photo is reviewed when
      -- it has a row here; an undo back to the gazetteer's label removes the row.
      -- relabeled = 1 when the chain is not the gazetteer's (edited, or an edit
      -- accepted; a rejected label has no chain and is not). city_lat/lon: the
      -- labelled city's point (none for a city typed freely); city_km: the photo's
      -- distance to it.
      CREATE TABLE reviewed_labels (
        image_id     INTEGER PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE,
        dataset_id   INTEGER NOT NULL,
        review_id    INTEGER NOT NULL,
        status       TEXT NOT NULL,
        relabeled    INTEGER NOT NULL,
        country_code TEXT,
        country      TEXT,
        region_code  TEXT,
        region       TEXT,
        city         TEXT,
        city_free    INTEGER NOT NULL DEFAULT 0,
        city_lat     REAL,
        city_lon     REAL,
        city_km      REAL
      );
      CREATE INDEX reviewed_labels_by_dataset ON reviewed_labels(dataset_id, status);
      CREATE INDEX reviewed_labels_relabeled ON reviewed_labels(dataset_id, image_id) WHERE relabeled = 1;
    `,
    run: (db) => {
      fillMissingRiskEverywhere(db);
      rebuildReviewedLabels(db);
    },
  },
  {
    version: 7,
    name: 'experiment store: provenance of each job, imported run records, metric wall times',
    sql: `
      -- What a job was started from, recorded once at its start (jobs/provenance.ts):
      -- the data it trained on (hash and manifest of image ids and labels), the reward
      -- spec and its hash, the versions on both sides, the devices, the seed, the command.
      CREATE TABLE job_provenance (
        job_id          INTEGER PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
        recorded_at     TEXT NOT NULL,
        data_hash       TEXT,
        provenance_json TEXT NOT NULL,
        -- gzip of the manifest's JSON (shared/rpc/job-record.ts Manifest, by column)
        manifest_gz     BLOB
      );
      -- Jobs imported from a run record file: read-only, never run by this app.
      CREATE TABLE job_records (
        job_id      INTEGER PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
        imported_at TEXT NOT NULL,
        source      TEXT NOT NULL,
        original_id INTEGER,
        project     TEXT
      );
      -- When each metric point was logged (ms since the epoch), for curves by wall time.
      ALTER TABLE job_metrics ADD COLUMN wall_ms INTEGER;
    `,
  },
  {
    version: 8,
    name: 'evaluate: exact error and truth place stored with each completion',
    sql: `
      -- Gazetteer places (country code, country, region), interned: a completion names
      -- its photo's place by id, so the evaluation's breakdowns need not read labels.
      CREATE TABLE truth_places (
        id           INTEGER PRIMARY KEY,
        country_code TEXT,
        country      TEXT,
        region       TEXT
      );
      -- error_km: the error unrounded (km is rounded to metres). truth_place: the
      -- photo's gazetteer place when written, 0 for none, NULL when not recorded
      -- (see completions/truth-places.ts). Both are fixed once written.
      ALTER TABLE completions ADD COLUMN error_km REAL;
      ALTER TABLE completions ADD COLUMN truth_place INTEGER;
    `,
    run: (db) => {
      fillTruthColumns(db);
      // Everything a run's evaluation reads, in the order it reads it: the scan never
      // visits the table's rows (which hold the completion texts). Built after the
      // backfill, in one sort.
      db.exec('CREATE INDEX completions_for_metrics ON completions(run_id, image_id, sample, error_km, truth_place, country_ok, region_ok, city_ok)');
    },
  },
  {
    version: 9,
    name: "gazetteer label indexes keyed without the source their WHERE makes constant",
    sql: `
      -- Each of these indexes holds gazetteer labels only (WHERE source = 'gazetteer'), so
      -- a leading source column repeated the same text in every key: longer keys, and a
      -- comparison more per key when an import sorts millions of them. Queries still say
      -- source = 'gazetteer', which is what lets SQLite use a partial index at all.
      DROP INDEX cor_labels_by_country;
      DROP INDEX cor_labels_by_region;
      DROP INDEX cor_labels_by_city;
      DROP INDEX cor_labels_by_risk;
      DROP INDEX cor_labels_by_country_risk;
      CREATE INDEX cor_labels_by_country ON cor_labels(dataset_id, country_code, image_id) WHERE source = 'gazetteer';
      CREATE INDEX cor_labels_by_region ON cor_labels(dataset_id, country_code, region_code, image_id) WHERE source = 'gazetteer';
      CREATE INDEX cor_labels_by_city ON cor_labels(dataset_id, city, image_id) WHERE source = 'gazetteer';
      CREATE INDEX cor_labels_by_risk ON cor_labels(dataset_id, risk DESC, image_id) WHERE source = 'gazetteer';
      CREATE INDEX cor_labels_by_country_risk ON cor_labels(dataset_id, country_code, risk DESC, image_id) WHERE source = 'gazetteer';
    `,
  },
];

export const latestSchemaVersion: number = migrations.reduce((max, m) => Math.max(max, m.version), 0);
