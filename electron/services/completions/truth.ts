/**
 * The truth a completion is judged against: the photo's point, and its current
 * Chain-of-Region label: its reviewed label (reviewed_labels: what its latest review
 * left; a rejected label names no level), else the gazetteer's label. Checks are
 * stored with the completion; a review of the photo's label recomputes them
 * (recheck.ts), so they always judge against the current label.
 */
import type Database from 'better-sqlite3';
import type { TruthLabel } from '../../../shared/rpc/completions-methods.js';
import type { TruthChain, TruthPoint } from './checks.js';

export interface ImageTruth extends TruthPoint {
  label: (TruthChain & { source: string }) | null;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim().length > 0 ? v : null);

/** Reads a review's after_json leniently: camelCase or snake_case keys. */
export function chainFromReview(json: string): TruthChain | null {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const o = value as Record<string, unknown>;
  return {
    countryCode: str(o.countryCode) ?? str(o.country_code),
    country: str(o.country),
    region: str(o.region),
    city: str(o.city),
  };
}

export class TruthReader {
  private readonly point: Database.Statement<[number], { lat: number | null; lon: number | null }>;
  private readonly review: Database.Statement<[number], TruthChain>;
  private readonly gazetteer: Database.Statement<[number], Omit<TruthChain, never>>;

  constructor(db: Database.Database) {
    this.point = db.prepare('SELECT lat, lon FROM images WHERE id = ?');
    this.review = db.prepare('SELECT country_code AS countryCode, country, region, city FROM reviewed_labels WHERE image_id = ?');
    this.gazetteer = db.prepare(
      `SELECT country_code AS countryCode, country, region, city
         FROM cor_labels WHERE image_id = ? AND source = 'gazetteer'`,
    );
  }

  label(imageId: number): TruthLabel | null {
    const reviewed = this.review.get(imageId);
    if (reviewed) return { source: 'review', ...reviewed };
    const row = this.gazetteer.get(imageId);
    return row ? { source: 'gazetteer', ...row } : null;
  }

  truth(imageId: number): ImageTruth {
    const p = this.point.get(imageId);
    return { lat: p?.lat ?? null, lon: p?.lon ?? null, label: this.label(imageId) };
  }
}
