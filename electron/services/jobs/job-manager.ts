/**
 * The training job manager. Jobs wait in one queue (one GPU: one job at a time); the
 * manager starts each with the runner of its recipe (cor-policy-runner.ts for the
 * built-in recipe, registered runners for the others), tracks its status, cancels it
 * and settles how it ended. Each running job keeps its own connection to the project
 * file, so it carries on while the UI reloads or the project is closed. Jobs a previous
 * app left queued or running (their pid gone, or not ours) are marked failed, or
 * followed again when their runner can reattach.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { JobEvent, JobInfo, JobStatus } from '../../../shared/rpc/jobs-methods.js';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import { DEFAULT_ENCODER, listEncoders, type EncoderSpec } from '../embeddings/encoder-spec.js';
import type { GeoLookup } from '../completions/geo-lookup.js';
import { CorPolicyRunner, corPolicyJob } from './cor-policy-runner.js';
import { GpuSampler } from './gpu-telemetry.js';
import { pidAlive } from './job-process.js';
import { JobStore } from './job-store.js';
import { WriteQueue } from '../store/write-queue.js';
import { provenanceRecord, ProvenanceStore } from './provenance.js';
import { readPoolAt } from '../rpc/reads.js';
import type { JobRunContext, JobRunHandle, JobRunner } from './runner.js';

export interface ProjectRef {
  db: Database.Database;
  path: string;
  cacheDir: string;
}

export interface JobManagerOptions {
  resourcesDir: string;
  /** Folders holding encoder .json + .onnx pairs (later ones win on a name clash). */
  encoderDirs: string[];
  emit: (event: JobEvent) => void;
  /** The interpreter jobs run with (read at each start). */
  python: () => string;
  /** The trainer script of a recipe; tests swap in stand-ins. */
  trainerScript?: (recipe: string) => string;
  /** SIGTERM → SIGKILL grace period, ms. */
  graceMs?: number;
  /** Gazetteer for the checks of prediction runs (null: off). */
  geo?: () => GeoLookup | null;
  log?: (message: string) => void;
  /** GPU telemetry of running jobs (nvidia-smi every intervalMs, default 5 s); false: off. */
  gpuTelemetry?: { intervalMs?: number; env?: NodeJS.ProcessEnv } | false;
}

interface Entry {
  jobId: number;
  projectPath: string;
  cacheDir: string;
  /** A registered runner's run that an earlier app left running: reattach instead of launch. */
  reattach?: boolean;
}

interface Active extends Entry {
  abort: AbortController;
  proc: Pick<JobRunHandle, 'stop' | 'detach'> | null;
  cancelled: boolean;
}

const TERMINAL: readonly JobStatus[] = ['done', 'failed', 'cancelled'];

export function jobDirOf(cacheDir: string, jobId: number): string {
  return path.join(cacheDir, 'jobs', String(jobId));
}

export class JobManager {
  private readonly queue: Entry[] = [];
  private active: Active | null = null;
  private readonly waiters = new Map<string, ((info: JobInfo) => void)[]>();
  private readonly graceMs: number;
  private readonly runners = new Map<string, JobRunner>();

  constructor(private readonly options: JobManagerOptions) {
    this.graceMs = options.graceMs ?? 10_000;
    const trainerScript = options.trainerScript;
    this.runners.set(
      'cor-policy',
      new CorPolicyRunner({
        resourcesDir: options.resourcesDir,
        encoder: (name) => this.encoder(name),
        python: options.python,
        ...(trainerScript ? { trainerScript: () => trainerScript('cor-policy') } : {}),
        ...(options.geo ? { geo: options.geo } : {}),
      }),
    );
  }

  private key(projectPath: string, jobId: number): string {
    return `${projectPath}\u0000${jobId}`;
  }

  private isOurs(projectPath: string, jobId: number): boolean {
    return (
      (this.active !== null && this.active.projectPath === projectPath && this.active.jobId === jobId) ||
      this.queue.some((e) => e.projectPath === projectPath && e.jobId === jobId)
    );
  }

  /** Marks jobs left queued/preparing/running by an app that is gone as failed. */
  recover(project: ProjectRef): number {
    const jobs = new JobStore(project.db);
    let marked = 0;
    for (const j of jobs.unfinished()) {
      if (this.isOurs(project.path, j.id)) continue;
      if (j.status === 'running' && this.runners.get(jobs.get(j.id).recipe)?.reattach) {
        // Its runner left it going when the app closed (a server or Slurm run): follow it again.
        this.queue.unshift({ jobId: j.id, projectPath: project.path, cacheDir: project.cacheDir, reattach: true });
        this.pump();
        continue;
      }
      const alive = j.pid !== null && pidAlive(j.pid);
      const message =
        j.status === 'queued'
          ? 'the app closed while this job waited in the queue; resume it to run it'
          : alive
            ? `found ${j.status} at start-up with pid ${j.pid}, a process this app did not start: marked failed (stop that process by hand if it is the trainer)`
            : `the app closed while this job was ${j.status} (pid ${j.pid ?? 'none'} no longer runs); resume continues from the last checkpoint`;
      jobs.setStatus(j.id, 'failed', { ended: true });
      jobs.updateResult(j.id, { message });
      marked++;
    }
    return marked;
  }

