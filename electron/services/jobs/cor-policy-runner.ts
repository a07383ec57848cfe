/**
 * The built-in cor-policy recipe as a job runner:
 * 1. inputs into the job folder (labels, embeddings through onnxruntime-node, the
 *    trainer's config.json and the reward spec), made once: a resume reuses them so
 *    the checkpoint's classes still fit;
 * 2. the Python trainer as a child process speaking JSON lines: progress, metrics to
 *    job_metrics, artifacts, the device, log text to the job's log file;
 * 3. after a good run the exported policy predicts with onnxruntime-node into
 *    completions runs (its top chains and G sampled chains per photo).
 * Stop ends the trainer (SIGTERM, SIGKILL after the grace period) or, once it has
 * exited, the predictions.
 */
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { StartJobParams } from '../../../shared/rpc/jobs-methods.js';
import { parseRewardSpec, type RewardSpec } from '../../../shared/reward/spec.js';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import type { EncoderSpec } from '../embeddings/encoder-spec.js';
import type { GeoLookup } from '../completions/geo-lookup.js';
import { createTaskContext } from '../rpc/task-context.js';
import { JobProcess } from './job-process.js';
import type { JobStore } from './job-store.js';
import { predictRuns } from './policy-runner.js';
import { prepareInputs } from './prepare-inputs.js';
import { inputsFileOf, probeLocalVersions, type TrainerFacts } from './provenance.js';
import type { TrainerEvent } from './protocol.js';
import type { JobRunContext, JobRunEnd, JobRunHandle, JobRunner } from './runner.js';

export interface CorPolicyRunnerOptions {
  resourcesDir: string;
  /** The encoder of this name (the default one when none is given); throws NotFound. */
  encoder: (name: string | undefined) => EncoderSpec;
  /** The interpreter the trainer runs with (read at each launch). */
  python: () => string;
  /** The trainer script; tests swap in stand-ins. */
  trainerScript?: () => string;
  /** Gazetteer for the checks of prediction runs (null: off). */
  geo?: () => GeoLookup | null;
}

/** A validated start request: what the job stores and its step count. */
export interface CorPolicyJob {
  recipe: string;
  params: Record<string, unknown>;
  total: number;
}

/** Checks a start request against the project (spec, encoder, dataset, subsets). */
export function corPolicyJob(db: Database.Database, raw: unknown, encoder: CorPolicyRunnerOptions['encoder']): CorPolicyJob {
  const params = StartJobParams.parse(raw);
  let spec: RewardSpec;
  try {
    spec = parseRewardSpec(params.spec);
  } catch (err) {
    throw new RpcError(ErrorCode.BadInput, `reward spec: ${err instanceof Error ? err.message : String(err)}`);
  }
  encoder(params.encoder);
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
  return { recipe: params.recipe, params: { ...params, spec, hardImageIds }, total: params.config.sftSteps + params.config.grpoSteps };
}

export class CorPolicyRunner implements JobRunner {
  readonly preparingMessage = 'preparing inputs: labels and embeddings';

  constructor(private readonly options: CorPolicyRunnerOptions) {}

