/**
 * The experiment store's reads and portable records: the runs table (every job with its
 * final metrics and settings), the comparison of two or more jobs (only what differs),
 * and a job as one run record file, exported from one project and imported into another
 * as a read-only job (it cannot be resumed, cancelled or predicted with; deleting it
 * takes an explicit importedRecord flag).
 */
import { gzipSync } from 'node:zlib';
import type Database from 'better-sqlite3';
import type { z } from 'zod';
import { JobRecordFile, RECORD_FORMAT, RECORD_VERSION, type JobProvenance, type RunComparison, type RunRow } from '../../../shared/rpc/job-record.js';
import type { JobInfo } from '../../../shared/rpc/jobs-methods.js';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import { JobStore } from './job-store.js';
import { ProvenanceStore } from './provenance.js';

/** Telemetry series (gpu/<i>/...) are not a run's result. */
const isTelemetry = (name: string): boolean => name.startsWith('gpu/');

/** Settings as `a.b.c` → text; the reward spec is left out (its hash stands for it), long lists are counted. */
export function flattenSettings(value: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (value === null || value === undefined) {
    if (prefix) out[prefix] = String(value);
    return out;
  }
  if (Array.isArray(value)) {
    out[prefix] = value.length > 8 ? `[${value.length} items]` : JSON.stringify(value);
    return out;
  }
  if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (!prefix && k === 'spec') continue;
      flattenSettings(v, prefix ? `${prefix}.${k}` : k, out);
    }
    return out;
  }
  out[prefix] = String(value as string | number | boolean);
  return out;
}

/** The provenance fields compared between runs (the manifest itself is stood for by its hash). */
export function flattenProvenance(p: JobProvenance | null): Record<string, string> {
  if (!p) return {};
  const out: Record<string, string> = {
    'data.hash': p.data?.hash ?? 'none',
    'data.rows': String(p.data?.rows ?? 'none'),
    'data.reviewPosition': String(p.data?.reviewPosition ?? 'none'),
    'data.dataset': p.data?.datasetName ?? 'none',
    'data.subset': p.data?.subsetName ?? 'none',
    specHash: p.specHash ?? 'none',
    'workbench.version': p.workbench.version,
    'workbench.commit': p.workbench.commit ?? 'none',
    where: p.where,
    devices: p.devices.join(', '),
    seed: String(p.seed ?? 'none'),
    command: p.command ?? 'none',
  };
  for (const [k, v] of Object.entries(p.trainer)) out[`trainer.${k}`] = v ?? 'not installed';
  return out;
}

/** Each metric's value at its last logged step, per job. */
function finalMetrics(db: Database.Database): Map<number, Record<string, number | null>> {
  const rows = db
    .prepare(
      `SELECT m.job_id AS jobId, m.name, m.value FROM job_metrics m
         JOIN (SELECT job_id, name, MAX(step) AS step FROM job_metrics GROUP BY job_id, name) last
           ON last.job_id = m.job_id AND last.name = m.name AND last.step = m.step`,
    )
    .all() as { jobId: number; name: string; value: number | null }[];
  const out = new Map<number, Record<string, number | null>>();
  for (const r of rows) {
    if (isTelemetry(r.name)) continue;
    const m = out.get(r.jobId) ?? {};
    m[r.name] = r.value;
    out.set(r.jobId, m);
  }
  return out;
}

export function runsTable(db: Database.Database): RunRow[] {
  const jobs = new JobStore(db);
  const finals = finalMetrics(db);
  const hashes = new Map((db.prepare('SELECT job_id AS id, data_hash AS hash FROM job_provenance').all() as { id: number; hash: string | null }[]).map((r) => [r.id, r.hash]));
  return jobs.list().map((j) => ({
    id: j.id,
    name: j.name,
    recipe: j.recipe,
    status: j.status,
    datasetName: j.datasetName,
    createdAt: j.createdAt,
    endedAt: j.endedAt,
    step: j.step,
    total: j.total,
    imported: j.imported === true,
    final: finals.get(j.id) ?? {},
    settings: flattenSettings(jobs.config(j.id).params),
    dataHash: hashes.get(j.id) ?? null,
  }));
}

export function compareRuns(db: Database.Database, ids: number[]): RunComparison {
  const jobs = new JobStore(db);
  const prov = new ProvenanceStore(db);
  const fields = ids.map((id) => {
    const info = jobs.get(id);
    const flat: Record<string, string> = { recipe: info.recipe };
    for (const [k, v] of Object.entries(flattenSettings(jobs.config(id).params))) flat[`settings.${k}`] = v;
    for (const [k, v] of Object.entries(flattenProvenance(prov.get(id)))) flat[`provenance.${k}`] = v;
    return { name: info.name, flat };
  });
  const keys = [...new Set(fields.flatMap((f) => Object.keys(f.flat)))].sort();
  const differences = keys
    .map((key) => ({ key, values: fields.map((f) => f.flat[key] ?? null) }))
    .filter((d) => new Set(d.values).size > 1);
  return { ids, names: fields.map((f) => f.name), differences, compared: keys.length };
}