  encoders(): EncoderSpec[] {
    return listEncoders(this.options.encoderDirs);
  }

  private encoder(name: string | undefined): EncoderSpec {
    const wanted = name ?? DEFAULT_ENCODER;
    const found = this.encoders().find((e) => e.name === wanted);
    if (!found) throw new RpcError(ErrorCode.NotFound, `no image encoder named "${wanted}" (have: ${this.encoders().map((e) => e.name).join(', ') || 'none'})`);
    return found;
  }

  /** Registers the runner of a job kind (a recipe name other than the built-in ones). */
  registerRunner(recipe: string, runner: JobRunner): void {
    this.runners.set(recipe, runner);
  }

  /** Queues a job of a registered kind; `params` were validated by its service and are stored as they are. */
  startWith(project: ProjectRef, recipe: string, params: Record<string, unknown>): JobInfo {
    if (!this.runners.has(recipe)) throw new RpcError(ErrorCode.BadInput, `no runner for recipe "${recipe}"`);
    return this.create(project, recipe, params, {});
  }

  /** Queues a job of the built-in recipe (jobs.start). */
  start(project: ProjectRef, raw: unknown): JobInfo {
    const job = corPolicyJob(project.db, raw, (name) => this.encoder(name));
    return this.create(project, job.recipe, job.params, { total: job.total });
  }

  private create(project: ProjectRef, recipe: string, params: Record<string, unknown>, result: { total?: number }): JobInfo {
    const jobs = new JobStore(project.db);
    const id = jobs.create(recipe, params, 'queued');
    const jobDir = jobDirOf(project.cacheDir, id);
    fs.mkdirSync(jobDir, { recursive: true });
    jobs.setLogPath(id, path.join(jobDir, 'job.log'));
    jobs.updateResult(id, { jobDir, ...result, step: 0 });
    this.enqueue({ jobId: id, projectPath: project.path, cacheDir: project.cacheDir });
    return jobs.get(id);
  }

  /**
   * Queues a new job with the stored request of a built-in job: the same settings, seed,
   * reward spec, data choice and hard-sample ids. Its own provenance says whether the
   * data still hashes the same.
   */
  rerun(project: ProjectRef, id: number): JobInfo {
    const jobs = new JobStore(project.db);
    const info = jobs.get(id);
    if (info.imported) throw new RpcError(ErrorCode.BadInput, `job ${id} is an imported run record: its dataset lives in another project, so it cannot be re-run here`);
    if (info.recipe !== 'cor-policy') throw new RpcError(ErrorCode.BadInput, `job ${id} is a ${info.recipe} run: start it again from its recipe's settings`);
    const { hardImageIds, hardSubsetId: _resolved, ...params } = jobs.config(id).params;
    const raw = { ...params, name: `${info.name} (re-run of #${id})`, ...(Array.isArray(hardImageIds) ? { hardImageIds } : {}) };
    return this.start(project, raw);
  }

  resume(project: ProjectRef, id: number): JobInfo {
    const jobs = new JobStore(project.db);
    const info = jobs.get(id);
    if (info.imported) throw new RpcError(ErrorCode.BadInput, `job ${id} is an imported run record: it is read-only and cannot run here (jobs.rerun starts a new job from a built-in record)`);
    if (this.isOurs(project.path, id)) throw new RpcError(ErrorCode.BadInput, `job ${id} is ${info.status} already`);
    if (info.status === 'done') throw new RpcError(ErrorCode.BadInput, `job ${id} finished; start a new job to train again`);
    if (!info.resumable) {
      throw new RpcError(ErrorCode.BadInput, `job ${id} could not start, so there is nothing to resume (${info.message ?? 'no reason recorded'}); start a new job once that is fixed`);
    }
    jobs.setStatus(id, 'queued', { pid: null, exitCode: null });
    jobs.updateResult(id, { message: 'resumed: waiting in the queue' });
    this.enqueue({ jobId: id, projectPath: project.path, cacheDir: project.cacheDir });
    return jobs.get(id);
  }

