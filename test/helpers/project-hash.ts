/**
 * "The project is unchanged", checkable: a hash of every table's rows, in rowid
 * order. Equal hashes mean equal content, whatever the file's pages look like.
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';

export function contentHash(db: Database.Database): string {
  const hash = createHash('sha256');
  // The schema too: a dropped index or a leftover staging table is a change.
  hash.update(JSON.stringify(db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").raw().all()));
  const tables = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string; sql: string }[];
  for (const { name, sql } of tables) {
    hash.update(`\u0001${name}`);
    const order = /WITHOUT ROWID/i.test(sql) ? '' : ' ORDER BY rowid';
    for (const row of db.prepare(`SELECT * FROM "${name.replaceAll('"', '""')}"${order}`).raw().iterate()) {
      hash.update(JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
    }
  }
  return hash.digest('hex');
}

/** Row counts of the tables a person's work lives in. */
export function tableCounts(db: Database.Database): Record<string, number> {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
  return Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT COUNT(*) FROM "${t.replaceAll('"', '""')}"`).pluck().get() as number]));
}
