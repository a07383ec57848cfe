/**
 * Audit statistics of one dataset, added up from kept aggregates instead of a pass
 * over every label: label counts per flag from label_facets, gazetteer vs dataset
 * agreement per country from label_agreement, and the review side from
 * reviewed_labels (reviewed photos are few next to the dataset). Which flags predict
 * wrong labels: the share of reviewed flagged labels that were edited or rejected.
 *
 * A plain function of (db, datasetId): it only reads, and can run in a worker.
 */
import type Database from 'better-sqlite3';
import type { AuditStats, LabelStatus } from '../../../shared/rpc/audit-methods.js';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import { FLAG_BITS, LABEL_FLAGS } from '../geo/flags.js';
import { AGREE } from '../geo/label-risk.js';

/** Current status of every reviewed photo of a dataset (photos without a row are unreviewed). */
export function reviewedStatuses(db: Database.Database, datasetId: number): Map<number, Exclude<LabelStatus, 'unreviewed'>> {
  const rows = db.prepare('SELECT image_id, status FROM reviewed_labels WHERE dataset_id = ?').raw(true).all(datasetId) as [number, Exclude<LabelStatus, 'unreviewed'>][];
  return new Map(rows);
}

interface Ratio {
  n: number;
  yes: number;
}
const share = (r: Ratio): number | null => (r.n === 0 ? null : r.yes / r.n);

interface CountryAcc {
  countryCode: string;
  country: string;
  images: number;
  reviewed: number;
  wrong: number;
  agreeCountry: Ratio;
  agreeCity: Ratio;
}

export function auditStats(db: Database.Database, datasetId: number): AuditStats {
  const dataset = db.prepare('SELECT id, stats_json FROM datasets WHERE id = ?').get(datasetId) as { id: number; stats_json: string | null } | undefined;
  if (!dataset) throw new RpcError(ErrorCode.NotFound, `no dataset with id ${datasetId}`);
  // The import's own count of the rows it wrote; counting millions of index entries took
  // most of the statistics' time. Datasets written without it are counted.
  const images = importedRows(dataset.stats_json) ?? (db.prepare('SELECT COUNT(*) FROM images WHERE dataset_id = ?').pluck().get(datasetId) as number);
  const countries = new Map<string, CountryAcc>();
  const countryOf = (code: string | null, name: string | null): CountryAcc => {
    const cc = code ?? '';
    let c = countries.get(cc);
    if (!c) {
      c = { countryCode: cc, country: name ?? (cc ? cc : '(no country)'), images: 0, reviewed: 0, wrong: 0, agreeCountry: { n: 0, yes: 0 }, agreeCity: { n: 0, yes: 0 } };
      countries.set(cc, c);
    } else if (c.country === cc && name) {
      c.country = name;
    }
    return c;
  };

  // Labels and source agreement, per country.
  const agree = { compared: 0, country: { n: 0, yes: 0 }, region: { n: 0, yes: 0 }, city: { n: 0, yes: 0 } };
  const count = (r: Ratio, bits: number, compared: number, yes: number, n: number): void => {
    if ((bits & compared) === 0) return;
    r.n += n;
    if ((bits & yes) !== 0) r.yes += n;
  };
  let labelled = 0;
  const totals = db.prepare('SELECT country_code, country, agree, count FROM label_agreement WHERE dataset_id = ?').raw(true).all(datasetId) as [
    string | null,
    string | null,
    number,
    number,
  ][];
  for (const [cc, name, bits, n] of totals) {
    const c = countryOf(cc, name);
    c.images += n;
    labelled += n;
    if ((bits & AGREE.compared) === 0) continue;
    agree.compared += n;
    count(agree.country, bits, AGREE.countryCompared, AGREE.country, n);
    count(agree.region, bits, AGREE.regionCompared, AGREE.region, n);
    count(agree.city, bits, AGREE.cityCompared, AGREE.city, n);
    count(c.agreeCountry, bits, AGREE.countryCompared, AGREE.country, n);
    count(c.agreeCity, bits, AGREE.cityCompared, AGREE.city, n);
  }
  // Photos without a gazetteer label (no point) count under no country.
  if (images > labelled) countryOf(null, null).images += images - labelled;

  // Labels per flag.
  const flagStats = LABEL_FLAGS.map((flag) => ({ flag, bit: FLAG_BITS[flag], labels: 0, reviewed: 0, wrong: 0 }));
  const byFlags = db
    .prepare("SELECT flags, SUM(count) FROM label_facets WHERE dataset_id = ? AND source = 'gazetteer' AND flags <> 0 GROUP BY flags")
    .raw(true)
    .all(datasetId) as [number, number][];
  const flagged = byFlags.length > 0 || totals.length === 0 ? byFlags : flagCountsFromLabels(db, datasetId);
  for (const [bits, n] of flagged) for (const f of flagStats) if ((bits & f.bit) !== 0) f.labels += n;

  // The review side: every reviewed photo with its gazetteer flags and country.
  const byStatus = { accepted: 0, rejected: 0, edited: 0, unreviewed: 0 };
  let reviewed = 0;
  const rows = db
    .prepare(
      `SELECT v.status, g.flags, g.country_code, g.country
         FROM reviewed_labels v LEFT JOIN cor_labels g ON g.image_id = v.image_id AND g.source = 'gazetteer'
        WHERE v.dataset_id = ?`,
    )
    .raw(true)
    .all(datasetId) as [Exclude<LabelStatus, 'unreviewed'>, number | null, string | null, string | null][];
  for (const [status, flags, cc, name] of rows) {
    reviewed++;
    byStatus[status]++;
    const wrong = status === 'edited' || status === 'rejected';
    for (const f of flagStats) {
      if (((flags ?? 0) & f.bit) === 0) continue;
      f.reviewed++;
      if (wrong) f.wrong++;
    }
    const c = countryOf(cc, name);
    c.reviewed++;
    if (wrong) c.wrong++;
  }
  byStatus.unreviewed = images - reviewed;

  return {
    images,
    reviewed,
    byStatus,
    flags: flagStats.map((f) => ({
      flag: f.flag,
      labels: f.labels,
      reviewed: f.reviewed,
      wrong: f.wrong,
      errorRate: f.reviewed === 0 ? null : f.wrong / f.reviewed,
    })),
    agreement: { compared: agree.compared, country: share(agree.country), region: share(agree.region), city: share(agree.city) },
    countries: [...countries.values()]
      .filter((c) => c.images > 0)
      .sort((a, b) => b.images - a.images)
      .map((c) => ({
        countryCode: c.countryCode,
        country: c.country,
        images: c.images,
        reviewed: c.reviewed,
        wrong: c.wrong,
        agreeCountry: share(c.agreeCountry),
        agreeCity: share(c.agreeCity),
      })),
  };
}

function importedRows(statsJson: string | null): number | null {
  if (!statsJson) return null;
  try {
    const rows = (JSON.parse(statsJson) as { rows?: unknown }).rows;
    return typeof rows === 'number' && Number.isInteger(rows) && rows >= 0 ? rows : null;
  } catch {
    return null;
  }
}

/** Flag counts by the partial index of flagged labels, for a dataset written without facet rows. */
function flagCountsFromLabels(db: Database.Database, datasetId: number): [number, number][] {
  return db
    .prepare("SELECT flags, COUNT(*) FROM cor_labels INDEXED BY cor_labels_flagged WHERE source = 'gazetteer' AND dataset_id = ? AND flags <> 0 GROUP BY flags")
    .raw(true)
    .all(datasetId) as [number, number][];
}