  async launch(ctx: JobRunContext): Promise<JobRunHandle> {
    const { params } = ctx;
    const req = StartJobParams.parse({ ...params, hardImageIds: undefined, spec: params.spec });
    const hardImageIds = Array.isArray(params.hardImageIds) ? (params.hardImageIds as number[]) : null;
    const progress = throttledProgress(ctx);

    if (!fs.existsSync(path.join(ctx.jobDir, 'inputs', 'data.json'))) {
      const task = createTaskContext(null, ctx.signal, (done, total, message) => progress(done, total, message));
      const summary = await prepareInputs(
        ctx.db,
        ctx.cacheDir,
        this.options.resourcesDir,
        ctx.jobDir,
        { datasetId: req.datasetId, subsetId: req.subsetId, hardImageIds, encoder: this.options.encoder(req.encoder), spec: parseRewardSpec(req.spec), config: req.config },
        task,
      );
      ctx.jobs.updateResult(ctx.jobId, { prepare: summary as unknown as Record<string, unknown> });
      fs.appendFileSync(
        ctx.logPath,
        `[info] inputs: ${summary.train} training + ${summary.val} held-out photos, ${summary.cities} cities; ` +
          `embeddings by ${summary.embedding.encoder} ${summary.embedding.provider ? `on ${summary.embedding.provider}` : 'from the cache'} ` +
          `(${summary.embedding.embedded} new, ${summary.embedding.cached} cached, ${summary.embedding.skipped} photos skipped)\n`,
      );
    }
    if (ctx.signal.aborted) throw new RpcError(ErrorCode.Cancelled, 'cancelled');

    // Python cannot read inside Electron's asar archive: use the unpacked copy
    // (electron-builder.yml unpacks resources/trainer).
    const script =
      this.options.trainerScript?.() ??
      path.join(this.options.resourcesDir, 'trainer', 'cor_policy.py').replace(`.asar${path.sep}`, `.asar.unpacked${path.sep}`);
    const reader = new TrainerEvents(ctx, progress);
    const proc = new JobProcess({
      command: this.options.python(),
      args: ['-u', script, '--job-dir', ctx.jobDir],
      cwd: ctx.jobDir,
      env: { ...process.env, PYTHONUNBUFFERED: '1' },
      logPath: ctx.logPath,
      onEvent: (ev) => reader.read(ev),
      onLogLine: (line) => ctx.emit({ type: 'job', jobId: ctx.jobId, kind: 'log', text: line }),
    });
    // Aborted by stop: ends the predictions when the trainer has exited already.
    const stopped = new AbortController();
    const name = req.name ?? `cor-policy #${ctx.jobId}`;

    const exited = (async (): Promise<JobRunEnd> => {
      const exit = await proc.exited;
      reader.finish();
      const { step, total } = reader;
      const exitCode = exit.code ?? (exit.signal ? 128 + (exit.signal === 'SIGKILL' ? 9 : 15) : null);
      const at = `step ${step}${total ? ` of ${total}` : ''}`;
      if (stopped.signal.aborted) {
        return { ok: false, exitCode, message: `stopped at ${at}`, cancelMessage: `cancelled at ${at}; resume continues from the last checkpoint` };
      }
      if (exit.code !== 0 || exit.done?.status !== 'ok') {
        const why = exit.spawnError ?? exit.done?.message ?? (exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code ?? 'unknown'}`);
        const tail = exit.lastLines.slice(-5).join(' | ');
        return { ok: false, exitCode, message: `${why}${exit.spawnError || exit.done ? ` (exit code ${exitCode ?? 'none'})` : ''}${tail ? ` — last log lines: ${tail}` : ''}` };
      }
      let message = exit.done.message || 'done';
      try {
        const runs = await this.predictAfterTraining(ctx, name, req.datasetId, req.rolloutSamples, req.config.temperature, stopped.signal);
        const runIds = runs.samplesRunId !== null ? [runs.predictRunId, runs.samplesRunId] : [runs.predictRunId];
        ctx.jobs.updateResult(ctx.jobId, { runIds, sampledRunId: runs.samplesRunId });
        message += `; completions runs ${runIds.map((r) => `#${r}`).join(', ')}`;
      } catch (err) {
        if (stopped.signal.aborted) {
          return {
            ok: false,
            exitCode: 0,
            message: `${message}; predictions stopped`,
            cancelMessage: `cancelled after training (${at}) while the exported policy predicted; resume makes the predictions again`,
          };
        }
        message += `; predictions with the exported policy failed: ${err instanceof Error ? err.message : String(err)}`;
      }
      return { ok: true, exitCode: 0, message };
    })();

    return {
      pid: proc.pid,
      message: 'training',
      command: [this.options.python(), '-u', script, '--job-dir', ctx.jobDir].map(shellWord).join(' '),
      stop: (graceMs) => {
        stopped.abort();
        proc.stop(graceMs);
      },
      exited,
    };
  }

  /** Versions of the job's interpreter, the device it trains on, and the file of the exact rows of its inputs. */
  async trainerFacts(ctx: JobRunContext): Promise<TrainerFacts> {
    const req = StartJobParams.parse({ ...ctx.params, hardImageIds: undefined, spec: ctx.params.spec });
    const probe = await probeLocalVersions(this.options.python(), this.options.resourcesDir);
    const onGpu = req.config.device !== 'cpu' && probe.devices.length > 0;
    return {
      where: 'this machine',
      versions: probe.versions,
      devices: onGpu ? probe.devices : ['CPU'],
      note: probe.note,
      inputsFile: inputsFileOf(ctx.jobDir),
      data: { datasetId: req.datasetId, subsetId: req.subsetId, valFraction: req.config.valFraction, withSplit: true },
    };
  }

  /** The policy's top chains and G samples on the held-out photos (all photos when none is held out). */
  private async predictAfterTraining(
    ctx: JobRunContext,
    name: string,
    datasetId: number,
    samples: number,
    temperature: number,
    signal: AbortSignal,
  ): Promise<{ predictRunId: number; samplesRunId: number | null }> {
    const data = JSON.parse(fs.readFileSync(path.join(ctx.jobDir, 'inputs', 'data.json'), 'utf8')) as { image_ids: number[]; split: string[] };
    const val = data.image_ids.filter((_, i) => data.split[i] === 'val');
    const ids = val.length > 0 ? val : data.image_ids;
    const r = await predictRuns(
      ctx.db,
      ctx.cacheDir,
      ctx.jobDir,
      { jobId: ctx.jobId, jobName: name, datasetId, imageIds: ids, samples, temperature, geo: this.options.geo?.() ?? null, label: val.length > 0 ? 'held-out photos' : 'all photos' },
      createTaskContext(null, signal, () => undefined),
    );
    return { predictRunId: r.predictRunId, samplesRunId: r.samplesRunId };
  }
}

type Progress = (step: number, total: number | null, text: string | undefined, force?: boolean) => void;

/** Progress events for the UI, at most five a second unless forced. */
function throttledProgress(ctx: JobRunContext): Progress {
  let last = 0;
  return (step, total, text, force = false) => {
    const now = Date.now();
    if (!force && now - last < 200) return;
    last = now;
    ctx.emit({ type: 'job', jobId: ctx.jobId, kind: 'progress', step, ...(total !== null ? { total } : {}), ...(text ? { text } : {}) });
  };
}

/** Reads the trainer's events into the store: metrics batched, step and total four times a second. */
class TrainerEvents {
  step = 0;
  total: number | null = null;
  private readonly metrics: { step: number; name: string; value: number | null }[] = [];
  private readonly jobs: JobStore;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly ctx: JobRunContext,
    private readonly progress: Progress,
  ) {
    this.jobs = ctx.jobs;
    this.timer = setInterval(() => this.flush(), 250);
  }

  read(ev: TrainerEvent): void {
    const { ctx } = this;
    switch (ev.event) {
      case 'progress':
        this.step = ev.step;
        this.total = ev.total ?? this.total;
        this.progress(this.step, this.total, undefined);
        break;
      case 'metric':
        this.metrics.push({ step: ev.step, name: ev.name, value: ev.value });
        ctx.emit({ type: 'job', jobId: ctx.jobId, kind: 'metric', step: ev.step, name: ev.name, value: ev.value });
        break;
      case 'artifact':
        this.jobs.addArtifact(ctx.jobId, ev.kind, ev.path);
        ctx.emit({ type: 'job', jobId: ctx.jobId, kind: 'artifact', name: ev.kind, text: ev.path });
        break;
      case 'device':
        this.jobs.updateResult(ctx.jobId, { device: ev.name && ev.name !== ev.device.toUpperCase() ? `${ev.device} (${ev.name})` : ev.device });
        break;
      default:
        break;
    }
  }

  /** The process has exited: store what is left and send the last progress. */
  finish(): void {
    clearInterval(this.timer);
    this.flush();
    this.progress(this.step, this.total, undefined, true);
  }

  private flush(): void {
    if (this.metrics.length > 0) this.jobs.addMetrics(this.ctx.jobId, this.metrics.splice(0));
    this.jobs.updateResult(this.ctx.jobId, { step: this.step, total: this.total });
  }
}

/** A word of a command line as a POSIX shell reads it back. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}
