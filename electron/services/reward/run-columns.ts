/**
 * A run's stored completions as columns for the Reward Lab. The string work (GLOBE's
 * format regex, its strict label reading, name matching against the photo's label,
 * Geo-R's released LOC literal and VLM-R1's box format) is
 * done here once per load; the renderer then re-scores every edit of a spec with
 * `scoreMany` over typed arrays. Rows are ordered by photo then sample, so the GRPO
 * groups (the samples of one photo) are contiguous and described by offsets.
 */
import type Database from 'better-sqlite3';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import { REWARD_BANDS_KM, type RunColumns } from '../../../shared/rpc/reward-methods.js';
import { bboxFormatOk, locLiteralKm } from '../../../shared/reward/geo-r-released.js';
import { globeFormatOk, globeNameMatch, globeStrictFields, globeStrictMatch } from '../../../shared/reward/globe.js';
import type { TaskContext } from '../rpc/task-context.js';
import { TruthReader } from '../completions/truth.js';

interface Row {
  imageId: number;
  km: number | null;
  formatOk: number;
  country: string | null;
  city: string | null;
  text: string | null;
}

/** Index into REWARD_BAND_LABELS: the bands by `d ≤ t`, then "> last", then missing. */
export function bandOf(km: number): number {
  if (Number.isNaN(km)) return REWARD_BANDS_KM.length + 1;
  for (let b = 0; b < REWARD_BANDS_KM.length; b++) if (km <= (REWARD_BANDS_KM[b] as number)) return b;
  return REWARD_BANDS_KM.length;
}

/** base64 of a typed array's bytes (little-endian on every platform Node ships for). */
export function toBase64(a: Float64Array | Int32Array | Uint8Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

export function runColumns(db: Database.Database, runId: number, task: TaskContext): RunColumns {
  const started = performance.now();
  const run = db.prepare('SELECT id, name, model FROM runs WHERE id = ?').get(runId) as
    | { id: number; name: string | null; model: string | null }
    | undefined;
  if (!run) throw new RpcError(ErrorCode.NotFound, `no run with id ${runId}`);
  const n = db.prepare('SELECT COUNT(*) FROM completions WHERE run_id = ?').pluck().get(runId) as number;

  const km = new Float64Array(n);
  const formatOk = new Uint8Array(n);
  const globeFormat = new Uint8Array(n);
  const countryMatch = new Uint8Array(n);
  const cityMatch = new Uint8Array(n);
  const countryStrict = new Uint8Array(n);
  const cityStrict = new Uint8Array(n);
  const locKm = new Float64Array(n);
  const bboxFormat = new Uint8Array(n);
  const band = new Uint8Array(n);
  const country = new Int32Array(n);
  const offsets: number[] = [0];
  const countryIndex = new Map<string, number>();
  const countryNames: string[] = [];

  const truth = new TruthReader(db);
  let lastImage = -1;
  let truthCountry: string | null = null;
  let truthCity: string | null = null;
  let truthLat: number | null = null;
  let truthLon: number | null = null;
  let countryId = -1;
  let i = 0;
  task.progress(0, n, 'reading completions');
  const rows = db
    .prepare(
      `SELECT image_id AS imageId, km, format_ok AS formatOk, country, city, text
         FROM completions WHERE run_id = ? ORDER BY image_id, sample`,
    )
    .iterate(runId) as IterableIterator<Row>;
  for (const r of rows) {
    if (i >= n) break; // a writer added rows since the count: keep the counted ones
    if (r.imageId !== lastImage) {
      if (i > 0) offsets.push(i);
      lastImage = r.imageId;
      const t = truth.truth(r.imageId);
      const label = t.label;
      truthLat = t.lat;
      truthLon = t.lon;
      truthCountry = label?.country ?? label?.countryCode ?? null;
      truthCity = label?.city ?? null;
      if (truthCountry === null) countryId = -1;
      else {
        let k = countryIndex.get(truthCountry);
        if (k === undefined) {
          k = countryNames.length;
          countryIndex.set(truthCountry, k);
          countryNames.push(truthCountry);
        }
        countryId = k;
      }
    }
    const d = r.km ?? NaN;
    km[i] = d;
    band[i] = bandOf(d);
    formatOk[i] = r.formatOk ? 1 : 0;
    country[i] = countryId;
    // GLOBE's rule needs the country to match before the city counts; both flags are kept.
    countryMatch[i] = globeNameMatch(r.country, truthCountry) ? 1 : 0;
    cityMatch[i] = globeNameMatch(r.city, truthCity) ? 1 : 0;
    const text = r.text ?? '';
    globeFormat[i] = globeFormatOk(text) ? 1 : 0;
    const strict = globeStrictFields(text);
    countryStrict[i] = globeStrictMatch(strict.country, truthCountry) ? 1 : 0;
    cityStrict[i] = globeStrictMatch(strict.city, truthCity) ? 1 : 0;
    locKm[i] = locLiteralKm(text, truthLat, truthLon);
    bboxFormat[i] = bboxFormatOk(text) ? 1 : 0;
    i++;
    if (i % 20_000 === 0) {
      task.throwIfCancelled();
      task.progress(i, n, 'reading completions');
    }
  }
  if (i > 0) offsets.push(i);
  const count = i;

  // Countries, most completions first; the per-row indexes are remapped to that order.
  const perCountry = new Array<number>(countryNames.length).fill(0);
  for (let j = 0; j < count; j++) {
    const c = country[j] as number;
    if (c >= 0) perCountry[c] = (perCountry[c] ?? 0) + 1;
  }
  const order = countryNames.map((_, k) => k).sort((a, b) => (perCountry[b] ?? 0) - (perCountry[a] ?? 0) || (countryNames[a] ?? '').localeCompare(countryNames[b] ?? ''));
  const remap = new Int32Array(countryNames.length);
  order.forEach((old, k) => (remap[old] = k));
  for (let j = 0; j < count; j++) {
    const c = country[j] as number;
    if (c >= 0) country[j] = remap[c] as number;
  }

  let minGroup = count > 0 ? Infinity : 0;
  let maxGroup = 0;
  for (let k = 1; k < offsets.length; k++) {
    const g = (offsets[k] as number) - (offsets[k - 1] as number);
    minGroup = Math.min(minGroup, g);
    maxGroup = Math.max(maxGroup, g);
  }
  task.progress(count, count, 'done');
  const cut = <T extends Float64Array | Int32Array | Uint8Array>(a: T): T => (count === n ? a : (a.subarray(0, count) as T));
  return {
    runId,
    runName: run.name ?? run.model ?? `run ${runId}`,
    count,
    groups: offsets.length - 1,
    minGroupSize: minGroup,
    maxGroupSize: maxGroup,
    km: toBase64(cut(km)),
    formatOk: toBase64(cut(formatOk)),
    globeFormatOk: toBase64(cut(globeFormat)),
    countryMatch: toBase64(cut(countryMatch)),
    cityMatch: toBase64(cut(cityMatch)),
    countryMatchStrict: toBase64(cut(countryStrict)),
    cityMatchStrict: toBase64(cut(cityStrict)),
    locKm: toBase64(cut(locKm)),
    bboxFormatOk: toBase64(cut(bboxFormat)),
    offsets: toBase64(Int32Array.from(offsets)),
    band: toBase64(cut(band)),
    country: toBase64(cut(country)),
    countries: order.map((k) => countryNames[k] as string),
    durationMs: Math.round(performance.now() - started),
  };
}
