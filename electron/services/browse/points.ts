/**
 * Every point of a filtered dataset for the map, as one binary buffer instead of
 * JSON (a million points is 12 MB this way, ~40 MB as JSON):
 *   u32 count | f32 lon[count] | f32 lat[count] | u32 id[count]
 */
import type Database from 'better-sqlite3';
import type { FilterSql } from './filter-sql.js';

/** `extraIds`: photos added to the filter's own rows (found by their reviewed label). */
export function pointsBuffer(db: Database.Database, sql: FilterSql, extraIds: readonly number[] = []): Buffer {
  const statement = db
    .prepare(
      `SELECT i.id, i.lat, i.lon FROM ${sql.datasetOnly ? 'images i' : sql.from}
        WHERE ${sql.where} AND i.lat IS NOT NULL AND i.lon IS NOT NULL ORDER BY ${sql.idColumn}`,
    )
    .raw(true);
  let capacity = 1024;
  let lon: Float32Array<ArrayBuffer> = new Float32Array(capacity);
  let lat: Float32Array<ArrayBuffer> = new Float32Array(capacity);
  let ids: Uint32Array<ArrayBuffer> = new Uint32Array(capacity);
  let n = 0;
  const extra: [number, number, number][] = [];
  // In chunks: SQLite binds at most 32766 parameters to one statement.
  for (let k = 0; k < extraIds.length; k += 10_000) {
    const chunk = extraIds.slice(k, k + 10_000);
    const found = db
      .prepare(`SELECT id, lat, lon FROM images WHERE id IN (${chunk.map(() => '?').join(', ')}) AND lat IS NOT NULL AND lon IS NOT NULL`)
      .raw(true)
      .all(...chunk) as [number, number, number][];
    extra.push(...found);
  }
  const rows = (function* (): Generator<[number, number, number]> {
    yield* statement.iterate(...sql.params) as Iterable<[number, number, number]>;
    yield* extra;
  })();
  for (const row of rows) {
    if (n === capacity) {
      capacity *= 2;
      lon = grow(lon, capacity);
      lat = grow(lat, capacity);
      ids = growU32(ids, capacity);
    }
    ids[n] = row[0];
    lat[n] = row[1];
    lon[n] = row[2];
    n++;
  }
  const out = Buffer.alloc(4 + n * 12);
  out.writeUInt32LE(n, 0);
  Buffer.from(lon.buffer, 0, n * 4).copy(out, 4);
  Buffer.from(lat.buffer, 0, n * 4).copy(out, 4 + n * 4);
  Buffer.from(ids.buffer, 0, n * 4).copy(out, 4 + n * 8);
  return out;
}

function grow(a: Float32Array<ArrayBuffer>, size: number): Float32Array<ArrayBuffer> {
  const b = new Float32Array(size);
  b.set(a);
  return b;
}

function growU32(a: Uint32Array<ArrayBuffer>, size: number): Uint32Array<ArrayBuffer> {
  const b = new Uint32Array(size);
  b.set(a);
  return b;
}
