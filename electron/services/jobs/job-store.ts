/**
 * The jobs, job_metrics and artifacts tables. A job row keeps its request under
 * config_json.params and what the run learned about itself (device, progress, final
 * message, completions runs made from it) under config_json.result.
 */
import type Database from 'better-sqlite3';
import type { JobDetail, JobInfo, JobStatus, MetricPoint } from '../../../shared/rpc/jobs-methods.js';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import type { WriteQueue } from '../store/write-queue.js';

export interface JobResult {
  device?: string | null;
  step?: number | null;
  total?: number | null;
  message?: string | null;
  runIds?: number[];
  /** Which of runIds holds the sampled chains (G per photo). */
  sampledRunId?: number | null;
  jobDir?: string;
  prepare?: Record<string, unknown>;
  createdAt?: string;
  /** False once a run ended before its trainer was launched (see JobInfo.resumable); absent means true. */
  resumable?: boolean;
}

export interface JobConfig {
  params: Record<string, unknown>;
  result: JobResult;
}

interface JobRow {
  id: number;
  recipe: string;
  config_json: string;
  status: string;
  pid: number | null;
  started_at: string | null;
  ended_at: string | null;
  exit_code: number | null;
  log_path: string | null;
}

const STATUSES: readonly JobStatus[] = ['queued', 'preparing', 'running', 'done', 'failed', 'cancelled'];

export function parseConfig(json: string): JobConfig {
  try {
    const v = JSON.parse(json) as Partial<JobConfig>;
    return { params: v.params ?? {}, result: v.result ?? {} };
  } catch {
    return { params: {}, result: {} };
  }
}

export class JobStore {
  private readonly metricStmt: Database.Statement;

  /**
   * With `queue`, a running job's writes (status, result, metrics, artifacts) go through
   * it: committed at once when the lock is free, else kept in order and retried, so a
   * job never waits for another process's lock on the main thread. `onWriteError` hears
   * of a queued write that failed for another reason (it is not thrown to the caller).
   */
  constructor(
    readonly db: Database.Database,
    private readonly queue: WriteQueue | null = null,
    private readonly onWriteError: (err: Error) => void = () => undefined,
  ) {
    this.metricStmt = db.prepare('INSERT OR REPLACE INTO job_metrics(job_id, step, name, value, wall_ms) VALUES (?, ?, ?, ?, ?)');
  }

  private write(what: string, fn: () => void): void {
    if (!this.queue) {
      fn();
      return;
    }
    this.queue.run(fn, what).catch((err: unknown) => this.onWriteError(err instanceof Error ? err : new Error(String(err))));
  }

  /** Resolves once every write queued so far has been committed (or has failed). */
  async settled(): Promise<void> {
    if (this.queue) await this.queue.run(() => undefined, 'the end of the job').catch(() => undefined);
  }

  create(recipe: string, params: Record<string, unknown>, status: JobStatus): number {
    const config: JobConfig = { params, result: { createdAt: new Date().toISOString() } };
    const info = this.db.prepare('INSERT INTO jobs(recipe, config_json, status) VALUES (?, ?, ?)').run(recipe, JSON.stringify(config), status);
    return Number(info.lastInsertRowid);
  }

  private row(id: number): JobRow {
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
    if (!row) throw new RpcError(ErrorCode.NotFound, `no job with id ${id}`);
    return row;
  }

  exists(id: number): boolean {
    return this.db.prepare('SELECT 1 FROM jobs WHERE id = ?').get(id) !== undefined;
  }

  config(id: number): JobConfig {
    return parseConfig(this.row(id).config_json);
  }

  /** Merges `patch` into config_json.result. */
  updateResult(id: number, patch: JobResult): void {
    this.write(`job ${id}'s progress`, () => {
      const c = this.config(id);
      c.result = { ...c.result, ...patch };
      this.db.prepare('UPDATE jobs SET config_json = ? WHERE id = ?').run(JSON.stringify(c), id);
    });
  }

  setLogPath(id: number, logPath: string): void {
    this.write(`job ${id}'s log path`, () => this.db.prepare('UPDATE jobs SET log_path = ? WHERE id = ?').run(logPath, id));
  }

  setStatus(id: number, status: JobStatus, fields: { pid?: number | null; exitCode?: number | null; started?: boolean; ended?: boolean } = {}): void {
    const now = new Date().toISOString();
    const sets = ['status = ?'];
    const values: (string | number | null)[] = [status];
    if (fields.pid !== undefined) {
      sets.push('pid = ?');
      values.push(fields.pid);
    }
    if (fields.exitCode !== undefined) {
      sets.push('exit_code = ?');
      values.push(fields.exitCode);
    }
    if (fields.started) {
      sets.push('started_at = ?', 'ended_at = NULL');
      values.push(now);
    }
    if (fields.ended) {
      sets.push('ended_at = ?');
      values.push(now);
    }
    values.push(id);
    this.write(`job ${id}'s status`, () => this.db.prepare(`UPDATE jobs SET ${sets.join(', ')} WHERE id = ?`).run(...values));
  }

