/**
 * Duplicate ids found after a bulk load (the unique index was dropped while loading):
 * each later occurrence is reported at its line, like the row-by-row check does, and
 * with skipBad removed (the first occurrence stays).
 */
import type Database from 'better-sqlite3';
import type { Problems } from './problems.js';

export interface RemovedCounts {
  rows: number;
  photosPresent: number;
  datasetLabels: number;
  labeled: number;
}

interface Duplicate {
  id: number;
  rel_path: string;
  line: number | null;
  first_line: number | null;
}

/** Reports the duplicates of a dataset; removes them when `remove`. Returns what was removed. */
export function resolveDuplicates(db: Database.Database, datasetId: number, problems: Problems, remove: boolean): RemovedCounts {
  const dups = db
    .prepare(
      `WITH firsts AS (
         SELECT rel_path, MIN(id) AS first_id FROM images WHERE dataset_id = ? GROUP BY rel_path HAVING COUNT(*) > 1)
       SELECT i.id, i.rel_path, i.source_line AS line, (SELECT source_line FROM images WHERE id = f.first_id) AS first_line
         FROM firsts f JOIN images i ON i.dataset_id = ? AND i.rel_path = f.rel_path AND i.id <> f.first_id
        ORDER BY i.id`,
    )
    .all(datasetId, datasetId) as Duplicate[];
  for (const d of dups) {
    problems.add(d.line, `duplicate id '${d.rel_path}'${d.first_line ? ` (first at line ${d.first_line})` : ''}`);
  }
  const removed: RemovedCounts = { rows: 0, photosPresent: 0, datasetLabels: 0, labeled: 0 };
  if (!remove || dups.length === 0) return removed;
  db.exec('CREATE TEMP TABLE import_dups(id INTEGER PRIMARY KEY)');
  try {
    const add = db.prepare('INSERT INTO import_dups(id) VALUES (?)');
    for (const d of dups) add.run(d.id);
    const img = db.prepare('SELECT COUNT(*) AS n, COALESCE(SUM(photo = 1), 0) AS present FROM images WHERE id IN (SELECT id FROM import_dups)').get() as { n: number; present: number };
    const lab = db.prepare(
      `SELECT COALESCE(SUM(source = 'dataset'), 0) AS own, COALESCE(SUM(source = 'gazetteer'), 0) AS gaz
         FROM cor_labels WHERE image_id IN (SELECT id FROM import_dups)`,
    ).get() as { own: number; gaz: number };
    db.exec('DELETE FROM cor_labels WHERE image_id IN (SELECT id FROM import_dups)');
    db.exec('DELETE FROM images WHERE id IN (SELECT id FROM import_dups)');
    removed.rows = img.n;
    removed.photosPresent = img.present;
    removed.datasetLabels = lab.own;
    removed.labeled = lab.gaz;
  } finally {
    db.exec('DROP TABLE temp.import_dups');
  }
  return removed;
}
