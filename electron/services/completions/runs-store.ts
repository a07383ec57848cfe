/**
 * The runs table and the read side of completions: listing, one run's accuracy
 * summary, filtered pages of completions, the samples of one photo.
 */
import type Database from 'better-sqlite3';
import {
  PromptTemplate,
  type CompletionFilter,
  type CompletionRow,
  type RunAccuracy,
  type RunDetail,
  type RunInfo,
} from '../../../shared/rpc/completions-methods.js';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import { CITY_COORD_INCONSISTENT_KM } from './checks.js';

export type RunKind = RunInfo['kind'];
export type RunStatus = RunInfo['status'];

export interface NewRun {
  kind: RunKind;
  name: string;
  model: string | null;
  datasetId: number;
  prompt: PromptTemplate | null;
  params: Record<string, unknown>;
  status: RunStatus;
}

interface RunRow {
  id: number;
  kind: RunKind;
  name: string | null;
  model: string | null;
  datasetId: number | null;
  datasetName: string | null;
  prompt: string | null;
  paramsJson: string | null;
  statsJson: string | null;
  status: RunStatus;
  createdAt: string;
  endedAt: string | null;
  photos: number;
  completions: number;
}

const RUN_SELECT = `
  SELECT r.id, r.kind, r.name, r.model, r.dataset_id AS datasetId, d.name AS datasetName, r.prompt,
         r.params_json AS paramsJson, r.stats_json AS statsJson, r.status, r.created_at AS createdAt,
         r.ended_at AS endedAt,
         (SELECT COUNT(DISTINCT image_id) FROM completions c WHERE c.run_id = r.id) AS photos,
         (SELECT COUNT(*) FROM completions c WHERE c.run_id = r.id) AS completions
    FROM runs r LEFT JOIN datasets d ON d.id = r.dataset_id`;

/** SQL for "the chain disagrees with its own point". */
const INCONSISTENT_SQL = `(c.coord_in_country = 0 OR c.coord_in_region = 0 OR c.city_coord_km > ${CITY_COORD_INCONSISTENT_KM})`;

export const ACCURACY_KM = [1, 25, 200, 750, 2500] as const;

