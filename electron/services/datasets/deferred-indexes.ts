/**
 * Bulk loads build indexes faster after the rows are in (one sort each) than row by
 * row: a random B-tree insert per row per index, and, once the page cache is full,
 * index pages spilled to the WAL again and again. With every secondary index of
 * `images` and `cor_labels` dropped, the load only appends.
 *
 * The indexes are dropped and re-created inside the import's transaction: a rollback
 * brings them back untouched, and readers on other connections never see them
 * missing. Worth it only when the import is big next to what is stored already:
 * re-creating an index re-reads every row of its table.
 *
 * The unique (dataset_id, rel_path) index is among them, so duplicate ids are found
 * when it is re-created (see duplicates.ts), not row by row.
 *
 * Kept are the indexes a new dataset's rows only append to: they lead with the
 * dataset (the newest has the largest id), then a column of a few values at most,
 * then the row's id, which grows. Each insert lands on one of a few last pages,
 * already in the cache, which costs less than sorting them after.
 */
import type Database from 'better-sqlite3';

const TABLES = ['images', 'cor_labels'];
/** Appended to in order by an import (see above). */
const APPENDED = ['images_by_dataset', 'images_by_split', 'images_by_photo', 'cor_labels_flagged'];
/** Below this many new rows the incremental path is as fast. */
export const DEFER_MIN_ROWS = 100_000;

export interface DeferredIndex {
  name: string;
  sql: string;
  unique: boolean;
}

export function shouldDefer(db: Database.Database, expectedRows: number | null): boolean {
  if (expectedRows === null || expectedRows < DEFER_MIN_ROWS) return false;
  const existing = db.prepare('SELECT COALESCE(MAX(id), 0) FROM images').pluck().get() as number;
  return expectedRows >= existing;
}

/**
 * Drops the secondary indexes (not the primary-key ones, nor those appended to in
 * order) of the importer's tables, returned grouped by table: each re-creation scans
 * its table, and consecutive scans of the same table find its pages still in the cache.
 */
export function dropIndexes(db: Database.Database): DeferredIndex[] {
  const rows = db
    .prepare(
      `SELECT name, sql FROM sqlite_master
        WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${TABLES.map(() => '?').join(', ')})
          AND name NOT IN (${APPENDED.map(() => '?').join(', ')})
        ORDER BY tbl_name, name`,
    )
    .all(...TABLES, ...APPENDED) as { name: string; sql: string }[];
  for (const r of rows) db.exec(`DROP INDEX "${r.name.replace(/"/g, '""')}"`);
  return rows.map((r) => ({ ...r, unique: /^\s*CREATE\s+UNIQUE\b/i.test(r.sql) }));
}