  cancel(project: ProjectRef, id: number): boolean {
    const jobs = new JobStore(project.db);
    if (jobs.get(id).imported) throw new RpcError(ErrorCode.BadInput, `job ${id} is an imported run record: nothing runs to cancel`);
    const qi = this.queue.findIndex((e) => e.projectPath === project.path && e.jobId === id);
    if (qi >= 0) {
      this.queue.splice(qi, 1);
      jobs.setStatus(id, 'cancelled', { ended: true });
      jobs.updateResult(id, { message: 'cancelled before it started' });
      this.finished(project.path, jobs.get(id));
      return true;
    }
    const a = this.active;
    if (a && a.projectPath === project.path && a.jobId === id) {
      a.cancelled = true;
      a.abort.abort();
      a.proc?.stop(this.graceMs);
      return true;
    }
    return false;
  }

  /** Deletes a finished job; an imported record only when `importedRecord` says the caller means it. */
  delete(project: ProjectRef, id: number, importedRecord = false): boolean {
    if (this.isOurs(project.path, id)) throw new RpcError(ErrorCode.BadInput, `job ${id} is queued or running: cancel it first`);
    const jobs = new JobStore(project.db);
    if (!jobs.exists(id)) return false;
    if (jobs.isImported(id) && !importedRecord) {
      throw new RpcError(ErrorCode.BadInput, `job ${id} is an imported run record: delete it with importedRecord: true (its source file is kept)`);
    }
    fs.rmSync(jobDirOf(project.cacheDir, id), { recursive: true, force: true });
    return jobs.delete(id);
  }

  /** Resolves when the job reaches done, failed or cancelled. */
  waitFor(projectPath: string, id: number): Promise<JobInfo> {
    return new Promise((resolve) => {
      const k = this.key(projectPath, id);
      const list = this.waiters.get(k) ?? [];
      list.push(resolve);
      this.waiters.set(k, list);
    });
  }

  get busy(): boolean {
    return this.active !== null || this.queue.length > 0;
  }

  /** Stops the running job and forgets the queue (app shutdown). */
  dispose(): void {
    this.queue.length = 0;
    if (this.active?.proc?.detach) {
      this.active.proc.detach();
      this.active = null;
    } else if (this.active) {
      this.active.cancelled = true;
      this.active.abort.abort();
      this.active.proc?.stop(this.graceMs);
    }
  }

  private finished(projectPath: string, info: JobInfo): void {
    this.options.emit({ type: 'job', jobId: info.id, kind: 'status', status: info.status, ...(info.message ? { text: info.message } : {}) });
    const k = this.key(projectPath, info.id);
    const list = this.waiters.get(k);
    this.waiters.delete(k);
    for (const w of list ?? []) w(info);
  }

  private enqueue(entry: Entry): void {
    this.queue.push(entry);
    this.options.emit({ type: 'job', jobId: entry.jobId, kind: 'status', status: 'queued' });
    this.pump();
  }

  private pump(): void {
    if (this.active || this.queue.length === 0) return;
    const entry = this.queue.shift()!;
    const active: Active = { ...entry, abort: new AbortController(), proc: null, cancelled: false };
    this.active = active;
    void this.run(active)
      .catch((err: unknown) => this.options.log?.(`jobs: job ${entry.jobId} crashed the manager: ${String(err)}`))
      .finally(() => {
        if (this.active === active) this.active = null;
        this.pump();
      });
  }

  /**
   * Records what the job started from, once (a resume keeps the first record). A
   * failure to record is logged in the job's log and never stops the run.
   */
  private async recordProvenance(ctx: JobRunContext, projectPath: string, runner: JobRunner, handle: JobRunHandle): Promise<void> {
    const store = new ProvenanceStore(ctx.db);
    if (store.get(ctx.jobId)) return;
    // Reading, hashing, compressing and storing the rows trained on takes seconds over millions: a thread of its own.
    const reads = readPoolAt(projectPath, { size: 1 });
    try {
      const facts = runner.trainerFacts
        ? await runner.trainerFacts(ctx)
        : { where: 'this machine', versions: {}, devices: [], note: 'this recipe reports no trainer-side facts' };
      const record = provenanceRecord(this.options.resourcesDir, { params: ctx.params, facts, command: handle.command ?? null });
      await reads.run('jobs.recordProvenance', { jobId: ctx.jobId, ...record });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      fs.appendFileSync(ctx.logPath, `[warning] provenance not recorded: ${why}\n`);
      this.options.log?.(`jobs: job ${ctx.jobId}: provenance not recorded: ${why}`);
    } finally {
      void reads.close();
    }
  }

