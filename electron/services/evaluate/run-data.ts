/**
 * Reads what the metrics need straight from the project file into typed arrays: the
 * true points of a dataset, their current labels, and a run's completion rows. The
 * error is recomputed here from the unrounded points (the stored `km` is rounded to
 * metres), so the figures equal `georeason eval` on the same rows.
 */
import type Database from 'better-sqlite3';
import { haversineKm } from '../../../shared/geo/haversine.js';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import type { RunRef } from '../../../shared/rpc/evaluate-methods.js';
import { NO_PLACE, readPlaces, type Place } from '../completions/truth-places.js';

/** One photo's label as the breakdowns group it. */
export type { Place } from '../completions/truth-places.js';

export interface Truth {
  datasetId: number;
  ids: Int32Array;
  /**
   * The current label of each truth photo as an index into `places`: its reviewed
   * label, else the gazetteer's (the all-null place where it has none: open water,
   * rejected).
   */
  place: Int32Array;
  places: Place[];
  /** Image id → truth index, or undefined. */
  indexOf(imageId: number): number | undefined;
  /** True points of some photos (truth indexes): the error map draws a few thousand. */
  points(truthIndexes: readonly number[]): { lat: number[]; lon: number[] };
}

/** The truth of a whole dataset, with every photo's point (its rows are measured against them). */
export interface DatasetTruth extends Truth {
  lat: Float64Array;
  lon: Float64Array;
}

/** Interns places to dense indexes, null and '' kept apart. */
class PlaceList {
  readonly places: Place[] = [];
  private readonly index = new Map<string, number>();

  add(countryCode: string | null, country: string | null, region: string | null): number {
    const key = `${countryCode ?? '\u0000'}\u0001${country ?? '\u0000'}\u0001${region ?? '\u0000'}`;
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.places.length;
      this.places.push({ countryCode, country, region });
      this.index.set(key, i);
    }
    return i;
  }
}

/**
 * Image ids of one dataset are mostly a dense range: a typed lookup table over that
 * range replaces a Map when it is not much larger than the set.
 */
function idLookup(ids: Int32Array): (imageId: number) => number | undefined {
  const n = ids.length;
  if (n === 0) return () => undefined;
  const min = ids[0] as number;
  const span = (ids[n - 1] as number) - min + 1;
  if (span <= 4 * n + 1024) {
    const table = new Int32Array(span).fill(-1);
    for (let i = 0; i < n; i++) table[(ids[i] as number) - min] = i;
    return (id) => {
      const k = id - min;
      if (k < 0 || k >= span) return undefined;
      const i = table[k] as number;
      return i < 0 ? undefined : i;
    };
  }
  const map = new Map<number, number>();
  for (let i = 0; i < n; i++) map.set(ids[i] as number, i);
  return (id) => map.get(id);
}

/** Reads true points by image id, in slices (for the error map's few thousand photos). */
function pointReader(db: Database.Database, ids: Int32Array): Truth['points'] {
  const read = db.prepare('SELECT id, lat, lon FROM images WHERE id IN (SELECT value FROM json_each(?))');
  return (truthIndexes) => {
    const at = new Map<number, [number, number]>();
    const wanted = truthIndexes.map((t) => ids[t] as number);
    for (let i = 0; i < wanted.length; i += 10_000) {
      for (const [id, lat, lon] of read.raw().all(JSON.stringify(wanted.slice(i, i + 10_000))) as [number, number, number][]) at.set(id, [lat, lon]);
    }
    const lat: number[] = [];
    const lon: number[] = [];
    for (const id of wanted) {
      const p = at.get(id);
      lat.push(p ? p[0] : Number.NaN);
      lon.push(p ? p[1] : Number.NaN);
    }
    return { lat, lon };
  };
}

/**
 * The photos of a dataset that have a true point, in id order, with their current
 * labels: the gazetteer's, replaced where a review changed it (few next to the dataset).
 */
