/**
 * Writes one dataset's rows inside the import's transaction: `images`, the dataset's
 * own label (source = 'dataset') and the gazetteer label (source = 'gazetteer').
 *
 * Rows are buffered and inserted BATCH at a time with multi-row INSERT statements,
 * which saves better-sqlite3's per-call overhead (a few percent of a bulk load; the
 * B-tree work dominates). Ids are assigned here, so the labels of a batch can be
 * written without asking SQLite for rowids. A batch that
 * hits a duplicate id is undone by SQLite (statement-level rollback) and replayed row
 * by row, so the duplicate is found and reported by its line.
 */
import type Database from 'better-sqlite3';
import { AgreementCounter, scoreLabel, type ChainNames } from '../audit/label-risk.js';
import { LabelFacetCounter } from '../browse/label-facets.js';
import type { CorLabel } from '../geo/labeler.js';
import { flagsToBits } from '../geo/flags.js';
import type { CountryCodeLookup } from './country-codes.js';
import type { Problems } from './problems.js';

/** What the writer needs of the labeler (electron/services/geo/labeler.ts). */
export interface PointLabeler {
  label(lat: number, lon: number): CorLabel;
}

/** A place chain the dataset itself gives (MP16-Pro's columns, a Geo-R answer). */
export interface PlaceChain {
  country: string | null;
  region: string | null;
  city: string | null;
}

export interface WriterSetup {
  datasetId: number;
  /** Relative paths present under the image root; null when there is no root. */
  photos: Set<string> | null;
  labeler: PointLabeler | null;
  countryCode: CountryCodeLookup;
  problems: Problems;
  createdAt: string;
}

const BATCH = 64;
const IMAGE_COLS = 9;
const LABEL_COLS = 16;
const IMAGE_SQL = 'INSERT INTO images(id, dataset_id, rel_path, lat, lon, split, meta_json, photo, source_line) VALUES ';
const LABEL_SQL = `INSERT INTO cor_labels(image_id, dataset_id, source, country_code, country, region_code, region, city,
                   city_lat, city_lon, city_km, border_km, flags, created_at, risk, agree) VALUES `;

function values(cols: number, rows: number): string {
  const one = `(${new Array<string>(cols).fill('?').join(', ')})`;
  return new Array<string>(rows).fill(one).join(', ');
}

export class DatasetWriter {
  rows = 0;
  labeled = 0;
  datasetLabels = 0;
  photosPresent = 0;
  photosMissing = 0;
  /** The label_facets rows of what was written; exact until rows are taken back. */
  readonly facets = new LabelFacetCounter();
  /** The label_agreement rows of what was written; exact while the facets are. */
  readonly agreement = new AgreementCounter();
  facetsExact = true;

  private nextId: number;
  private readonly db: Database.Database;
  private readonly imageOne: Database.Statement;
  private readonly imageStatements = new Map<number, Database.Statement>();
  private readonly labelStatements = new Map<number, Database.Statement>();
  private readonly lineOf: Database.Statement;

  // The pending batch: flat parameter lists, and per row its line and label count.
  private images: unknown[] = [];
  private labels: unknown[] = [];
  private lines: (number | null)[] = [];
  private labelCounts: number[] = [];

  constructor(
    db: Database.Database,
    private readonly setup: WriterSetup,
  ) {
    this.db = db;
    // Safe: the import holds the write lock for its whole transaction.
    const max = db.prepare('SELECT COALESCE(MAX(id), 0) AS m FROM images').get() as { m: number };
    this.nextId = max.m + 1;
    this.imageOne = db.prepare(IMAGE_SQL + values(IMAGE_COLS, 1));
    this.lineOf = db.prepare('SELECT source_line FROM images WHERE dataset_id = ? AND rel_path = ?').pluck();
  }

  /** Adds one row (`lat`/`lon` already validated; `meta` a JSON text or null). */
  add(
    line: number | null,
    relPath: string,
    lat: number | null,
    lon: number | null,
    split: string | null,
    meta: string | null,
    chain: PlaceChain | null,
  ): void {
    const s = this.setup;
    const id = this.nextId++;
    const present = s.photos !== null && s.photos.has(relPath);
    this.images.push(id, s.datasetId, relPath, lat, lon, split, meta, present ? 1 : 0, line);
    let labels = 0;
    let own: ChainNames | null = null;
    if (chain !== null && (chain.country !== null || chain.region !== null || chain.city !== null)) {
      own = { countryCode: s.countryCode(chain.country), country: chain.country, region: chain.region, city: chain.city };
      this.labels.push(id, s.datasetId, 'dataset', own.countryCode, chain.country, null, chain.region, chain.city, null, null, null, null, 0, s.createdAt, null, null);
      labels++;
    }
    if (s.labeler !== null && lat !== null && lon !== null) {
      const l = s.labeler.label(lat, lon);
      const flags = flagsToBits(l.flags);
      // The review queue's order and the statistics' agreement, scored once here.
      const scored = scoreLabel(flags, l.cityKm, l, own);
      this.labels.push(
        id, s.datasetId, 'gazetteer', l.countryCode, l.country, l.regionCode, l.region, l.city,
        l.cityLat, l.cityLon, l.cityKm, l.borderKm, flags, s.createdAt, scored.risk, scored.agree,
      );
      this.agreement.add(l.countryCode, l.country, scored.agree);
      labels++;
    }
    this.lines.push(line);
    this.labelCounts.push(labels);
    if (this.lines.length === BATCH) this.flush();
  }

