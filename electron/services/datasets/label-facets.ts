/**
 * label_facets: one dataset's labels counted by (source, country, region, city,
 * flags). Written once when a dataset's labels are made; the filter menus and the
 * place-name search read these few thousand rows instead of millions of labels.
 */
import type Database from 'better-sqlite3';
import { ownCopy } from '../geo/label-risk.js';

export function refreshLabelFacets(db: Database.Database, datasetId: number): void {
  db.prepare('DELETE FROM label_facets WHERE dataset_id = ?').run(datasetId);
  db.prepare(
    `INSERT INTO label_facets(dataset_id, source, country_code, country, region_code, region, city, flags, count)
     SELECT ?, source, country_code, MAX(country), region_code, MAX(region), city, flags, COUNT(*)
       FROM cor_labels WHERE dataset_id = ?
      GROUP BY source, country_code, region_code, city, flags`,
  ).run(datasetId, datasetId);
}

/** One label_facets row of a source: a (country, region, city, flags) group and its count. */
export interface FacetRow {
  countryCode: string | null;
  country: string | null;
  regionCode: string | null;
  region: string | null;
  city: string | null;
  flags: number;
  count: number;
}

/** A facet row with its source, as the import counts it. */
interface FacetEntry extends FacetRow {
  source: string;
}

type Level = Map<string | null, Level | FacetEntry>;

/** SQLite's MAX over text (NULLs ignored, the larger string kept), as a string the counter may keep. */
function maxText(a: string | null, b: string | null): string | null {
  return b !== null && (a === null || b > a) ? ownCopy(b) : a;
}

const kept = (s: string | null): string | null => (s === null ? null : ownCopy(s));

/**
 * The same counts as refreshLabelFacets, gathered while an import writes its labels,
 * so the import need not GROUP BY millions of rows afterwards (a sort: about a tenth of
 * a big import). Keys are nested Maps, so null and any string stay distinct.
 */
export class LabelFacetCounter {
  private readonly root: Level = new Map();
  private readonly entries: FacetEntry[] = [];

  private static child(level: Level, key: string | null): Level {
    let next = level.get(key) as Level | undefined;
    if (next === undefined) {
      next = new Map();
      level.set(kept(key), next);
    }
    return next;
  }

  add(source: string, countryCode: string | null, country: string | null, regionCode: string | null, region: string | null, city: string | null, flags: number): void {
    const child = LabelFacetCounter.child;
    const byFlags = child(child(child(child(this.root, source), countryCode), regionCode), city) as unknown as Map<number, FacetEntry>;
    let entry = byFlags.get(flags);
    if (entry === undefined) {
      entry = { source, countryCode: kept(countryCode), country: kept(country), regionCode: kept(regionCode), region: kept(region), city: kept(city), flags, count: 0 };
      byFlags.set(flags, entry);
      this.entries.push(entry);
    } else {
      entry.country = maxText(entry.country, country);
      entry.region = maxText(entry.region, region);
    }
    entry.count++;
  }

  /** Replaces the dataset's facet rows with the counted ones. */
  write(db: Database.Database, datasetId: number): void {
    db.prepare('DELETE FROM label_facets WHERE dataset_id = ?').run(datasetId);
    const insert = db.prepare(
      `INSERT INTO label_facets(dataset_id, source, country_code, country, region_code, region, city, flags, count)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const e of this.entries) insert.run(datasetId, e.source, e.countryCode, e.country, e.regionCode, e.region, e.city, e.flags, e.count);
  }
}