export function loadTruth(db: Database.Database, datasetId: number): DatasetTruth {
  // Streamed, not read whole: millions of row arrays alive at once cost more in garbage
  // collection than the read itself. The dataset's photo count bounds the arrays.
  const bound = db.prepare('SELECT COUNT(*) FROM images WHERE dataset_id = ?').pluck().get(datasetId) as number;
  const rows = db
    .prepare(
      `SELECT i.id, i.lat, i.lon, l.country_code, l.country, l.region
         FROM images i LEFT JOIN cor_labels l ON l.image_id = i.id AND l.source = 'gazetteer'
        WHERE i.dataset_id = ? AND i.lat IS NOT NULL AND i.lon IS NOT NULL
        ORDER BY i.id`,
    )
    .raw()
    .iterate(datasetId) as Iterable<[number, number, number, string | null, string | null, string | null]>;
  const allIds = new Int32Array(bound);
  const allLat = new Float64Array(bound);
  const allLon = new Float64Array(bound);
  const allPlace = new Int32Array(bound);
  const places = new PlaceList();
  let n = 0;
  for (const [id, la, lo, cc, cn, rg] of rows) {
    allIds[n] = id;
    allLat[n] = la;
    allLon[n] = lo;
    allPlace[n] = places.add(cc, cn, rg);
    n++;
  }
  const ids = allIds.slice(0, n);
  const lat = allLat.slice(0, n);
  const lon = allLon.slice(0, n);
  const truth: DatasetTruth = {
    datasetId,
    ids,
    lat,
    lon,
    place: allPlace.slice(0, n),
    places: places.places,
    indexOf: idLookup(ids),
    points: (ts) => ({ lat: ts.map((t) => lat[t] as number), lon: ts.map((t) => lon[t] as number) }),
  };
  applyReviewedLabels(db, truth, places);
  return truth;
}

/** Replaces the gazetteer's label where a review changed it (few photos next to the dataset). */
function applyReviewedLabels(db: Database.Database, truth: Truth, places: PlaceList): void {
  const relabeled = db
    .prepare('SELECT image_id, country_code, country, region FROM reviewed_labels WHERE dataset_id = ? AND relabeled = 1')
    .raw()
    .all(truth.datasetId) as [number, string | null, string | null, string | null][];
  for (const [id, cc, name, reg] of relabeled) {
    const t = truth.indexOf(id);
    if (t === undefined) continue;
    truth.place[t] = places.add(cc, name, reg);
  }
}

export function requireDataset(ref: RunRef): number {
  if (ref.datasetId === null) throw new RpcError(ErrorCode.BadInput, `run ${ref.id} ("${ref.name}") belongs to no dataset: nothing to measure it against`);
  return ref.datasetId;
}

/** Per completion row, in (image, sample) order; only rows whose photo has a true point. */
export interface RunRows {
  ref: RunRef;
  /** Truth index of the row's photo. */
  image: Int32Array;
  sample: Int32Array;
  /** Error, km; NaN when the completion has no point. */
  km: Float64Array;
  /** 1 right, 0 wrong, -1 not judged (no chain, no truth name). */
  countryOk: Int8Array;
  regionOk: Int8Array;
  cityOk: Int8Array;
  /** Answered photos left out because they have no true point. */
  withoutTruth: number;
}

type RowColumns = Pick<RunRows, 'image' | 'sample' | 'km' | 'countryOk' | 'regionOk' | 'cityOk'>;

/** The first `n` rows of columns sized for every row read (rows without a true point are skipped). */
function filledRows(ref: RunRef, c: RowColumns, n: number, withoutTruth: number): RunRows {
  return {
    ref,
    image: c.image.subarray(0, n),
    sample: c.sample.subarray(0, n),
    km: c.km.subarray(0, n),
    countryOk: c.countryOk.subarray(0, n),
    regionOk: c.regionOk.subarray(0, n),
    cityOk: c.cityOk.subarray(0, n),
    withoutTruth,
  };
}

export function runRef(db: Database.Database, runId: number): RunRef {
  const r = db
    .prepare(
      `SELECT r.id, COALESCE(r.name, 'run ' || r.id) AS name, r.model, r.dataset_id AS datasetId, d.name AS datasetName,
              CASE WHEN json_valid(r.params_json) AND json_type(r.params_json, '$.description') = 'text'
                   THEN json_extract(r.params_json, '$.description') END AS description
         FROM runs r LEFT JOIN datasets d ON d.id = r.dataset_id WHERE r.id = ?`,
    )
    .get(runId) as RunRef | undefined;
  if (!r) throw new RpcError(ErrorCode.NotFound, `no run with id ${runId}`);
  return r;
}

