/**
 * Finds a dataset's photo for the id a prediction file uses. Files name photos many
 * ways: the dataset's rel_path, an absolute or differently rooted path, the file name,
 * the id without its extension (IM2GPS3K's IMG_ID vs a `.jpg` on disk). The matcher
 * tries the most specific key first and refuses a key that fits more than one photo.
 */
import type Database from 'better-sqlite3';

const AMBIGUOUS = -1;

export type MatchResult = { imageId: number } | { imageId: null; reason: 'unknown' | 'ambiguous' };

function normalisePath(p: string): string {
  return p.trim().replace(/\\/g, '/').replace(/^(\.\/)+/, '');
}

function basename(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? p : p.slice(i + 1);
}

function stem(p: string): string {
  const i = p.lastIndexOf('.');
  return i > 0 && i > p.lastIndexOf('/') ? p.slice(0, i) : p;
}

export class ImageMatcher {
  private readonly exact = new Map<string, number>();
  private readonly loose = new Map<string, number>();

  constructor(db: Database.Database, datasetId: number) {
    const rows = db.prepare('SELECT id, rel_path AS relPath FROM images WHERE dataset_id = ?').iterate(datasetId) as Iterable<{
      id: number;
      relPath: string;
    }>;
    for (const { id, relPath } of rows) {
      const p = normalisePath(relPath);
      this.exact.set(p, id);
      const keys = new Set([stem(p), basename(p), stem(basename(p))]);
      for (const key of keys) {
        const prev = this.loose.get(key);
        this.loose.set(key, prev === undefined || prev === id ? id : AMBIGUOUS);
      }
    }
  }

  get size(): number {
    return this.exact.size;
  }

  match(raw: string): MatchResult {
    const p = normalisePath(raw);
    if (p.length === 0) return { imageId: null, reason: 'unknown' };
    const exact = this.exact.get(p);
    if (exact !== undefined) return { imageId: exact };
    // Most specific first: the whole path without extension, then the file name, then its stem.
    let ambiguous = false;
    for (const key of [stem(p), basename(p), stem(basename(p))]) {
      const hit = this.loose.get(key) ?? this.exact.get(key);
      if (hit === undefined) continue;
      if (hit === AMBIGUOUS) {
        ambiguous = true;
        continue;
      }
      return { imageId: hit };
    }
    return { imageId: null, reason: ambiguous ? 'ambiguous' : 'unknown' };
  }
}
