/**
 * The risk and source agreement of each gazetteer label, stored with the label
 * (cor_labels.risk, cor_labels.agree) so the review queue walks an index instead of
 * scoring millions of labels per request, and the per-country agreement totals
 * (label_agreement) so statistics add up a few hundred rows. Written when labels are
 * written (the import's writer); `fillMissingRisk` scores labels written without
 * them (older projects at migration, labels inserted by other tools).
 */
import type Database from 'better-sqlite3';
import { countriesAgree, namesAgree, riskFromWeight, riskOf, type RiskInput } from './risk.js';

/** Bits of cor_labels.agree: which levels were compared with the dataset's own label, and which agreed. */
export const AGREE = {
  compared: 1,
  countryCompared: 2,
  country: 4,
  regionCompared: 8,
  region: 16,
  cityCompared: 32,
  city: 64,
} as const;

export interface ChainNames {
  countryCode: string | null;
  country: string | null;
  region: string | null;
  city: string | null;
}

/** Risk in thousandths (an integer, as stored and indexed) and the agreement bits of one label. */
export function scoreLabel(flags: number, cityKm: number | null, gazetteer: ChainNames, dataset: ChainNames | null): { risk: number; agree: number } {
  return scoreFromParts(scoreParts(flags, gazetteer, dataset), cityKm);
}

/** What a label's score owes to its flags and names: the reasons' weight, and the agreement bits. */
interface ScoreParts {
  weight: number;
  agree: number;
}

function scoreFromParts(parts: ScoreParts, cityKm: number | null): { risk: number; agree: number } {
  return { risk: Math.round(riskFromWeight(parts.weight, cityKm) * 1000), agree: parts.agree };
}

function scoreParts(flags: number, gazetteer: ChainNames, dataset: ChainNames | null): ScoreParts {
  const input: RiskInput = {
    flags,
    cityKm: null,
    gCountryCode: gazetteer.countryCode,
    gCountry: gazetteer.country,
    gRegion: gazetteer.region,
    gCity: gazetteer.city,
    dCountryCode: dataset?.countryCode ?? null,
    dCountry: dataset?.country ?? null,
    dRegion: dataset?.region ?? null,
    dCity: dataset?.city ?? null,
  };
  // Without a distance the risk is the reasons' weight, a whole number.
  const weight = riskOf(input).risk;
  if (!dataset) return { weight, agree: 0 };
  let agree = AGREE.compared;
  const bits = (v: boolean | null, compared: number, yes: number): void => {
    if (v === null) return;
    agree |= compared;
    if (v) agree |= yes;
  };
  bits(countriesAgree(gazetteer.countryCode, gazetteer.country, dataset.countryCode, dataset.country), AGREE.countryCompared, AGREE.country);
  bits(namesAgree(gazetteer.region, dataset.region), AGREE.regionCompared, AGREE.region);
  bits(namesAgree(gazetteer.city, dataset.city), AGREE.cityCompared, AGREE.city);
  return { weight, agree };
}

/**
 * A string with storage of its own (not a slice of, or a join over, other strings): for
 * what is kept for the whole of an import, where a slice of one block of the file
 * would keep that block alive.
 */
export function ownCopy(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}

/** Entries a LabelScorer keeps before it starts afresh (bounds its memory). */
const SCORER_ENTRIES = 200_000;

/**
 * scoreLabel for the millions of labels of an import, where a few thousand places
 * and names repeat: the part of a score that does not depend on the distance to the
 * city is remembered under a key the caller gives, which must determine the flags,
 * the gazetteer names and the dataset's names.
 */
export class LabelScorer {
  private readonly parts = new Map<string, ScoreParts>();

  score(key: string, flags: number, cityKm: number | null, gazetteer: ChainNames, dataset: ChainNames | null): { risk: number; agree: number } {
    let parts = this.parts.get(key);
    if (parts === undefined) {
      if (this.parts.size >= SCORER_ENTRIES) this.parts.clear();
      parts = scoreParts(flags, gazetteer, dataset);
      // Kept as a copy of its own: a key built from slices of a bigger text would keep that text alive.
      this.parts.set(ownCopy(key), parts);
    }
    return scoreFromParts(parts, cityKm);
  }
}

/**
 * Counts of gazetteer labels per (country, agreement bits), gathered while labels are
 * written, so the import need not group millions of rows afterwards.
 */
export class AgreementCounter {
  private readonly counts = new Map<string, { countryCode: string | null; country: string | null; agree: number; count: number }>();

  add(countryCode: string | null, country: string | null, agree: number): void {
    const key = `${countryCode ?? '\u0000'}|${agree}`;
    const entry = this.counts.get(key);
    if (entry) {
      entry.count++;
      if (entry.country === null && country !== null) entry.country = ownCopy(country);
    } else {
      this.counts.set(ownCopy(key), { countryCode: countryCode === null ? null : ownCopy(countryCode), country: country === null ? null : ownCopy(country), agree, count: 1 });
    }
  }