  /**
   * Samples the GPUs of the machine a job runs on: this one, or a server over SSH when the
   * runner says how; a run whose machine is unknown (under Slurm) is not sampled.
   */
  private sampleGpus(ctx: JobRunContext, handle: JobRunHandle): GpuSampler | null {
    const opts = this.options.gpuTelemetry;
    if (opts === false || handle.gpuQuery === null) return null;
    if (handle.gpuQuery === undefined && handle.pid === null) return null;
    const say = (text: string): void => {
      fs.appendFileSync(ctx.logPath, `${text}\n`);
      ctx.emit({ type: 'job', jobId: ctx.jobId, kind: 'log', text });
    };
    const sampler = new GpuSampler({
      intervalMs: opts?.intervalMs ?? 5000,
      ...(opts?.env ? { env: opts.env } : {}),
      ...(handle.gpuQuery ? { argv: handle.gpuQuery.argv, where: handle.gpuQuery.where } : {}),
      onUnavailable: (note) => say(`[info] GPU telemetry: ${note}`),
      onSample: (gpus, wallMs) => {
        const step = ctx.jobs.config(ctx.jobId).result.step ?? 0;
        const points = gpus.flatMap((g) => [
          { step, name: `gpu/${g.index}/util`, value: g.utilPct, wallMs },
          { step, name: `gpu/${g.index}/mem_mib`, value: g.memUsedMiB, wallMs },
        ]);
        ctx.jobs.addMetrics(ctx.jobId, points);
        for (const p of points) ctx.emit({ type: 'job', jobId: ctx.jobId, kind: 'metric', step: p.step, name: p.name, value: p.value });
      },
    });
    sampler.start();
    return sampler;
  }

  private async run(a: Active): Promise<void> {
    const db = new Database(a.projectPath);
    // Never wait for the write lock on this thread (it serves every window): the job's
    // own writes queue behind another process's lock, its bulk writes retry (policy-runner.ts).
    db.pragma('busy_timeout = 0');
    const jobs = new JobStore(db, new WriteQueue(), (err) => this.options.log?.(`job ${a.jobId}: a write failed: ${err.message}`));
    const status = (s: JobStatus, fields: Parameters<JobStore['setStatus']>[2] = {}, message?: string): void => {
      jobs.setStatus(a.jobId, s, fields);
      if (message !== undefined) jobs.updateResult(a.jobId, { message });
      if (!TERMINAL.includes(s)) this.options.emit({ type: 'job', jobId: a.jobId, kind: 'status', status: s, ...(message ? { text: message } : {}) });
    };
    try {
      const recipe = jobs.get(a.jobId).recipe;
      const runner = this.runners.get(recipe);
      if (!runner) throw new Error(`no runner for recipe "${recipe}"`);
      const jobDir = jobDirOf(a.cacheDir, a.jobId);
      fs.mkdirSync(jobDir, { recursive: true });
      const logPath = path.join(jobDir, 'job.log');
      jobs.setLogPath(a.jobId, logPath);
      const ctx: JobRunContext = {
        jobId: a.jobId,
        jobDir,
        logPath,
        cacheDir: a.cacheDir,
        params: jobs.config(a.jobId).params,
        db,
        jobs,
        signal: a.abort.signal,
        emit: this.options.emit,
        note: (message) => status('preparing', {}, message),
      };
      let handle: JobRunHandle;
      if (a.reattach && runner.reattach) {
        handle = await runner.reattach(ctx);
      } else {
        status('preparing', { started: true, pid: null, exitCode: null }, runner.preparingMessage ?? 'preparing the launch');
        handle = await runner.launch(ctx);
      }
      a.proc = handle;
      status('running', { pid: handle.pid }, handle.message);
      const sampler = this.sampleGpus(ctx, handle);
      let end: Awaited<JobRunHandle['exited']>;
      try {
        if (a.cancelled) handle.stop(this.graceMs);
        else if (!a.reattach) await this.recordProvenance(ctx, a.projectPath, runner, handle);
        end = await handle.exited;
      } finally {
        sampler?.stop();
      }
      if (a.cancelled) status('cancelled', { exitCode: end.exitCode, ended: true }, end.cancelMessage ?? `cancelled; ${end.message}`);
      else status(end.ok ? 'done' : 'failed', { exitCode: end.exitCode, ended: true }, end.message);
    } catch (err) {
      if (err instanceof RpcError && err.code === ErrorCode.Cancelled) status('cancelled', { ended: true }, 'cancelled while preparing inputs');
      else {
        // Nothing ran: its inputs could not be made (or its runner could not launch it),
        // and a resume of the same request would fail the same way.
        const launched = a.proc !== null;
        if (!launched) jobs.updateResult(a.jobId, { resumable: false });
        const why = err instanceof Error ? err.message : String(err);
        status('failed', { ended: true }, launched ? why : `could not start: ${why}`);
      }
    } finally {
      await jobs.settled();
      const info = jobs.get(a.jobId);
      db.close();
      // Free the slot before telling waiters, so a resume they ask for can start at once.
      if (this.active === a) this.active = null;
      this.finished(a.projectPath, info);
      this.pump();
    }
  }
}
