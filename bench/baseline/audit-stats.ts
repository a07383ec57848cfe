/** Audit statistics as computed before (schema 5): one pass over every label. Baseline for bench/audit.bench.ts. */
import type Database from 'better-sqlite3';
import type { AuditStats, LabelStatus } from '../../shared/rpc/audit-methods.js';
import { ErrorCode, RpcError } from '../../shared/rpc/errors.js';
import { FLAG_BITS, LABEL_FLAGS } from '../../electron/services/geo/flags.js';
import { parseState } from '../../electron/services/audit/label-state.js';
import { countriesAgree, namesAgree } from '../../electron/services/geo/risk.js';

/** Latest review state per photo of a dataset. */
export function latestStatuses(db: Database.Database, datasetId: number): Map<number, LabelStatus> {
  const rows = db
    .prepare(
      `SELECT r.image_id AS imageId, r.verdict, r.after_json AS afterJson
         FROM label_reviews r JOIN images i ON i.id = r.image_id
        WHERE i.dataset_id = ? AND r.id = (SELECT MAX(x.id) FROM label_reviews x WHERE x.image_id = r.image_id)`,
    )
    .all(datasetId) as { imageId: number; verdict: string; afterJson: string | null }[];
  const out = new Map<number, LabelStatus>();
  for (const r of rows) out.set(r.imageId, parseState(r.afterJson, r.verdict)?.status ?? 'unreviewed');
  return out;
}

interface Ratio {
  n: number;
  yes: number;
}
const add = (r: Ratio, v: boolean | null): void => {
  if (v === null) return;
  r.n++;
  if (v) r.yes++;
};
const share = (r: Ratio): number | null => (r.n === 0 ? null : r.yes / r.n);

export function baselineAuditStats(db: Database.Database, datasetId: number): AuditStats {
  if (!db.prepare('SELECT 1 FROM datasets WHERE id = ?').get(datasetId)) {
    throw new RpcError(ErrorCode.NotFound, `no dataset with id ${datasetId}`);
  }
  const status = latestStatuses(db, datasetId);
  const byStatus = { accepted: 0, rejected: 0, edited: 0, unreviewed: 0 };
  const flagStats = LABEL_FLAGS.map((flag) => ({ flag, bit: FLAG_BITS[flag], labels: 0, reviewed: 0, wrong: 0 }));
  const agree = { compared: 0, country: { n: 0, yes: 0 }, region: { n: 0, yes: 0 }, city: { n: 0, yes: 0 } };
  const countries = new Map<
    string,
    { countryCode: string; country: string; images: number; reviewed: number; wrong: number; agreeCountry: Ratio; agreeCity: Ratio }
  >();
  let images = 0;
  const rows = db
    .prepare(
      `SELECT i.id, g.flags, g.country_code AS gcc, g.country AS gc, g.region AS gr, g.city AS gcity,
              d.image_id AS did, d.country_code AS dcc, d.country AS dc, d.region AS dr, d.city AS dcity
         FROM images i
         LEFT JOIN cor_labels g ON g.image_id = i.id AND g.source = 'gazetteer'
         LEFT JOIN cor_labels d ON d.image_id = i.id AND d.source = 'dataset'
        WHERE i.dataset_id = ?`,
    )
    .iterate(datasetId) as Iterable<{
    id: number;
    flags: number | null;
    gcc: string | null;
    gc: string | null;
    gr: string | null;
    gcity: string | null;
    did: number | null;
    dcc: string | null;
    dc: string | null;
    dr: string | null;
    dcity: string | null;
  }>;
  for (const r of rows) {
    images++;
    const s = status.get(r.id) ?? 'unreviewed';
    byStatus[s]++;
    const reviewed = status.has(r.id);
    const wrong = s === 'edited' || s === 'rejected';
    const flags = r.flags ?? 0;
    for (const f of flagStats) {
      if ((flags & f.bit) === 0) continue;
      f.labels++;
      if (reviewed) f.reviewed++;
      if (wrong) f.wrong++;
    }
    const cc = r.gcc ?? '';
    let c = countries.get(cc);
    if (!c) {
      c = { countryCode: cc, country: r.gc ?? (cc ? cc : '(no country)'), images: 0, reviewed: 0, wrong: 0, agreeCountry: { n: 0, yes: 0 }, agreeCity: { n: 0, yes: 0 } };
      countries.set(cc, c);
    }
    c.images++;
    if (reviewed) c.reviewed++;
    if (wrong) c.wrong++;
    if (r.did !== null && r.flags !== null) {
      agree.compared++;
      const ac = countriesAgree(r.gcc, r.gc, r.dcc, r.dc);
      const ai = namesAgree(r.gcity, r.dcity);
      add(agree.country, ac);
      add(agree.region, namesAgree(r.gr, r.dr));
      add(agree.city, ai);
      add(c.agreeCountry, ac);
      add(c.agreeCity, ai);
    }
  }
  return {
    images,
    reviewed: status.size,
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
