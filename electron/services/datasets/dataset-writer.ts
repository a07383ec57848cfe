/**
 * Writes one dataset's rows inside the import's transaction: `images`, the dataset's
 * own label (source = 'dataset') and the gazetteer label (source = 'gazetteer').
 *
 * Gazetteer labels are made by a LabelPipe, usually in a thread of its own: rows are
 * gathered into blocks of BLOCK rows, each block's points go to the pipe, and a block
 * is written once its labels are back, in order. Up to IN_FLIGHT blocks wait at once,
 * so the reader parses ahead while the labeler labels and SQLite writes; `add`
 * returns a promise when a block is due to be written.
 *
 * Rows are buffered and inserted BATCH at a time with multi-row INSERT statements,
 * which saves better-sqlite3's per-call overhead (a few percent of a bulk load; the
 * B-tree work dominates). Ids are assigned here, so the labels of a batch can be
 * written without asking SQLite for rowids. A batch that
 * hits a duplicate id is undone by SQLite (statement-level rollback) and replayed row
 * by row, so the duplicate is found and reported by its line.
 */
import type Database from 'better-sqlite3';
import { AgreementCounter, scoreLabel, type ChainNames } from '../geo/label-risk.js';
import { LabelFacetCounter } from './label-facets.js';
import type { CountryCodeLookup } from './country-codes.js';
import { LabelDecoder, type GazetteerLabel, type LabelBatch } from './label-batch.js';
import type { LabelPipe } from './label-pipe.js';
import type { Problems } from './problems.js';

export type { PointLabeler } from './label-batch.js';

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
  /** Makes the gazetteer labels; null: none are made. */
  labels: LabelPipe | null;
  countryCode: CountryCodeLookup;
  problems: Problems;
  createdAt: string;
}

const BATCH = 64;
/** Rows per batch sent to the labeler. */
const BLOCK = 4096;
/** Blocks waiting for their labels before the reader is made to wait. */
const IN_FLIGHT = 4;
const IMAGE_COLS = 9;
const LABEL_COLS = 16;
const IMAGE_SQL = 'INSERT INTO images(id, dataset_id, rel_path, lat, lon, split, meta_json, photo, source_line) VALUES ';
const LABEL_SQL = `INSERT INTO cor_labels(image_id, dataset_id, source, country_code, country, region_code, region, city,
                   city_lat, city_lon, city_km, border_km, flags, created_at, risk, agree) VALUES `;

/**
 * The parameters of one gazetteer label row, appended to `out` (the one place they are
 * built), with the review queue's risk and the label sources' agreement scored once here.
 */
export function pushGazetteerLabel(
  out: unknown[],
  imageId: number,
  datasetId: number,
  l: GazetteerLabel,
  own: ChainNames | null,
  createdAt: string,
): void {
  const scored = scoreLabel(l.flags, l.cityKm, l, own);
  out.push(
    imageId, datasetId, 'gazetteer', l.countryCode, l.country, l.regionCode, l.region, l.city,
    l.cityLat, l.cityLon, l.cityKm, l.borderKm, l.flags, createdAt, scored.risk, scored.agree,
  );
}

/** Rows gathered for the labeler: their statement parameters, and the points to label. */
interface Block {
  /** Per 64-row chunk: image parameters, dataset-label parameters, lines, dataset labels per row. */
  chunks: Chunk[];
  points: Float64Array;
  n: number;
  labelled: Promise<LabelBatch> | null;
}