  /** Replaces the dataset's label_agreement rows with the counted ones. */
  write(db: Database.Database, datasetId: number): void {
    db.prepare('DELETE FROM label_agreement WHERE dataset_id = ?').run(datasetId);
    const insert = db.prepare('INSERT INTO label_agreement(dataset_id, country_code, country, agree, count) VALUES (?, ?, ?, ?, ?)');
    for (const e of this.counts.values()) insert.run(datasetId, e.countryCode, e.country, e.agree, e.count);
  }
}

/** The same counts by SQL, from the stored agreement bits (after rows were taken back, or at migration). */
export function refreshAgreement(db: Database.Database, datasetId: number): void {
  db.prepare('DELETE FROM label_agreement WHERE dataset_id = ?').run(datasetId);
  db.prepare(
    `INSERT INTO label_agreement(dataset_id, country_code, country, agree, count)
     SELECT ?, country_code, MAX(country), COALESCE(agree, 0), COUNT(*)
       FROM cor_labels WHERE source = 'gazetteer' AND dataset_id = ?
      GROUP BY country_code, COALESCE(agree, 0)`,
  ).run(datasetId, datasetId);
}

type RawLabel = [number, number | null, number | null, string | null, string | null, string | null, string | null, number | null, string | null, string | null, string | null, string | null];

/**
 * `by`: the index the batches walk in id order: the risk index's unscored entries, or,
 * with the risk indexes dropped, the primary key (any other index would need a sort).
 */
const unscoredSql = (by: 'risk' | 'primary key'): string => `
  SELECT g.image_id, g.flags, g.city_km, g.country_code, g.country, g.region, g.city,
         d.image_id, d.country_code, d.country, d.region, d.city
    FROM cor_labels g ${by === 'risk' ? 'INDEXED BY cor_labels_by_risk' : 'INDEXED BY sqlite_autoindex_cor_labels_1'}
    LEFT JOIN cor_labels d ON d.image_id = g.image_id AND d.source = 'dataset'
   WHERE g.source = 'gazetteer' AND g.dataset_id = ? AND g.risk IS NULL AND g.image_id > ?
   ORDER BY g.image_id LIMIT ?`;

/** Labels read per batch: bounded memory over millions of rows. */
const BATCH = 50_000;
/**
 * Above this many labels to score, the risk indexes are dropped and built again after
 * (one sort each) instead of moving millions of entries one by one.
 */
const REINDEX_MIN = 100_000;

/**
 * Scores the dataset's gazetteer labels that have no risk yet, then recounts its
 * agreement totals; returns how many were scored. A no-op (one index probe) when
 * every label is scored.
 */
export function fillMissingRisk(db: Database.Database, datasetId: number, reindexMin = REINDEX_MIN): number {
  if (!hasUnscoredLabels(db, datasetId)) return 0;
  let scored = 0;
  // IMMEDIATE: the write lock from the start, so no other writer's commit can come
  // between this transaction's reads and its writes.
  db.transaction(() => {
    const unscored = db.prepare("SELECT COUNT(*) FROM cor_labels WHERE source = 'gazetteer' AND dataset_id = ? AND risk IS NULL").pluck().get(datasetId) as number;
    const indexes =
      unscored < reindexMin
        ? []
        : (db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cor_labels' AND sql LIKE '%risk%'").all() as { name: string; sql: string }[]);
    for (const index of indexes) db.exec(`DROP INDEX "${index.name.replace(/"/g, '""')}"`);
    const update = db.prepare("UPDATE cor_labels SET risk = ?, agree = ? WHERE image_id = ? AND source = 'gazetteer'");
    const select = db.prepare(unscoredSql(indexes.length > 0 ? 'primary key' : 'risk')).raw(true);
    let after = 0;
    for (;;) {
      // A batch is read whole before it is written: no UPDATE while iterating the same rows.
      const rows = select.all(datasetId, after, BATCH) as RawLabel[];
      for (const [id, flags, cityKm, gcc, gc, gr, gcity, did, dcc, dc, dr, dcity] of rows) {
        const dataset = did === null ? null : { countryCode: dcc, country: dc, region: dr, city: dcity };
        const s = scoreLabel(flags ?? 0, cityKm, { countryCode: gcc, country: gc, region: gr, city: gcity }, dataset);
        update.run(s.risk, s.agree, id);
        scored++;
        after = id;
      }
      if (rows.length < BATCH) break;
    }
    for (const index of indexes) db.exec(index.sql);
    refreshAgreement(db, datasetId);
  }).immediate();
  return scored;
}

/** Whether any gazetteer label of the dataset has no risk yet (one index probe). */
export function hasUnscoredLabels(db: Database.Database, datasetId: number): boolean {
  return db.prepare("SELECT 1 FROM cor_labels WHERE source = 'gazetteer' AND dataset_id = ? AND risk IS NULL LIMIT 1").get(datasetId) !== undefined;
}

/** Scores every dataset's unscored labels (the migration's backfill). */
export function fillMissingRiskEverywhere(db: Database.Database): void {
  for (const id of db.prepare('SELECT id FROM datasets ORDER BY id').pluck().all() as number[]) fillMissingRisk(db, id);
}