const flag = (v: number | null): number => (v === null ? -1 : v);

export function loadRunRows(db: Database.Database, ref: RunRef, truth: DatasetTruth): RunRows {
  // Streamed (see loadTruth); the count sizes the arrays.
  const n = db.prepare('SELECT COUNT(*) FROM completions WHERE run_id = ?').pluck().get(ref.id) as number;
  const rows = db
    .prepare(
      `SELECT image_id, sample, lat, lon, country_ok, region_ok, city_ok
         FROM completions WHERE run_id = ? ORDER BY image_id, sample`,
    )
    .raw()
    .iterate(ref.id) as Iterable<[number, number, number | null, number | null, number | null, number | null, number | null]>;
  const image = new Int32Array(n);
  const sample = new Int32Array(n);
  const km = new Float64Array(n);
  const countryOk = new Int8Array(n);
  const regionOk = new Int8Array(n);
  const cityOk = new Int8Array(n);
  let j = 0;
  let withoutTruth = 0;
  let lastMissing = -1;
  for (const [imageId, s, la, lo, c, r, ci] of rows) {
    const t = truth.indexOf(imageId);
    if (t === undefined) {
      if (imageId !== lastMissing) withoutTruth++;
      lastMissing = imageId;
      continue;
    }
    image[j] = t;
    sample[j] = s;
    km[j] = la === null || lo === null ? Number.NaN : haversineKm(truth.lat[t] as number, truth.lon[t] as number, la, lo);
    countryOk[j] = flag(c);
    regionOk[j] = flag(r);
    cityOk[j] = flag(ci);
    j++;
  }
  return filledRows(ref, { image, sample, km, countryOk, regionOk, cityOk }, j, withoutTruth);
}

/**
 * A completion's three checks as one base-3 number (0 not judged, 1 wrong, 2 right).
 * The store holds each check as 0, 1 or NULL, so unpacking gives back exactly what
 * was stored.
 */
const PACKED_CHECKS = `9 * (CASE WHEN c.country_ok IS NULL THEN 0 WHEN c.country_ok = 0 THEN 1 ELSE 2 END)
  + 3 * (CASE WHEN c.region_ok IS NULL THEN 0 WHEN c.region_ok = 0 THEN 1 ELSE 2 END)
  + (CASE WHEN c.city_ok IS NULL THEN 0 WHEN c.city_ok = 0 THEN 1 ELSE 2 END)`;

/** Columns sized for every row of a run, and its photos' truth as they are met. */
class AnsweredRunBuilder {
  readonly rows: RowColumns;
  private readonly ids: Int32Array;
  private readonly place: Int32Array;
  readonly places = new PlaceList();
  private photos = 0;
  private j = 0;
  private withoutTruth = 0;
  private lastImage = -1;
  private lastTruth = -1;

  constructor(
    private readonly ref: RunRef,
    private readonly datasetId: number,
    n: number,
  ) {
    this.rows = {
      image: new Int32Array(n),
      sample: new Int32Array(n),
      km: new Float64Array(n),
      countryOk: new Int8Array(n),
      regionOk: new Int8Array(n),
      cityOk: new Int8Array(n),
    };
    // A run has at most n photos.
    this.ids = new Int32Array(n);
    this.place = new Int32Array(n);
  }

  /** The first row of a photo: with its true point (and its place) or without one. */
  photo(imageId: number, hasTruth: boolean, place: () => number): void {
    this.lastImage = imageId;
    if (!hasTruth) {
      this.lastTruth = -1;
      this.withoutTruth++;
      return;
    }
    this.lastTruth = this.photos++;
    this.ids[this.lastTruth] = imageId;
    this.place[this.lastTruth] = place();
  }

  get currentImage(): number {
    return this.lastImage;
  }

  /** The truth index of the current photo, -1 when it has no true point. */
  get currentTruth(): number {
    return this.lastTruth;
  }