  /** Takes back rows removed after the load (duplicates found by the re-created index). */
  subtract(removed: { rows: number; photosPresent: number; datasetLabels: number; labeled: number }): void {
    this.facetsExact = false;
    this.rows -= removed.rows;
    this.photosPresent -= removed.photosPresent;
    this.photosMissing -= removed.rows - removed.photosPresent;
    this.datasetLabels -= removed.datasetLabels;
    this.labeled -= removed.labeled;
  }

  /** Writes the pending rows; call once more after the last `add`. */
  flush(): void {
    const n = this.lines.length;
    if (n === 0) return;
    const images = this.images;
    const labels = this.labels;
    let ok = true;
    try {
      // One statement for the whole batch: a failure undoes all of it, nothing half-written.
      this.statement(this.imageStatements, IMAGE_SQL, IMAGE_COLS, n).run(images);
    } catch (err) {
      if (!isDuplicate(err)) throw err;
      ok = false;
    }
    if (ok) {
      this.insertLabels(labels);
      for (let r = 0; r < n; r++) this.count(r, images);
    } else {
      this.replay(n, images, labels);
    }
    this.images = [];
    this.labels = [];
    this.lines = [];
    this.labelCounts = [];
  }

  private count(r: number, images: unknown[]): void {
    this.rows++;
    if (images[r * IMAGE_COLS + 7] === 1) this.photosPresent++;
    else this.photosMissing++;
  }

  private insertLabels(labels: unknown[]): void {
    const rows = labels.length / LABEL_COLS;
    if (rows === 0) return;
    for (let start = 0; start < rows; start += BATCH) {
      const k = Math.min(BATCH, rows - start);
      this.statement(this.labelStatements, LABEL_SQL, LABEL_COLS, k).run(start === 0 && k === rows ? labels : labels.slice(start * LABEL_COLS, (start + k) * LABEL_COLS));
    }
    for (let o = 0; o < labels.length; o += LABEL_COLS) {
      const source = labels[o + 2] as string;
      if (source === 'dataset') this.datasetLabels++;
      else this.labeled++;
      this.facets.add(
        source,
        labels[o + 3] as string | null,
        labels[o + 4] as string | null,
        labels[o + 5] as string | null,
        labels[o + 6] as string | null,
        labels[o + 7] as string | null,
        labels[o + 12] as number,
      );
    }
  }

  /** A multi-row INSERT for `rows` rows, prepared once per size. */
  private statement(cache: Map<number, Database.Statement>, sql: string, cols: number, rows: number): Database.Statement {
    let stmt = cache.get(rows);
    if (stmt === undefined) {
      stmt = this.db.prepare(sql + values(cols, rows));
      cache.set(rows, stmt);
    }
    return stmt;
  }

  /** Row by row, after a batch met a duplicate id: the duplicate is reported, the rest written. */
  private replay(n: number, images: unknown[], labels: unknown[]): void {
    let labelAt = 0;
    for (let r = 0; r < n; r++) {
      const row = images.slice(r * IMAGE_COLS, (r + 1) * IMAGE_COLS);
      const mine = labels.slice(labelAt * LABEL_COLS, (labelAt + (this.labelCounts[r] ?? 0)) * LABEL_COLS);
      labelAt += this.labelCounts[r] ?? 0;
      try {
        this.imageOne.run(row);
      } catch (err) {
        if (!isDuplicate(err)) throw err;
        const relPath = row[2] as string;
        const first = this.lineOf.get(this.setup.datasetId, relPath) as number | null | undefined;
        this.setup.problems.add(this.lines[r] ?? null, `duplicate id '${relPath}'${first ? ` (first at line ${first})` : ''}`);
        continue;
      }
      this.insertLabels(mine);
      this.count(r, images);
    }
  }
}

function isDuplicate(err: unknown): boolean {
  return (err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}
