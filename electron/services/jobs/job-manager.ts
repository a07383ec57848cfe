/**
 * The training job manager. Jobs wait in one queue (one GPU: one job at a time) and
 * run in the main process's care: inputs are prepared here (labels, embeddings), the
 * trainer runs as a child process speaking JSON lines, metrics go to job_metrics,
 * artifacts to artifacts, log text to the job's log file, and live news to the event
 * channel. After a good run the exported policy predicts with onnxruntime-node into
 * completions runs.
 *
 * Each running job keeps its own connection to the project file, so it carries on
 * while the UI reloads or the project is closed. Jobs a previous app left queued or
 * running (their pid gone, or not ours) are marked failed.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { JobEvent, JobInfo, JobStatus } from '../../../shared/rpc/jobs-methods.js';
import { StartJobParams } from '../../../shared/rpc/jobs-methods.js';
import { parseRewardSpec } from '../../../shared/reward/spec.js';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import { DEFAULT_ENCODER, listEncoders, type EncoderSpec } from '../embeddings/encoder-spec.js';
import type { GeoLookup } from '../inference/geo-lookup.js';
import { createTaskContext } from '../rpc/task-context.js';
import { JobProcess, pidAlive } from './job-process.js';
import { JobStore } from './job-store.js';
import { predictRuns } from './policy-runner.js';
import { prepareInputs } from './prepare-inputs.js';
import type { TrainerEvent } from './protocol.js';

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
}

/**
 * Hook for job kinds whose process another service launches and reads (the external
 * trainers of electron/services/external, issue #10): the manager queues them with
 * the others, marks them preparing/running, cancels them (the handle's stop) and
 * settles their status; the runner writes the job's metrics, progress, artifacts and
 * log itself, on the job's own connection given here.
 */
export interface JobRunContext {
  jobId: number;
  jobDir: string;
  logPath: string;
  cacheDir: string;
  /** The job's stored request (config_json.params). */
  params: Record<string, unknown>;
  db: Database.Database;
  jobs: JobStore;
  /** Aborted when the job is cancelled while the runner prepares. */
  signal: AbortSignal;
  emit: (event: JobEvent) => void;
  /** Shows a message while preparing (status stays 'preparing'). */
  note: (message: string) => void;
}

export interface JobRunHandle {
  /** A pid on this machine (null when the process runs elsewhere). */
  pid: number | null;
  message: string;
  /** Stop: SIGTERM now, SIGKILL after the grace period (or the runner's equivalent). */
  stop(graceMs: number): void;
  /**
   * Set for runs that go on without the app (on a server, under Slurm): when the app
   * closes the manager calls this instead of stop (the runner lets go of the run and
   * `exited` never settles), and the next start reattaches through `reattach`.
   */
  detach?: () => void;
  exited: Promise<{ ok: boolean; exitCode: number | null; message: string }>;
}

