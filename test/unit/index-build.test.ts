/**
 * Indexes built under the sorter settings for bulk builds (many small sorted runs,
 * merged by helper threads) hold exactly what the table holds, in key order, and the
 * connection gets its own settings back, also when the build fails.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withIndexBuildSettings } from '../../electron/services/store/index-build.js';
import { mulberry32 } from '../../shared/random.js';
import { tempDir } from '../helpers/temp.js';

// Enough keys (about 8 MiB of them) for the sorter to write several runs and merge them.
const ROWS = 250_000;

let db: Database.Database;
let cleanup: () => void;

beforeAll(() => {
  const made = tempDir('georeason-index-build-');
  cleanup = made.cleanup;
  db = new Database(path.join(made.dir, 'index-build.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('cache_size = -65536');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, city TEXT, risk INTEGER)');
  const rand = mulberry32(11);
  const insert = db.prepare('INSERT INTO t (city, risk) VALUES (?, ?)');
  db.transaction(() => {
    for (let i = 0; i < ROWS; i++) insert.run(`city-${Math.floor(rand() * 40_000).toString(36)}`, Math.floor(rand() * 1000));
  })();
});

afterAll(() => {
  db.close();
  cleanup();
});

describe('withIndexBuildSettings', () => {
  it('builds an index that walks the rows in key order and passes the integrity check', () => {
    db.exec('BEGIN IMMEDIATE');
    withIndexBuildSettings(db, () => db.exec('CREATE INDEX t_by_city ON t(city, risk DESC, id)'));
    db.exec('COMMIT');
    const walked = db.prepare('SELECT city, risk, id FROM t INDEXED BY t_by_city ORDER BY city, risk DESC, id').all() as { city: string; risk: number; id: number }[];
    const scanned = db.prepare('SELECT city, risk, id FROM t NOT INDEXED').all() as { city: string; risk: number; id: number }[];
    scanned.sort((a, b) => (a.city < b.city ? -1 : a.city > b.city ? 1 : b.risk - a.risk || a.id - b.id));
    expect(walked).toEqual(scanned);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('gives the connection back its page cache and thread limit, also after a failed build', () => {
    db.pragma('cache_size = -65536');
    db.pragma('threads = 0');
    expect(() => withIndexBuildSettings(db, () => db.exec('CREATE UNIQUE INDEX t_unique_city ON t(city)'))).toThrow(/UNIQUE/);
    expect(db.pragma('cache_size', { simple: true })).toBe(-65536);
    expect(db.pragma('threads', { simple: true })).toBe(0);
    expect(withIndexBuildSettings(db, () => db.pragma('cache_size', { simple: true }))).toBe(-8192);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 't_unique_city'").pluck().get()).toBe(0);
  });
});
