/**
 * Deletes one dataset; its photos, labels and reviews go with it through the
 * tables' ON DELETE CASCADE foreign keys.
 */
import type Database from 'better-sqlite3';

/** True when a dataset with this id existed. */
export function deleteDataset(db: Database.Database, datasetId: number): boolean {
  return db.prepare('DELETE FROM datasets WHERE id = ?').run(datasetId).changes > 0;
}
