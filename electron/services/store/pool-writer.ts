/**
 * A write connection for a read-pool thread whose query ends in a write (a job's
 * provenance, an imported run record): the heavy part (reading, hashing, parsing,
 * compressing) stays off the main thread, and so may the wait for the write lock.
 * Opened for one write and closed after it.
 */
import Database from 'better-sqlite3';

/** How long the write may wait for another connection's lock (an import in another process). */
const BUSY_TIMEOUT_MS = 10_000;

export function withPoolWriter<T>(reader: Database.Database, write: (db: Database.Database) => T): T {
  const writer = new Database(reader.name, { fileMustExist: true });
  try {
    writer.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    writer.pragma('foreign_keys = ON');
    return write(writer);
  } finally {
    writer.close();
  }
}
