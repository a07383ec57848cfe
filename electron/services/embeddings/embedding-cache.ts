/**
 * Embeddings are cached per photo and encoder in a small SQLite file in the
 * project's cache folder (`embeddings.sqlite`): derived data, safe to delete, never
 * in the project file itself. Keyed by (encoder key, image id); the encoder key hashes
 * the model file, so a changed model never serves stale vectors.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export class EmbeddingCache {
  private readonly db: Database.Database;
  private readonly getStmt: Database.Statement<[string, number], { vec: Buffer }>;
  private readonly putStmt: Database.Statement;

  constructor(cacheDir: string) {
    fs.mkdirSync(cacheDir, { recursive: true });
    this.db = new Database(path.join(cacheDir, 'embeddings.sqlite'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`CREATE TABLE IF NOT EXISTS vectors (
      model    TEXT NOT NULL,
      image_id INTEGER NOT NULL,
      dims     INTEGER NOT NULL,
      vec      BLOB NOT NULL,
      PRIMARY KEY (model, image_id)
    ) WITHOUT ROWID`);
    this.getStmt = this.db.prepare('SELECT vec FROM vectors WHERE model = ? AND image_id = ?');
    this.putStmt = this.db.prepare('INSERT OR REPLACE INTO vectors(model, image_id, dims, vec) VALUES (?, ?, ?, ?)');
  }

  get(model: string, imageId: number): Float32Array | null {
    const row = this.getStmt.get(model, imageId);
    if (!row) return null;
    const b = row.vec;
    // Copy: the buffer may not be 4-byte aligned.
    return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  }

  has(model: string, imageId: number): boolean {
    return this.getStmt.get(model, imageId) !== undefined;
  }

  putMany(model: string, rows: readonly { imageId: number; vec: Float32Array }[]): void {
    this.db.transaction(() => {
      for (const r of rows) this.putStmt.run(model, r.imageId, r.vec.length, Buffer.from(r.vec.buffer, r.vec.byteOffset, r.vec.byteLength));
    })();
  }

  count(model: string): number {
    return this.db.prepare('SELECT COUNT(*) FROM vectors WHERE model = ?').pluck().get(model) as number;
  }

  close(): void {
    this.db.close();
  }
}