export interface JobRunner {
  launch(ctx: JobRunContext): Promise<JobRunHandle>;
  /** Follows again a run an earlier app left running (it was detached). */
  reattach?(ctx: JobRunContext): Promise<JobRunHandle>;
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
  proc: (Pick<JobProcess, 'stop'> & Pick<JobRunHandle, 'detach'>) | null;
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
    const jobs = new JobStore(project.db);
    const id = jobs.create(recipe, params, 'queued');
    const jobDir = jobDirOf(project.cacheDir, id);
    fs.mkdirSync(jobDir, { recursive: true });
    jobs.setLogPath(id, path.join(jobDir, 'job.log'));
    jobs.updateResult(id, { jobDir, step: 0 });
    this.enqueue({ jobId: id, projectPath: project.path, cacheDir: project.cacheDir });
    return jobs.get(id);
  }

  start(project: ProjectRef, raw: unknown): JobInfo {
    const params = StartJobParams.parse(raw);
    let spec;
    try {
      spec = parseRewardSpec(params.spec);
    } catch (err) {
      throw new RpcError(ErrorCode.BadInput, `reward spec: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.encoder(params.encoder);
    const db = project.db;
    if (db.prepare('SELECT 1 FROM datasets WHERE id = ?').get(params.datasetId) === undefined) {
      throw new RpcError(ErrorCode.NotFound, `no dataset with id ${params.datasetId}`);
    }
    let hardImageIds = params.hardImageIds ?? null;
    for (const sid of [params.subsetId, params.hardSubsetId]) {
      if (sid === undefined) continue;
      const ds = db.prepare('SELECT dataset_id FROM subsets WHERE id = ?').pluck().get(sid) as number | undefined;
      if (ds === undefined) throw new RpcError(ErrorCode.NotFound, `no subset with id ${sid}`);
      if (ds !== params.datasetId) throw new RpcError(ErrorCode.BadInput, `subset ${sid} belongs to another dataset`);
    }
    if (params.hardSubsetId !== undefined) {
      hardImageIds = db.prepare('SELECT image_id FROM subset_members WHERE subset_id = ? ORDER BY image_id').pluck().all(params.hardSubsetId) as number[];
    }
    const jobs = new JobStore(db);
    const stored = { ...params, spec, hardImageIds };
    const id = jobs.create(params.recipe, stored, 'queued');
    const jobDir = jobDirOf(project.cacheDir, id);
    fs.mkdirSync(jobDir, { recursive: true });
    jobs.setLogPath(id, path.join(jobDir, 'job.log'));
    jobs.updateResult(id, { jobDir, total: params.config.sftSteps + params.config.grpoSteps, step: 0 });
    this.enqueue({ jobId: id, projectPath: project.path, cacheDir: project.cacheDir });
    return jobs.get(id);
  }

  resume(project: ProjectRef, id: number): JobInfo {
    const jobs = new JobStore(project.db);
    const info = jobs.get(id);
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
    jobs.get(id); // NotFound for unknown ids
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

  delete(project: ProjectRef, id: number): boolean {
    if (this.isOurs(project.path, id)) throw new RpcError(ErrorCode.BadInput, `job ${id} is queued or running: cancel it first`);
    const jobs = new JobStore(project.db);
    if (!jobs.exists(id)) return false;
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

  private async run(a: Active): Promise<void> {
    const db = new Database(a.projectPath);
    db.pragma('busy_timeout = 10000');
    const jobs = new JobStore(db);
    const emit = this.options.emit;
    const status = (s: JobStatus, fields: Parameters<JobStore['setStatus']>[2] = {}, message?: string): void => {
      jobs.setStatus(a.jobId, s, fields);
      if (message !== undefined) jobs.updateResult(a.jobId, { message });
      if (!TERMINAL.includes(s)) emit({ type: 'job', jobId: a.jobId, kind: 'status', status: s, ...(message ? { text: message } : {}) });
    };
    let lastProgressEmit = 0;
    const progress = (step: number, total: number | null, text: string | undefined, force = false): void => {
      const now = Date.now();
      if (!force && now - lastProgressEmit < 200) return;
      lastProgressEmit = now;
      emit({ type: 'job', jobId: a.jobId, kind: 'progress', step, ...(total !== null ? { total } : {}), ...(text ? { text } : {}) });
    };
    try {
      const runner = this.runners.get(jobs.get(a.jobId).recipe);
      if (runner) {
        await this.runWith(a, runner, db, jobs, status);
        return;
      }
      const { params } = jobs.config(a.jobId);
      const req = StartJobParams.parse({ ...params, hardImageIds: undefined, spec: params.spec });
      const hardImageIds = Array.isArray(params.hardImageIds) ? (params.hardImageIds as number[]) : null;
      const jobDir = jobDirOf(a.cacheDir, a.jobId);
      fs.mkdirSync(jobDir, { recursive: true });
      const logPath = path.join(jobDir, 'job.log');
      jobs.setLogPath(a.jobId, logPath);
      status('preparing', { started: true, pid: null, exitCode: null }, 'preparing inputs: labels and embeddings');

      // Inputs are made once; a resume reuses them so the checkpoint's classes still fit.
      if (!fs.existsSync(path.join(jobDir, 'inputs', 'data.json'))) {
        const task = createTaskContext(null, a.abort.signal, (done, total, message) => progress(done, total, message));
        const summary = await prepareInputs(
          db,
          a.cacheDir,
          this.options.resourcesDir,
          jobDir,
          { datasetId: req.datasetId, subsetId: req.subsetId, hardImageIds, encoder: this.encoder(req.encoder), spec: parseRewardSpec(req.spec), config: req.config },
          task,
        );
        jobs.updateResult(a.jobId, { prepare: summary as unknown as Record<string, unknown> });
        fs.appendFileSync(
          logPath,
          `[info] inputs: ${summary.train} training + ${summary.val} held-out photos, ${summary.cities} cities; ` +
            `embeddings by ${summary.embedding.encoder} ${summary.embedding.provider ? `on ${summary.embedding.provider}` : 'from the cache'} ` +
            `(${summary.embedding.embedded} new, ${summary.embedding.cached} cached, ${summary.embedding.skipped} photos skipped)\n`,
        );
      }
      if (a.cancelled) throw new RpcError(ErrorCode.Cancelled, 'cancelled');

      // Python cannot read inside Electron's asar archive: use the unpacked copy
      // (electron-builder.yml unpacks resources/trainer).
      const script =
        this.options.trainerScript?.(req.recipe) ??
        path.join(this.options.resourcesDir, 'trainer', 'cor_policy.py').replace(`.asar${path.sep}`, `.asar.unpacked${path.sep}`);
      const metrics: { step: number; name: string; value: number | null }[] = [];
      let step = 0;
      let total: number | null = null;
      const flush = (): void => {
        if (metrics.length > 0) jobs.addMetrics(a.jobId, metrics.splice(0));
        jobs.updateResult(a.jobId, { step, total });
      };
      const timer = setInterval(flush, 250);
      const onEvent = (ev: TrainerEvent): void => {
        switch (ev.event) {
          case 'progress':
            step = ev.step;
            total = ev.total ?? total;
            progress(step, total, undefined);
            break;
          case 'metric':
            metrics.push({ step: ev.step, name: ev.name, value: ev.value });
            emit({ type: 'job', jobId: a.jobId, kind: 'metric', step: ev.step, name: ev.name, value: ev.value });
            break;
          case 'artifact':
            jobs.addArtifact(a.jobId, ev.kind, ev.path);
            emit({ type: 'job', jobId: a.jobId, kind: 'artifact', name: ev.kind, text: ev.path });
            break;
          case 'device':
            jobs.updateResult(a.jobId, { device: ev.name && ev.name !== ev.device.toUpperCase() ? `${ev.device} (${ev.name})` : ev.device });
            break;
          default:
            break;
        }
      };
      const proc = new JobProcess({
        command: this.options.python(),
        args: ['-u', script, '--job-dir', jobDir],
        cwd: jobDir,
        env: { ...process.env, PYTHONUNBUFFERED: '1' },
        logPath,
        onEvent,
        onLogLine: (line) => emit({ type: 'job', jobId: a.jobId, kind: 'log', text: line }),
      });
      a.proc = proc;
      status('running', { pid: proc.pid }, 'training');
      if (a.cancelled) proc.stop(this.graceMs);
      const exit = await proc.exited;
      clearInterval(timer);
      flush();
      progress(step, total, undefined, true);
      const exitCode = exit.code ?? (exit.signal ? 128 + (exit.signal === 'SIGKILL' ? 9 : 15) : null);
      if (a.cancelled) {
        status('cancelled', { exitCode, ended: true }, `cancelled at step ${step}${total ? ` of ${total}` : ''}; resume continues from the last checkpoint`);
      } else if (exit.code === 0 && exit.done?.status === 'ok') {
        let message = exit.done.message || 'done';
        try {
          const runs = await this.predictAfterTraining(db, a, req.name ?? `cor-policy #${a.jobId}`, req.datasetId, req.rolloutSamples, req.config.temperature);
          const runIds = runs.samplesRunId !== null ? [runs.predictRunId, runs.samplesRunId] : [runs.predictRunId];
          jobs.updateResult(a.jobId, { runIds, sampledRunId: runs.samplesRunId });
          message += `; completions runs ${runIds.map((r) => `#${r}`).join(', ')}`;
        } catch (err) {
          message += `; predictions with the exported policy failed: ${err instanceof Error ? err.message : String(err)}`;
        }
        status('done', { exitCode: 0, ended: true }, message);
      } else {
        const why = exit.spawnError ?? exit.done?.message ?? (exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code ?? 'unknown'}`);
        const tail = exit.lastLines.slice(-5).join(' | ');
        status('failed', { exitCode, ended: true }, `${why}${exit.spawnError || exit.done ? ` (exit code ${exitCode ?? 'none'})` : ''}${tail ? ` — last log lines: ${tail}` : ''}`);
      }
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
      const info = jobs.get(a.jobId);
      db.close();
      // Free the slot before telling waiters, so a resume they ask for can start at once.
      if (this.active === a) this.active = null;
      this.finished(a.projectPath, info);
      this.pump();
    }
  }

  /** A job of a registered kind: the runner launches it, the manager tracks, cancels and settles it. */
  private async runWith(
    a: Active,
    runner: JobRunner,
    db: Database.Database,
    jobs: JobStore,
    status: (s: JobStatus, fields?: Parameters<JobStore['setStatus']>[2], message?: string) => void,
  ): Promise<void> {
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
      status('preparing', { started: true, pid: null, exitCode: null }, 'preparing the launch');
      handle = await runner.launch(ctx);
    }
    a.proc = handle;
    status('running', { pid: handle.pid }, handle.message);
    if (a.cancelled) handle.stop(this.graceMs);
    const end = await handle.exited;
    if (a.cancelled) status('cancelled', { exitCode: end.exitCode, ended: true }, `cancelled; ${end.message}`);
    else status(end.ok ? 'done' : 'failed', { exitCode: end.exitCode, ended: true }, end.message);
  }

  /** The policy's top chains and G samples on the held-out photos (all photos when none is held out). */
  private async predictAfterTraining(
    db: Database.Database,
    a: Active,
    name: string,
    datasetId: number,
    samples: number,
    temperature: number,
  ): Promise<{ predictRunId: number; samplesRunId: number | null }> {
    const jobDir = jobDirOf(a.cacheDir, a.jobId);
    const data = JSON.parse(fs.readFileSync(path.join(jobDir, 'inputs', 'data.json'), 'utf8')) as { image_ids: number[]; split: string[] };
    const val = data.image_ids.filter((_, i) => data.split[i] === 'val');
    const ids = val.length > 0 ? val : data.image_ids;
    const r = await predictRuns(
      db,
      a.cacheDir,
      jobDir,
      { jobId: a.jobId, jobName: name, datasetId, imageIds: ids, samples, temperature, geo: this.options.geo?.() ?? null, label: val.length > 0 ? 'held-out photos' : 'all photos' },
      createTaskContext(null, new AbortController().signal, () => undefined),
    );
    return { predictRunId: r.predictRunId, samplesRunId: r.samplesRunId };
  }
}