  /** A row of the current photo (only call when it has a true point); checks packed as in PACKED_CHECKS. */
  row(sample: number, km: number, checks: number): void {
    const j = this.j++;
    const r = this.rows;
    r.image[j] = this.lastTruth;
    r.sample[j] = sample;
    r.km[j] = km;
    r.countryOk[j] = ((checks / 9) | 0) - 1;
    r.regionOk[j] = (((checks / 3) | 0) % 3) - 1;
    r.cityOk[j] = (checks % 3) - 1;
  }

  finish(db: Database.Database): { truth: Truth; rows: RunRows } {
    const ids = this.ids.slice(0, this.photos);
    const truth: Truth = {
      datasetId: this.datasetId,
      ids,
      place: this.place.slice(0, this.photos),
      places: this.places.places,
      indexOf: idLookup(ids),
      points: pointReader(db, ids),
    };
    applyReviewedLabels(db, truth, this.places);
    return { truth, rows: filledRows(this.ref, this.rows, this.j, this.withoutTruth) };
  }
}

/**
 * A run's rows and the truth of only the photos it answered (reviewed labels laid
 * over). The truth indexes follow image id order, as loadTruth's do, so every figure
 * is the same; but the cost is that of the run's rows, not of the whole dataset.
 * Runs whose completions carry error_km and truth_place (all written since those
 * columns exist) are read from one covering index, without visiting photos' labels.
 */
export function loadAnsweredRun(db: Database.Database, ref: RunRef): { truth: Truth; rows: RunRows } {
  // One read transaction: the count sizes the arrays for exactly the rows then read.
  return db.transaction(() => readRecordedRun(db, ref) ?? readAnsweredRun(db, ref))();
}

/** Rows read per slice of a recorded run (a slice's text is a few MB). */
const SLICE_ROWS = 262_144;

/** The fast reader alone (null when the run has rows without the recorded columns). */
export function loadRecordedRun(db: Database.Database, ref: RunRef, sliceRows = SLICE_ROWS): { truth: Truth; rows: RunRows } | null {
  return db.transaction(() => readRecordedRun(db, ref, sliceRows))();
}

/** Parses "12,-3,45" into `out` from 0; returns the count. Only integers, as SQLite prints them. */
function parseIntList(text: string | null, out: Int32Array): number {
  if (text === null || text.length === 0) return 0;
  let n = 0;
  let v = 0;
  let negative = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 44) {
      out[n++] = negative ? -v : v;
      v = 0;
      negative = false;
    } else if (ch === 45) negative = true;
    else v = v * 10 + (ch - 48);
  }
  out[n++] = negative ? -v : v;
  return n;
}

/**
 * The fast reader: integers travel as one text per column and slice (SQLite's
 * group_concat), which costs a fraction of a value conversion per row; only the error
 * crosses as a number. Null when a row lacks the recorded columns (truth_place NULL,
 * read as -1), or the slice's text did not keep the index order: then the caller
 * reads the photos' rows instead.
 */