  /** Stores metric points; those without a wall time are stamped now. */
  addMetrics(jobId: number, points: readonly { step: number; name: string; value: number | null; wallMs?: number | null }[]): void {
    if (points.length === 0) return;
    const now = Date.now();
    const stamped = points.map((p) => [jobId, p.step, p.name, p.value, p.wallMs === undefined ? now : p.wallMs] as const);
    this.write(`job ${jobId}'s metrics`, () =>
      this.db.transaction(() => {
        for (const p of stamped) this.metricStmt.run(...p);
      })(),
    );
  }

  metrics(jobId: number, afterStep = -1): MetricPoint[] {
    return this.db
      .prepare('SELECT step, name, value, wall_ms AS wallMs FROM job_metrics WHERE job_id = ? AND step > ? ORDER BY step, name')
      .all(jobId, afterStep) as MetricPoint[];
  }

  addArtifact(jobId: number, kind: string, filePath: string): void {
    this.write(`job ${jobId}'s artifact`, () => {
      const seen = this.db.prepare('SELECT 1 FROM artifacts WHERE job_id = ? AND kind = ? AND path = ?').get(jobId, kind, filePath);
      if (!seen) this.db.prepare('INSERT INTO artifacts(job_id, kind, path) VALUES (?, ?, ?)').run(jobId, kind, filePath);
    });
  }

  artifacts(jobId: number): { id: number; kind: string; path: string }[] {
    return this.db.prepare('SELECT id, kind, path FROM artifacts WHERE job_id = ? ORDER BY id').all(jobId) as { id: number; kind: string; path: string }[];
  }

  /** Whether the job was imported from a run record (read-only). */
  isImported(id: number): boolean {
    return this.db.prepare('SELECT 1 FROM job_records WHERE job_id = ?').get(id) !== undefined;
  }

  /** Jobs a previous app left queued, preparing or running. */
  unfinished(): { id: number; status: string; pid: number | null }[] {
    return this.db
      .prepare("SELECT id, status, pid FROM jobs WHERE status IN ('queued', 'preparing', 'running') AND id NOT IN (SELECT job_id FROM job_records) ORDER BY id")
      .all() as { id: number; status: string; pid: number | null }[];
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM jobs WHERE id = ?').run(id).changes > 0;
  }

  private datasetName(datasetId: number | null): string | null {
    if (datasetId === null) return null;
    return (this.db.prepare('SELECT name FROM datasets WHERE id = ?').pluck().get(datasetId) as string | undefined) ?? null;
  }

  private info(r: JobRow): JobInfo {
    const c = parseConfig(r.config_json);
    const datasetId = typeof c.params.datasetId === 'number' ? c.params.datasetId : null;
    const status = (STATUSES as readonly string[]).includes(r.status) ? (r.status as JobStatus) : 'failed';
    const imported = this.isImported(r.id);
    return {
      id: r.id,
      recipe: r.recipe,
      name: typeof c.params.name === 'string' ? c.params.name : `${r.recipe} #${r.id}`,
      status,
      datasetId,
      datasetName: this.datasetName(datasetId) ?? (typeof c.params.sourceDatasetName === 'string' ? c.params.sourceDatasetName : null),
      pid: r.pid,
      createdAt: c.result.createdAt ?? null,
      startedAt: r.started_at,
      endedAt: r.ended_at,
      exitCode: r.exit_code,
      device: c.result.device ?? null,
      step: c.result.step ?? null,
      total: c.result.total ?? null,
      message: c.result.message ?? null,
      runIds: c.result.runIds ?? [],
      // Older rows did not record it: the sampled run was written second.
      sampledRunId: c.result.sampledRunId !== undefined ? c.result.sampledRunId : r.recipe === 'cor-policy' ? (c.result.runIds?.[1] ?? null) : null,
      specName: typeof c.params.specName === 'string' ? c.params.specName : null,
      resumable: (status === 'failed' || status === 'cancelled') && c.result.resumable !== false && !imported,
      imported,
    };
  }

  get(id: number): JobInfo {
    return this.info(this.row(id));
  }

  detail(id: number): JobDetail {
    const r = this.row(id);
    const c = parseConfig(r.config_json);
    return {
      ...this.info(r),
      config: c.params,
      artifacts: this.artifacts(id),
      logPath: r.log_path,
      jobDir: c.result.jobDir ?? null,
      prepare: c.result.prepare ?? {},
    };
  }

  list(): JobInfo[] {
    return (this.db.prepare('SELECT * FROM jobs ORDER BY id DESC').all() as JobRow[]).map((r) => this.info(r));
  }
}