function parseObject(json: string | null): Record<string, unknown> {
  if (!json) return {};
  try {
    const v = JSON.parse(json) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const bool = (v: number | null): boolean | null => (v === null ? null : v !== 0);

export class RunsStore {
  constructor(private readonly db: Database.Database) {}

  create(run: NewRun): number {
    const info = this.db
      .prepare(
        `INSERT INTO runs(kind, name, model, dataset_id, prompt, params_json, status, created_at, stats_json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, '{}')`,
      )
      .run(
        run.kind,
        run.name,
        run.model,
        run.datasetId,
        run.prompt ? JSON.stringify(run.prompt) : null,
        JSON.stringify(run.params),
        run.status,
        new Date().toISOString(),
      );
    return Number(info.lastInsertRowid);
  }

  setStatus(id: number, status: RunStatus, stats?: Record<string, unknown>): void {
    const ended = status === 'running' ? null : new Date().toISOString();
    this.db
      .prepare('UPDATE runs SET status = ?, ended_at = ?, stats_json = COALESCE(?, stats_json) WHERE id = ?')
      .run(status, ended, stats ? JSON.stringify(stats) : null, id);
  }

  private row(id: number): RunRow {
    const row = this.db.prepare(`${RUN_SELECT} WHERE r.id = ?`).get(id) as RunRow | undefined;
    if (!row) throw new RpcError(ErrorCode.NotFound, `no run with id ${id}`);
    return row;
  }

  /** `active`: ids of runs a task is working on now; others marked running were interrupted. */
  list(active: ReadonlySet<number>, datasetId?: number): RunInfo[] {
    const rows = (
      datasetId === undefined
        ? this.db.prepare(`${RUN_SELECT} ORDER BY r.id DESC`).all()
        : this.db.prepare(`${RUN_SELECT} WHERE r.dataset_id = ? ORDER BY r.id DESC`).all(datasetId)
    ) as RunRow[];
    return rows.map((r) => info(r, active));
  }

  /** The stored settings of a run (for resume). */
  settings(id: number): { kind: RunKind; datasetId: number | null; model: string | null; prompt: PromptTemplate | null; params: Record<string, unknown> } {
    const r = this.row(id);
    return { kind: r.kind, datasetId: r.datasetId, model: r.model, prompt: parsePrompt(r.prompt), params: parseObject(r.paramsJson) };
  }

  get(id: number, active: ReadonlySet<number>): RunDetail {
    const r = this.row(id);
    return {
      ...info(r, active),
      prompt: parsePrompt(r.prompt),
      params: parseObject(r.paramsJson),
      stats: parseObject(r.statsJson),
      accuracy: this.accuracy(id),
    };
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM runs WHERE id = ?').run(id).changes > 0;
  }

  accuracy(runId: number): RunAccuracy {
    const a = this.db
      .prepare(
        `SELECT COUNT(*) AS n,
                SUM(country_ok) AS countryOk, COUNT(country_ok) AS countryN,
                SUM(region_ok) AS regionOk, COUNT(region_ok) AS regionN,
                SUM(city_ok) AS cityOk, COUNT(city_ok) AS cityN,
                SUM(format_ok) AS formatOk, COUNT(lat) AS withPoint, COUNT(km) AS kmN,
                SUM(coord_in_country) AS inCountry, COUNT(coord_in_country) AS inCountryN,
                SUM(coord_in_region) AS inRegion, COUNT(coord_in_region) AS inRegionN,
                COUNT(city_coord_km) AS cityKmN,
                SUM(CASE WHEN ${INCONSISTENT_SQL} THEN 1 ELSE 0 END) AS inconsistent,
                ${ACCURACY_KM.map((t, i) => `SUM(CASE WHEN km <= ${t} THEN 1 ELSE 0 END) AS at${i}`).join(', ')}
           FROM completions c WHERE run_id = ?`,
      )
      .get(runId) as Record<string, number | null>;
    const n = a.n ?? 0;
    const share = (num: number | null | undefined, den: number | null | undefined): number | null =>
      den ? (num ?? 0) / den : null;
    return {
      completions: n,
      country: share(a.countryOk, a.countryN),
      region: share(a.regionOk, a.regionN),
      city: share(a.cityOk, a.cityN),
      formatOk: share(a.formatOk, n),
      withCoordinates: share(a.withPoint, n),
      medianKm: this.median(runId, 'km', a.kmN ?? 0),
      accuracyAtKm: ACCURACY_KM.map((km, i) => ({ km, rate: share(a[`at${i}`], n) })),
      consistency: {
        coordInCountry: share(a.inCountry, a.inCountryN),
        coordInRegion: share(a.inRegion, a.inRegionN),
        medianCityCoordKm: this.median(runId, 'city_coord_km', a.cityKmN ?? 0),
        inconsistent: share(a.inconsistent, n),
      },
    };
  }

  private median(runId: number, column: 'km' | 'city_coord_km', count: number): number | null {
    if (count === 0) return null;
    const at = (k: number): number =>
      this.db
        .prepare(`SELECT ${column} FROM completions WHERE run_id = ? AND ${column} IS NOT NULL ORDER BY ${column} LIMIT 1 OFFSET ?`)
        .pluck()
        .get(runId, k) as number;
    return count % 2 === 1 ? at((count - 1) / 2) : (at(count / 2 - 1) + at(count / 2)) / 2;
  }

  query(runId: number, filter: CompletionFilter, offset: number, limit: number): { total: number; offset: number; rows: CompletionRow[] } {
    this.row(runId);
    const where = ['c.run_id = ?'];
    const args: (number | string)[] = [runId];
    if (filter.formatFailed) where.push('c.format_ok = 0');
    if (filter.wrongCountry) where.push('c.country_ok = 0');
    if (filter.wrongRegion) where.push('c.region_ok = 0');
    if (filter.wrongCity) where.push('c.city_ok = 0');
    if (filter.inconsistent) where.push(INCONSISTENT_SQL);
    if (filter.noCoordinates) where.push('c.lat IS NULL');
    if (filter.kmMin !== undefined) {
      where.push('c.km >= ?');
      args.push(filter.kmMin);
    }
    if (filter.kmMax !== undefined) {
      where.push('c.km <= ?');
      args.push(filter.kmMax);
    }
    if (filter.imageId !== undefined) {
      where.push('c.image_id = ?');
      args.push(filter.imageId);
    }
    const sqlWhere = where.join(' AND ');
    const total = this.db.prepare(`SELECT COUNT(*) FROM completions c WHERE ${sqlWhere}`).pluck().get(...args) as number;
    const rows = this.db
      .prepare(`${COMPLETION_SELECT} WHERE ${sqlWhere} ORDER BY c.image_id, c.sample LIMIT ? OFFSET ?`)
      .all(...args, limit, offset) as RawCompletion[];
    return { total, offset, rows: rows.map(completionRow) };
  }

  forImage(runId: number, imageId: number): CompletionRow[] {
    this.row(runId);
    const rows = this.db
      .prepare(`${COMPLETION_SELECT} WHERE c.run_id = ? AND c.image_id = ? ORDER BY c.sample`)
      .all(runId, imageId) as RawCompletion[];
    return rows.map(completionRow);
  }

  /** Samples stored per photo of a run. */
  samplesByImage(runId: number): Map<number, Set<number>> {
    const out = new Map<number, Set<number>>();
    const rows = this.db.prepare('SELECT image_id AS imageId, sample FROM completions WHERE run_id = ?').all(runId) as {
      imageId: number;
      sample: number;
    }[];
    for (const r of rows) {
      let set = out.get(r.imageId);
      if (!set) out.set(r.imageId, (set = new Set()));
      set.add(r.sample);
    }
    return out;
  }
}

const COMPLETION_SELECT = `
  SELECT c.id, c.image_id AS imageId, i.rel_path AS relPath, i.photo, c.sample, c.text, c.reasoning, c.country, c.region,
         c.city, c.lat, c.lon, c.format_ok AS formatOk, c.km, c.country_ok AS countryOk, c.region_ok AS regionOk,
         c.city_ok AS cityOk, c.coord_in_country AS coordInCountry, c.coord_in_region AS coordInRegion,
         c.city_coord_km AS cityCoordKm, c.coord_country AS coordCountry, c.coord_region AS coordRegion, c.error,
         c.latency_ms AS latencyMs, i.lat AS truthLat, i.lon AS truthLon
    FROM completions c JOIN images i ON i.id = c.image_id`;

type RawCompletion = Omit<CompletionRow, 'formatOk' | 'countryOk' | 'regionOk' | 'cityOk' | 'coordInCountry' | 'coordInRegion'> & {
  formatOk: number;
  countryOk: number | null;
  regionOk: number | null;
  cityOk: number | null;
  coordInCountry: number | null;
  coordInRegion: number | null;
};

function completionRow(r: RawCompletion): CompletionRow {
  return {
    ...r,
    formatOk: r.formatOk !== 0,
    countryOk: bool(r.countryOk),
    regionOk: bool(r.regionOk),
    cityOk: bool(r.cityOk),
    coordInCountry: bool(r.coordInCountry),
    coordInRegion: bool(r.coordInRegion),
  };
}

function parsePrompt(json: string | null): PromptTemplate | null {
  if (!json) return null;
  try {
    const parsed = PromptTemplate.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function info(r: RunRow, active: ReadonlySet<number>): RunInfo {
  return {
    id: r.id,
    kind: r.kind,
    name: r.name ?? `run ${r.id}`,
    model: r.model,
    datasetId: r.datasetId,
    datasetName: r.datasetName,
    status: r.status === 'running' && !active.has(r.id) ? 'interrupted' : r.status,
    createdAt: r.createdAt,
    endedAt: r.endedAt,
    photos: r.photos,
    completions: r.completions,
  };
}