function readRecordedRun(db: Database.Database, ref: RunRef, sliceRows = SLICE_ROWS): { truth: Truth; rows: RunRows } | null {
  const datasetId = requireDataset(ref);
  const n = db.prepare('SELECT COUNT(*) FROM completions WHERE run_id = ?').pluck().get(ref.id) as number;
  const after = `c.run_id = @run AND (c.image_id, c.sample) > (@image, @sample)`;
  const sliceText = db.prepare(
    `SELECT group_concat(image_id), group_concat(packed), group_concat(place) FROM (
       SELECT c.image_id,
              54 * c.sample + 27 * (i.dataset_id IS @dataset AND i.lat IS NOT NULL AND i.lon IS NOT NULL) + ${PACKED_CHECKS} AS packed,
              ifnull(c.truth_place, -1) AS place
         FROM completions c INDEXED BY completions_for_metrics LEFT JOIN images i ON i.id = c.image_id
        WHERE ${after}
        ORDER BY c.image_id, c.sample LIMIT @limit)`,
  );
  const sliceKm = db.prepare(
    `SELECT c.error_km FROM completions c INDEXED BY completions_for_metrics WHERE ${after} ORDER BY c.image_id, c.sample LIMIT @limit`,
  );
  const stored = readPlaces(db);
  const build = new AnsweredRunBuilder(ref, datasetId, n);
  const localPlace = new Map<number, number>();
  const placeOf = (id: number): number => {
    let p = localPlace.get(id);
    if (p === undefined) {
      const s = id === NO_PLACE ? undefined : stored.get(id);
      p = build.places.add(s?.countryCode ?? null, s?.country ?? null, s?.region ?? null);
      localPlace.set(id, p);
    }
    return p;
  };
  const limit = Math.min(sliceRows, Math.max(1, n));
  const image = new Int32Array(limit);
  // The sample, whether the photo has a true point, and the checks, as one number each.
  const packed = new Int32Array(limit);
  const place = new Int32Array(limit);
  const km = new Float64Array(limit);
  let at = { run: ref.id, dataset: datasetId, image: -1, sample: -1, limit };
  let lastImage = -1;
  let lastSample = -1;
  for (let read = 0; read < n; ) {
    const [ti, tk, tp] = sliceText.raw().get(at) as [string | null, string | null, string | null];
    const m = parseIntList(ti, image);
    if (m === 0) break;
    if (parseIntList(tk, packed) !== m || parseIntList(tp, place) !== m) return null;
    // One array per slice: half the cost of stepping through the rows one at a time.
    const errors = sliceKm.pluck().all(at) as (number | null)[];
    if (errors.length !== m) return null;
    for (let k = 0; k < m; k++) km[k] = errors[k] ?? Number.NaN;
    for (let r = 0; r < m; r++) {
      const imageId = image[r] as number;
      const f = (packed[r] as number) % 54;
      const s = ((packed[r] as number) - f) / 54;
      if (imageId < lastImage || (imageId === lastImage && s <= lastSample)) return null;
      lastImage = imageId;
      lastSample = s;
      const p = place[r] as number;
      if (p < 0) return null;
      if (imageId !== build.currentImage) build.photo(imageId, f >= 27, () => placeOf(p));
      if (build.currentTruth < 0) continue;
      build.row(s, km[r] as number, f % 27);
    }
    read += m;
    at = { ...at, image: image[m - 1] as number, sample: lastSample };
    if (m < limit) break;
  }
  return build.finish(db);
}

/** The reader for rows without the recorded columns: one pass over the run's completions joined to their photos and labels. */
function readAnsweredRun(db: Database.Database, ref: RunRef): { truth: Truth; rows: RunRows } {
  const datasetId = requireDataset(ref);
  const n = db.prepare('SELECT COUNT(*) FROM completions WHERE run_id = ?').pluck().get(ref.id) as number;
  const build = new AnsweredRunBuilder(ref, datasetId, n);
  type Row = [number, number, number, number | null, number | null, number | null, number | null, string | null, string | null, string | null];
  const rows = db
    .prepare(
      `SELECT c.image_id, c.sample, ${PACKED_CHECKS}, c.lat, c.lon,
              CASE WHEN i.dataset_id = @dataset THEN i.lat END, CASE WHEN i.dataset_id = @dataset THEN i.lon END,
              l.country_code, l.country, l.region
         FROM completions c
         LEFT JOIN images i ON i.id = c.image_id
         LEFT JOIN cor_labels l ON l.image_id = c.image_id AND l.source = 'gazetteer'
        WHERE c.run_id = @run
        ORDER BY c.image_id, c.sample`,
    )
    .raw()
    .iterate({ run: ref.id, dataset: datasetId }) as Iterable<Row>;
  let tLatOf = 0;
  let tLonOf = 0;
  for (const [imageId, s, checks, la, lo, tLat, tLon, cc, cn, rg] of rows) {
    if (imageId !== build.currentImage) {
      build.photo(imageId, tLat !== null && tLon !== null, () => build.places.add(cc, cn, rg));
      tLatOf = tLat ?? 0;
      tLonOf = tLon ?? 0;
    }
    if (build.currentTruth < 0) continue;
    build.row(s, la === null || lo === null ? Number.NaN : haversineKm(tLatOf, tLonOf, la, lo), checks);
  }
  return build.finish(db);
}
