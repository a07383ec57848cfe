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
 * which saves better-sqlite3's per-call overhead. Binding a value costs about as much
 * as SQLite storing it, so what is the same for every row of the import (the dataset,
 * the creation time, a label's source and the columns a dataset label leaves empty)
 * is written into the statements' text instead of bound: a gazetteer label binds 13
 * values, a dataset label 5, an image 8. Ids are assigned here, so the labels of a
 * batch can be written without asking SQLite for rowids. A batch that
 * hits a duplicate id is undone by SQLite (statement-level rollback) and replayed row
 * by row, so the duplicate is found and reported by its line.
 */
import type Database from 'better-sqlite3';
import { AgreementCounter, LabelScorer, type ChainNames } from '../geo/label-risk.js';
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
/** Values bound per image row: id, rel_path, lat, lon, split, meta_json, photo, source_line. */
const IMAGE_COLS = 8;
/** Where the photo flag is among an image row's values. */
const PHOTO_AT = 6;
/** A label row's kind: its source, and how many values it binds. */
const DATASET = 'd';
const GAZETTEER = 'g';
const DATASET_COLS = 5;
const GAZETTEER_COLS = 13;
/** Label-row patterns (one kind letter per row) with a statement of their own, at most. */
const MAX_PATTERNS = 64;

const sqlText = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** The INSERT texts of one import: its dataset id and creation time written in. */
function statementTexts(datasetId: number, createdAt: string): { image: string; dataset: string; gazetteer: string; labelHead: string } {
  const ds = String(Math.trunc(datasetId));
  const at = sqlText(createdAt);
  return {
    image: `(?, ${ds}, ?, ?, ?, ?, ?, ?, ?)`,
    // image_id, country_code, country, region, city
    dataset: `(?, ${ds}, 'dataset', ?, ?, NULL, ?, ?, NULL, NULL, NULL, NULL, 0, ${at}, NULL, NULL)`,
    // image_id, country_code, country, region_code, region, city, city_lat, city_lon, city_km, border_km, flags, risk, agree
    gazetteer: `(?, ${ds}, 'gazetteer', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ${at}, ?, ?)`,
    labelHead: `INSERT INTO cor_labels(image_id, dataset_id, source, country_code, country, region_code, region, city,
                city_lat, city_lon, city_km, border_km, flags, created_at, risk, agree) VALUES `,
  };
}
const IMAGE_HEAD = 'INSERT INTO images(id, dataset_id, rel_path, lat, lon, split, meta_json, photo, source_line) VALUES ';

/**
 * The bound values of one gazetteer label row, appended to `out` (the one place they
 * are built), with the review queue's risk and the label sources' agreement.
 */
function pushGazetteerLabel(out: unknown[], imageId: number, l: GazetteerLabel, scored: { risk: number; agree: number }): void {
  out.push(imageId, l.countryCode, l.country, l.regionCode, l.region, l.city, l.cityLat, l.cityLon, l.cityKm, l.borderKm, l.flags, scored.risk, scored.agree);
}

const keyPart = (s: string | null): string => (s === null ? '-' : `${s.length}:${s}`);

/**
 * What a gazetteer label's score depends on, besides the distance: its place and city
 * (entries of the batch tables, so their indexes), its flags and the dataset's names.
 */
function scoreKey(place: number, city: number, flags: number, own: ChainNames | null): string {
  const head = `${place} ${city} ${flags}`;
  if (own === null) return head;
  return `${head} ${keyPart(own.countryCode)}${keyPart(own.country)}${keyPart(own.region)}${keyPart(own.city)}`;
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
  /** One kind letter per label row in `labels` (DATASET or GAZETTEER), in order. */
  kinds: string;
  lines: (number | null)[];
  labelCounts: number[];
  /** Per row, the dataset's own place chain (the gazetteer label's risk compares with it). */
  owns: (ChainNames | null)[];
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
  private readonly sql: ReturnType<typeof statementTexts>;
  private readonly imageOne: Database.Statement;
  private readonly imageStatements = new Map<number, Database.Statement>();
  /** By label-row pattern; beyond MAX_PATTERNS, by row count with every column bound. */
  private readonly labelStatements = new Map<string, Database.Statement>();
  private readonly boundStatements = new Map<number, Database.Statement>();
  private readonly lineOf: Database.Statement;

  // The pending chunk: flat parameter lists, and per row its line and label count
  // (the dataset's own labels only: gazetteer labels are merged in when written).
  private images: unknown[] = [];
  private labels: unknown[] = [];
  private kinds = '';
  private lines: (number | null)[] = [];
  private labelCounts: number[] = [];
  private owns: (ChainNames | null)[] = [];
  /** Labelled imports: the block being gathered, and blocks waiting for their labels. */
  private block: Block | null = null;
  private readonly waiting: Block[] = [];
  private readonly decoder = new LabelDecoder();
  private readonly scorer = new LabelScorer();

  constructor(
    db: Database.Database,
    private readonly setup: WriterSetup,
  ) {
    this.db = db;
    // Safe: the import holds the write lock for its whole transaction.
    const max = db.prepare('SELECT COALESCE(MAX(id), 0) AS m FROM images').get() as { m: number };
    this.nextId = max.m + 1;
    this.sql = statementTexts(setup.datasetId, setup.createdAt);
    this.imageOne = db.prepare(IMAGE_HEAD + this.sql.image);
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
    this.images.push(id, relPath, lat, lon, split, meta, present ? 1 : 0, line);
    let labels = 0;
    let own: ChainNames | null = null;
    if (chain !== null && (chain.country !== null || chain.region !== null || chain.city !== null)) {
      own = { countryCode: s.countryCode(chain.country), country: chain.country, region: chain.region, city: chain.city };
      this.labels.push(id, own.countryCode, chain.country, chain.region, chain.city);
      this.kinds += DATASET;
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
    const chunk = { images: this.images, labels: this.labels, kinds: this.kinds, lines: this.lines, labelCounts: this.labelCounts, owns: this.owns };
    this.images = [];
    this.labels = [];
    this.kinds = '';
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
    let k = 0;
    for (const chunk of block.chunks) {
      // Each row's labels in order: the dataset's own (already in chunk.labels), then the gazetteer's.
      const merged: unknown[] = [];
      let kinds = '';
      let from = 0;
      let kindAt = 0;
      for (let r = 0; r < chunk.lines.length; r++, k++) {
        const own = chunk.labelCounts[r] ?? 0;
        for (let e = kindAt + own; kindAt < e; kindAt++) {
          kinds += chunk.kinds[kindAt];
          for (let end = from + (chunk.kinds[kindAt] === DATASET ? DATASET_COLS : GAZETTEER_COLS); from < end; from++) merged.push(chunk.labels[from]);
        }
        const l = this.decoder.label(batch, k);
        if (l === null) continue;
        const names = chunk.owns[r] ?? null;
        const key = scoreKey(batch.place[k] ?? -1, batch.city[k] ?? -1, l.flags, names);
        pushGazetteerLabel(merged, chunk.images[r * IMAGE_COLS] as number, l, this.scorer.score(key, l.flags, l.cityKm, l, names));
        kinds += GAZETTEER;
        chunk.labelCounts[r] = own + 1;
      }
      chunk.labels = merged;
      chunk.kinds = kinds;
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
    const { images, labels, kinds } = chunk;
    let ok = true;
    try {
      // One statement for the whole batch: a failure undoes all of it, nothing half-written.
      this.imageStatement(n).run(images);
    } catch (err) {
      if (!isDuplicate(err)) throw err;
      ok = false;
    }
    if (ok) {
      this.insertLabels(labels, kinds);
      for (let r = 0; r < n; r++) this.count(r, images);
    } else {
      this.replay(chunk);
    }
  }

  private count(r: number, images: unknown[]): void {
    this.rows++;
    if (images[r * IMAGE_COLS + PHOTO_AT] === 1) this.photosPresent++;
    else this.photosMissing++;
  }

  /** Inserts label rows (`kinds`: one letter per row) in order, then counts them. */
  private insertLabels(labels: unknown[], kinds: string): void {
    if (kinds.length === 0) return;
    const stmt = this.labelStatements.get(kinds);
    if (stmt !== undefined) stmt.run(labels);
    else if (this.labelStatements.size < MAX_PATTERNS) {
      const made = this.db.prepare(this.labelSql(kinds));
      this.labelStatements.set(kinds, made);
      made.run(labels);
    } else this.insertBound(labels, kinds);
    let o = 0;
    for (let i = 0; i < kinds.length; i++) {
      if (kinds[i] === DATASET) {
        this.datasetLabels++;
        const countryCode = labels[o + 1] as string | null;
        this.facets.add('dataset', countryCode, labels[o + 2] as string | null, null, labels[o + 3] as string | null, labels[o + 4] as string | null, 0);
        o += DATASET_COLS;
      } else {
        this.labeled++;
        const countryCode = labels[o + 1] as string | null;
        const country = labels[o + 2] as string | null;
        this.agreement.add(countryCode, country, labels[o + 12] as number);
        this.facets.add(
          'gazetteer',
          countryCode,
          country,
          labels[o + 3] as string | null,
          labels[o + 4] as string | null,
          labels[o + 5] as string | null,
          labels[o + 10] as number,
        );
        o += GAZETTEER_COLS;
      }
    }
  }

  /**
   * Label rows with every column bound (one statement per row count): for chunks whose
   * pattern of kinds has no statement of its own.
   */
  private insertBound(labels: unknown[], kinds: string): void {
    const { datasetId, createdAt } = this.setup;
    const full: unknown[] = [];
    let o = 0;
    for (const k of kinds) {
      if (k === DATASET) {
        full.push(labels[o], datasetId, 'dataset', labels[o + 1], labels[o + 2], null, labels[o + 3], labels[o + 4], null, null, null, null, 0, createdAt, null, null);
        o += DATASET_COLS;
      } else {
        full.push(labels[o], datasetId, 'gazetteer');
        for (let c = 1; c <= 10; c++) full.push(labels[o + c]);
        full.push(createdAt, labels[o + 11], labels[o + 12]);
        o += GAZETTEER_COLS;
      }
    }
    let stmt = this.boundStatements.get(kinds.length);
    if (stmt === undefined) {
      const row = `(${new Array<string>(16).fill('?').join(', ')})`;
      stmt = this.db.prepare(this.sql.labelHead + new Array<string>(kinds.length).fill(row).join(', '));
      this.boundStatements.set(kinds.length, stmt);
    }
    stmt.run(full);
  }

  private labelSql(kinds: string): string {
    const rows: string[] = [];
    for (const k of kinds) rows.push(k === DATASET ? this.sql.dataset : this.sql.gazetteer);
    return this.sql.labelHead + rows.join(', ');
  }

  /** A multi-row image INSERT for `rows` rows, prepared once per size. */
  private imageStatement(rows: number): Database.Statement {
    let stmt = this.imageStatements.get(rows);
    if (stmt === undefined) {
      stmt = this.db.prepare(IMAGE_HEAD + new Array<string>(rows).fill(this.sql.image).join(', '));
      this.imageStatements.set(rows, stmt);
    }
    return stmt;
  }

  /** Row by row, after a batch met a duplicate id: the duplicate is reported, the rest written. */
  private replay(chunk: Chunk): void {
    const { images, labels, kinds, lines, labelCounts } = chunk;
    let kindAt = 0;
    let labelAt = 0;
    for (let r = 0; r < lines.length; r++) {
      const row = images.slice(r * IMAGE_COLS, (r + 1) * IMAGE_COLS);
      const mineKinds = kinds.slice(kindAt, kindAt + (labelCounts[r] ?? 0));
      kindAt += mineKinds.length;
      let width = 0;
      for (const k of mineKinds) width += k === DATASET ? DATASET_COLS : GAZETTEER_COLS;
      const mine = labels.slice(labelAt, labelAt + width);
      labelAt += width;
      try {
        this.imageOne.run(row);
      } catch (err) {
        if (!isDuplicate(err)) throw err;
        const relPath = row[1] as string;
        const first = this.lineOf.get(this.setup.datasetId, relPath) as number | null | undefined;
        this.setup.problems.add(lines[r] ?? null, `duplicate id '${relPath}'${first ? ` (first at line ${first})` : ''}`);
        continue;
      }
      this.insertLabels(mine, mineKinds);
      this.count(r, images);
    }
  }
}

function isDuplicate(err: unknown): boolean {
  return (err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}
