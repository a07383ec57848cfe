/**
 * BASELINE, kept only for bench/eval.bench.ts: run-data.ts (reading a run and its truth, one 10-column pass) as it was before completions
 * carried their exact error and truth place (schema 8), measured against the current
 * code in the same run. Not used by the app.
 */
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

export interface Truth {
  datasetId: number;
  ids: Int32Array;
  lat: Float64Array;
  lon: Float64Array;
  /** The current label of each truth photo: reviewed, else the gazetteer's (null where it has none: open water, rejected). */
  countryCode: (string | null)[];
  country: (string | null)[];
  region: (string | null)[];
  /** Image id → truth index, or undefined. */
  indexOf(imageId: number): number | undefined;
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

/**
 * The photos of a dataset that have a true point, in id order, with their current
 * labels: the gazetteer's, replaced where a review changed it (few next to the dataset).
 */
export function loadTruth(db: Database.Database, datasetId: number): Truth {
  const rows = db
    .prepare(
      `SELECT i.id, i.lat, i.lon, l.country_code, l.country, l.region
         FROM images i LEFT JOIN cor_labels l ON l.image_id = i.id AND l.source = 'gazetteer'
        WHERE i.dataset_id = ? AND i.lat IS NOT NULL AND i.lon IS NOT NULL
        ORDER BY i.id`,
    )
    .raw()
    .all(datasetId) as [number, number, number, string | null, string | null, string | null][];
  const n = rows.length;
  const ids = new Int32Array(n);
  const lat = new Float64Array(n);
  const lon = new Float64Array(n);
  const countryCode: (string | null)[] = new Array<string | null>(n);
  const country: (string | null)[] = new Array<string | null>(n);
  const region: (string | null)[] = new Array<string | null>(n);
  for (let i = 0; i < n; i++) {
    const r = rows[i] as [number, number, number, string | null, string | null, string | null];
    ids[i] = r[0];
    lat[i] = r[1];
    lon[i] = r[2];
    countryCode[i] = r[3];
    country[i] = r[4];
    region[i] = r[5];
  }
  const truth = { datasetId, ids, lat, lon, countryCode, country, region, indexOf: idLookup(ids) };
  applyReviewedLabels(db, truth);
  return truth;
}

/** Replaces the gazetteer's label where a review changed it (few photos next to the dataset). */
function applyReviewedLabels(db: Database.Database, truth: Truth): void {
  const relabeled = db
    .prepare('SELECT image_id, country_code, country, region FROM reviewed_labels WHERE dataset_id = ? AND relabeled = 1')
    .raw()
    .all(truth.datasetId) as [number, string | null, string | null, string | null][];
  for (const [id, cc, name, reg] of relabeled) {
    const t = truth.indexOf(id);
    if (t === undefined) continue;
    truth.countryCode[t] = cc;
    truth.country[t] = name;
    truth.region[t] = reg;
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

export function loadRunRows(db: Database.Database, ref: RunRef, truth: Truth): RunRows {
  const rows = db
    .prepare(
      `SELECT image_id, sample, lat, lon, country_ok, region_ok, city_ok
         FROM completions WHERE run_id = ? ORDER BY image_id, sample`,
    )
    .raw()
    .all(ref.id) as [number, number, number | null, number | null, number | null, number | null, number | null][];
  const n = rows.length;
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
 * A completion's sample and its three checks as one integer, sample * 27 + the checks
 * in base 3 (0 not judged, 1 wrong, 2 right). The store holds each check as 0, 1 or
 * NULL, and samples from 0 up, so unpacking gives back exactly what was stored.
 */
const PACKED_CHECKS = `c.sample * 27
  + 9 * (CASE WHEN c.country_ok IS NULL THEN 0 WHEN c.country_ok = 0 THEN 1 ELSE 2 END)
  + 3 * (CASE WHEN c.region_ok IS NULL THEN 0 WHEN c.region_ok = 0 THEN 1 ELSE 2 END)
  + (CASE WHEN c.city_ok IS NULL THEN 0 WHEN c.city_ok = 0 THEN 1 ELSE 2 END)`;

/**
 * A run's rows and the truth of only the photos it answered, in one pass over the
 * run's completions (joined to their photo and its gazetteer label, then reviewed labels laid over). The truth indexes
 * follow image id order, as loadTruth's do, so every figure is the same; but the cost
 * is that of the run's rows, not of the whole dataset: a run over a fifth of a
 * 4.7M-photo dataset reads a fifth of it.
 */
export function loadAnsweredRun(db: Database.Database, ref: RunRef): { truth: Truth; rows: RunRows } {
  // One read transaction: the count sizes the arrays for exactly the rows then read.
  return db.transaction(() => readAnsweredRun(db, ref))();
}

function readAnsweredRun(db: Database.Database, ref: RunRef): { truth: Truth; rows: RunRows } {
  const datasetId = requireDataset(ref);
  const n = db.prepare('SELECT COUNT(*) FROM completions WHERE run_id = ?').pluck().get(ref.id) as number;
  const image = new Int32Array(n);
  const sample = new Int32Array(n);
  const km = new Float64Array(n);
  const countryOk = new Int8Array(n);
  const regionOk = new Int8Array(n);
  const cityOk = new Int8Array(n);
  // Truth arrays grow per photo; a run has at most n photos.
  const ids = new Int32Array(n);
  const lat = new Float64Array(n);
  const lon = new Float64Array(n);
  const countryCode: (string | null)[] = [];
  const country: (string | null)[] = [];
  const region: (string | null)[] = [];
  let photos = 0;
  let j = 0;
  let withoutTruth = 0;
  let lastImage = -1;
  let lastTruth = -1;
  // Ten columns a row instead of thirteen: every column read costs a value conversion
  // per row. The dataset test is made in SQL (another dataset's photo reads as one
  // without a point), and the sample and the three checks travel as one integer.
  type Row = [number, number, number | null, number | null, number | null, number | null, string | null, string | null, string | null];
  const rows = db
    .prepare(
      `SELECT c.image_id, ${PACKED_CHECKS}, c.lat, c.lon,
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
  for (const [imageId, packed, la, lo, tLat, tLon, cc, cn, rg] of rows) {
    if (imageId !== lastImage) {
      lastImage = imageId;
      if (tLat === null || tLon === null) {
        lastTruth = -1;
        withoutTruth++;
      } else {
        lastTruth = photos++;
        ids[lastTruth] = imageId;
        lat[lastTruth] = tLat;
        lon[lastTruth] = tLon;
        countryCode.push(cc);
        country.push(cn);
        region.push(rg);
      }
    }
    if (lastTruth < 0) continue;
    const checks = packed % 27;
    image[j] = lastTruth;
    sample[j] = (packed - checks) / 27;
    km[j] = la === null || lo === null ? Number.NaN : haversineKm(lat[lastTruth] as number, lon[lastTruth] as number, la, lo);
    countryOk[j] = ((checks / 9) | 0) - 1;
    regionOk[j] = (((checks / 3) | 0) % 3) - 1;
    cityOk[j] = (checks % 3) - 1;
    j++;
  }
  const truthIds = ids.slice(0, photos);
  const truth: Truth = {
    datasetId,
    ids: truthIds,
    lat: lat.slice(0, photos),
    lon: lon.slice(0, photos),
    countryCode,
    country,
    region,
    indexOf: idLookup(truthIds),
  };
  applyReviewedLabels(db, truth);
  return {
    truth,
    rows: filledRows(ref, { image, sample, km, countryOk, regionOk, cityOk }, j, withoutTruth),
  };
}