interface Chunk {
  images: unknown[];
  labels: unknown[];
  lines: (number | null)[];
  labelCounts: number[];
  /** Per row, the dataset's own place chain (the gazetteer label's risk compares with it). */
  owns: (ChainNames | null)[];
}

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
  /** Time spent inside INSERT statements, and waiting for the labeler (ms). */
  insertMs = 0;
  labelWaitMs = 0;

  private nextId: number;
  private readonly db: Database.Database;
  private readonly imageOne: Database.Statement;
  private readonly imageStatements = new Map<number, Database.Statement>();
  private readonly labelStatements = new Map<number, Database.Statement>();
  private readonly lineOf: Database.Statement;

  // The pending chunk: flat parameter lists, and per row its line and label count
  // (the dataset's own labels only: gazetteer labels are merged in when written).
  private images: unknown[] = [];
  private labels: unknown[] = [];
  private lines: (number | null)[] = [];
  private labelCounts: number[] = [];
  private owns: (ChainNames | null)[] = [];
  /** Labelled imports: the block being gathered, and blocks waiting for their labels. */
  private block: Block | null = null;
  private readonly waiting: Block[] = [];
  private readonly decoder = new LabelDecoder();

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

  /**
   * Adds one row (`lat`/`lon` already validated; `meta` a JSON text or null). When a
   * full block has been handed to the labeler and more than IN_FLIGHT wait, returns a
   * promise that the oldest block is written (after its labels, if they are late):
   * await it before adding more.
   */
  add(
    line: number | null,
    relPath: string,
    lat: number | null,
    lon: number | null,
    split: string | null,
    meta: string | null,
    chain: PlaceChain | null,
  ): Promise<void> | null {
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
    this.lines.push(line);
    this.labelCounts.push(labels);
    this.owns.push(own);
    if (s.labels === null) {
      if (this.lines.length === BATCH) this.writeChunk(this.takeChunk());
      return null;
    }
    const block = (this.block ??= { chunks: [], points: new Float64Array(2 * BLOCK), n: 0, labelled: null });
    block.points[2 * block.n] = lat ?? Number.NaN;
    block.points[2 * block.n + 1] = lon ?? Number.NaN;
    block.n++;
    if (this.lines.length === BATCH) block.chunks.push(this.takeChunk());
    if (block.n < BLOCK) return null;
    this.sendBlock(s.labels, block);
    return this.waiting.length > IN_FLIGHT ? this.writeOldest() : null;
  }

  /** Writes everything still pending; call once after the last `add`. */
  async finish(): Promise<void> {
    const labels = this.setup.labels;
    if (labels === null) {
      if (this.lines.length > 0) this.writeChunk(this.takeChunk());
      return;
    }
    const block = this.block;
    if (block !== null) {
      if (this.lines.length > 0) block.chunks.push(this.takeChunk());
      this.sendBlock(labels, block);
    }
    while (this.waiting.length > 0) await this.writeOldest();
  }

  private takeChunk(): Chunk {
    const chunk = { images: this.images, labels: this.labels, lines: this.lines, labelCounts: this.labelCounts, owns: this.owns };
    this.images = [];
    this.labels = [];
    this.lines = [];
    this.labelCounts = [];
    this.owns = [];
    return chunk;
  }

  private sendBlock(labels: LabelPipe, block: Block): void {
    this.block = null;
    block.labelled = labels.label(block.points, block.n);
    // A failure is seen when the block is written; until then it must not count as unhandled.
    block.labelled.catch(() => undefined);
    this.waiting.push(block);
  }

  /** Waits for the oldest block's labels, then writes it with them. */
  private async writeOldest(): Promise<void> {
    const block = this.waiting.shift();
    if (block === undefined || block.labelled === null) return;
    const waitStarted = performance.now();
    const batch = await block.labelled;
    this.labelWaitMs += performance.now() - waitStarted;
    this.decoder.accept(batch);
    const datasetId = this.setup.datasetId;
    const createdAt = this.setup.createdAt;
    let k = 0;
    for (const chunk of block.chunks) {
      // Each row's labels in order: the dataset's own (already in chunk.labels), then the gazetteer's.
      const merged: unknown[] = [];
      let from = 0;
      for (let r = 0; r < chunk.lines.length; r++, k++) {
        const own = chunk.labelCounts[r] ?? 0;
        for (let e = from + own * LABEL_COLS; from < e; from++) merged.push(chunk.labels[from]);
        const l = this.decoder.label(batch, k);
        if (l === null) continue;
        pushGazetteerLabel(merged, chunk.images[r * IMAGE_COLS] as number, datasetId, l, chunk.owns[r] ?? null, createdAt);
        chunk.labelCounts[r] = own + 1;
      }
      chunk.labels = merged;
      this.writeChunk(chunk);
    }
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

  /** Writes one chunk of rows with their labels. */
  private writeChunk(chunk: Chunk): void {
    const n = chunk.lines.length;
    if (n === 0) return;
    const started = performance.now();
    this.writeRows(chunk);
    this.insertMs += performance.now() - started;
  }

  private writeRows(chunk: Chunk): void {
    const n = chunk.lines.length;
    const { images, labels } = chunk;
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
      this.replay(chunk);
    }
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
      else {
        this.labeled++;
        this.agreement.add(labels[o + 3] as string | null, labels[o + 4] as string | null, labels[o + 15] as number);
      }
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
  private replay(chunk: Chunk): void {
    const { images, labels, lines, labelCounts } = chunk;
    let labelAt = 0;
    for (let r = 0; r < lines.length; r++) {
      const row = images.slice(r * IMAGE_COLS, (r + 1) * IMAGE_COLS);
      const mine = labels.slice(labelAt * LABEL_COLS, (labelAt + (labelCounts[r] ?? 0)) * LABEL_COLS);
      labelAt += labelCounts[r] ?? 0;
      try {
        this.imageOne.run(row);
      } catch (err) {
        if (!isDuplicate(err)) throw err;
        const relPath = row[2] as string;
        const first = this.lineOf.get(this.setup.datasetId, relPath) as number | null | undefined;
        this.setup.problems.add(lines[r] ?? null, `duplicate id '${relPath}'${first ? ` (first at line ${first})` : ''}`);
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