export function exportRecord(db: Database.Database, projectPath: string, id: number): JobRecordFile {
  const jobs = new JobStore(db);
  const info = jobs.get(id);
  const prov = new ProvenanceStore(db);
  const metrics = db.prepare('SELECT step, name, value, wall_ms AS wallMs FROM job_metrics WHERE job_id = ? ORDER BY step, name').all(id) as JobRecordFile['metrics'];
  return {
    format: RECORD_FORMAT,
    version: RECORD_VERSION,
    exportedAt: new Date().toISOString(),
    source: { project: projectPath, jobId: id },
    job: {
      recipe: info.recipe,
      name: info.name,
      status: info.status,
      createdAt: info.createdAt,
      startedAt: info.startedAt,
      endedAt: info.endedAt,
      exitCode: info.exitCode,
      device: info.device,
      step: info.step,
      total: info.total,
      message: info.message,
      specName: info.specName,
    },
    params: jobs.config(id).params,
    provenance: prov.get(id),
    manifest: prov.manifest(id),
    metrics,
  };
}

/** "field: problem" for the first few zod issues. */
function issuesText(issues: z.ZodIssue[]): string {
  const shown = issues.slice(0, 3).map((i) => `${i.path.length > 0 ? i.path.join('.') : '(the file)'}: ${i.message}`);
  return `${shown.join('; ')}${issues.length > 3 ? `; and ${issues.length - 3} more` : ''}`;
}

/** Checks a record file's content; throws BadInput naming the source and the field. */
export function parseRecord(raw: unknown, source: string): JobRecordFile {
  if (raw !== null && typeof raw === 'object' && 'format' in raw && (raw as { format: unknown }).format !== RECORD_FORMAT) {
    throw new RpcError(ErrorCode.InvalidParams, `${source}: format: expected "${RECORD_FORMAT}", found ${JSON.stringify((raw as { format: unknown }).format)}`);
  }
  if (raw !== null && typeof raw === 'object' && 'version' in raw && (raw as { version: unknown }).version !== RECORD_VERSION) {
    throw new RpcError(ErrorCode.InvalidParams, `${source}: version: this workbench reads run records of version ${RECORD_VERSION}, the file is version ${JSON.stringify((raw as { version: unknown }).version)}`);
  }
  const parsed = JobRecordFile.safeParse(raw);
  if (!parsed.success) throw new RpcError(ErrorCode.InvalidParams, `${source}: ${issuesText(parsed.error.issues)}`);
  const r = parsed.data;
  if (!['done', 'failed', 'cancelled'].includes(r.job.status)) {
    throw new RpcError(ErrorCode.InvalidParams, `${source}: job.status: the run was ${r.job.status} when exported; export it again once it has ended`);
  }
  const steps = new Set<string>();
  for (const [i, m] of r.metrics.entries()) {
    const k = `${m.name}\u0000${m.step}`;
    if (steps.has(k)) throw new RpcError(ErrorCode.InvalidParams, `${source}: metrics.${i}: "${m.name}" at step ${m.step} appears twice`);
    steps.add(k);
  }
  return r;
}

/** A record file's text as JSON; names the source when it is not JSON. */
export function parseRecordText(text: string, source: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new RpcError(ErrorCode.InvalidParams, `${source}: not a readable JSON file (${err instanceof Error ? err.message : String(err)})`);
  }
}

/** Adds a record as a read-only job; nothing is written when the record is bad. */
export function importRecord(db: Database.Database, raw: unknown, source: string): JobInfo {
  const r = parseRecord(raw, source);
  const jobs = new JobStore(db);
  const prov = new ProvenanceStore(db);
  // The record's dataset id is the other project's: kept for the record, never looked up here.
  const { datasetId, ...rest } = r.params;
  const params = {
    ...rest,
    name: r.job.name,
    ...(datasetId !== undefined ? { sourceDatasetId: datasetId } : {}),
    sourceDatasetName: r.provenance?.data?.datasetName ?? null,
  };
  const id = db.transaction(() => {
    const config = {
      params,
      result: { createdAt: r.job.createdAt ?? r.exportedAt, device: r.job.device, step: r.job.step, total: r.job.total, message: r.job.message, resumable: false },
    };
    const jobId = Number(
      db
        .prepare('INSERT INTO jobs(recipe, config_json, status, started_at, ended_at, exit_code) VALUES (?, ?, ?, ?, ?, ?)')
        .run(r.job.recipe, JSON.stringify(config), r.job.status, r.job.startedAt, r.job.endedAt, r.job.exitCode).lastInsertRowid,
    );
    jobs.addMetrics(jobId, r.metrics);
    if (r.provenance) prov.putCompressed(jobId, r.provenance, r.manifest ? gzipSync(JSON.stringify(r.manifest)) : null);
    db.prepare('INSERT INTO job_records(job_id, imported_at, source, original_id, project) VALUES (?, ?, ?, ?, ?)').run(
      jobId,
      new Date().toISOString(),
      source,
      r.source.jobId,
      r.source.project,
    );
    return jobId;
  })();
  return jobs.get(id);
}

export function importedFrom(db: Database.Database, id: number): { source: string; importedAt: string; originalId: number | null; project: string | null } | null {
  return (
    (db.prepare('SELECT source, imported_at AS importedAt, original_id AS originalId, project FROM job_records WHERE job_id = ?').get(id) as
      | { source: string; importedAt: string; originalId: number | null; project: string | null }
      | undefined) ?? null
  );
}
