/**
 * Runs an external trainer as a job of the job manager (its JobRunner hook):
 * 1. writes the run folder: the audit's data export, the reward plug-in, the recipe's
 *    files and launch.sh (the plan of recipes/, rebuilt now that the export is known);
 * 2. for a server: `mkdir -p` over ssh, then rsync (or scp) the folder there;
 * 3. starts launch.sh detached in its own session (`setsid`, pid = process group id,
 *    written to run.pid; exit status to exit_code), or submits job.sbatch
 *    (`sbatch --parsable`);
 * 4. follows train.log with `tail -F` (over the ssh session for a server) and reads it
 *    with the TRL log reader: metrics to job_metrics, progress, checkpoints as
 *    artifacts, the traceback as the failure message;
 * 5. cancel: `kill -TERM -<pgid>` there, `kill -KILL` after the grace period; Slurm:
 *    scancel. A Slurm job ends when squeue no longer lists it running; one Slurm ended
 *    itself (time limit, memory) fails with Slurm's state and reason (slurm.ts).
 * The same commands run locally through bash and remotely through ssh, so the local
 * path (tested here) is the remote one minus the ssh prefix.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ExternalSettings, type ExternalSettingsParsed } from '../../../shared/rpc/external-methods.js';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import { parseRewardSpec, type RewardSpec } from '../../../shared/reward/spec.js';
import { runExport } from '../audit/export/run-export.js';
import { LineSplitter } from '../jobs/protocol.js';
import type { JobRunContext, JobRunHandle, JobRunner } from '../jobs/runner.js';
import { GPU_QUERY } from '../jobs/gpu-telemetry.js';
import type { TrainerFacts } from '../jobs/provenance.js';
import { createTaskContext } from '../rpc/task-context.js';
import { localImageFolder, planContext, stagingDir } from './context.js';
import { buildPlan, DATA_BASE, EXIT_FILE, LAUNCH_FILE, LOG_FILE, PID_FILE, SBATCH_FILE, type Plan } from './recipes/index.js';
import { q } from './shell.js';
import { describeEnd, endedBySlurm, endStateCommand, parseEndState, queueStateCommand, stillQueued } from './slurm.js';
import { execArgv, run, targetOf, type Target } from './target.js';
import { externalFacts } from './env-versions.js';
import { detectSwiftVersion } from './swift-version.js';
import { listCheckpoints } from './trainer-state.js';
import { TrlLogReader } from './trl-log.js';

export interface RunnerOptions {
  /** Environment of the commands run (tests put stand-in sbatch/squeue/scancel first on PATH). */
  env?: NodeJS.ProcessEnv;
  /** How often Slurm's queue is asked whether the job still runs, ms. */
  slurmPollMs?: number;
  log?: (message: string) => void;
}

const exportFormat = { 'vlm-r1-grpo': 'vlm-r1', 'llamafactory-sft': 'llamafactory', 'swift-grpo': 'swift', custom: 'vlm-r1' } as const;

/** What a job stores (config_json.params) for the runner. */
export interface StoredExternal {
  name: string;
  datasetId: number | null;
  specName: string | null;
  /** The settings as started. */
  external: ExternalSettingsParsed;
  /** The reward spec as it was at start (a later edit of the saved spec does not change the run). */
  spec: RewardSpec | null;
  plan?: Plan;
}

/** What following a launched run needs (kept in the job folder for a later reattach). */
interface RunRecord {
  workDir: string;
  outputDir: string;
  where: string;
  slurm: boolean;
  handle: { pgid: number } | { slurmJob: string };
  /** Lines of train.log already in the job's log file. */
  lines: number;
}

const RECORD_FILE = 'external-run.json';

function writeRecord(jobDir: string, r: RunRecord): void {
  fs.writeFileSync(path.join(jobDir, RECORD_FILE), `${JSON.stringify(r)}\n`);
}

/** The commands that start and stop a run, for the preview and the runner. */
export function startCommand(workDir: string, slurm: boolean): string {
  const cd = `cd ${q(workDir)}`;
  if (slurm) return `${cd} && rm -f ${EXIT_FILE} && sbatch --parsable ${SBATCH_FILE}`;
  // In a non-interactive shell the background job is not a group leader, so setsid makes
  // it one without forking: $! is the new session's (and process group's) id.
  return (
    `${cd} && rm -f ${EXIT_FILE} ${PID_FILE} && ` +
    `(setsid bash -c 'bash ${LAUNCH_FILE} > ${LOG_FILE} 2>&1 < /dev/null; echo $? > ${EXIT_FILE}' > /dev/null 2>&1 < /dev/null & echo $! > ${PID_FILE}) && cat ${PID_FILE}`
  );
}

export function followCommand(workDir: string, fromLine: number, pid: number | null): string {
  const log = q(path.posix.join(workDir, LOG_FILE));
  return `tail -n +${fromLine} -F ${log}${pid !== null ? ` --pid=${pid}` : ''} 2>/dev/null`;
}

export function stopCommand(handle: { pgid: number } | { slurmJob: string }, signal: 'TERM' | 'KILL'): string {
  if ('slurmJob' in handle) return signal === 'TERM' ? `scancel ${q(handle.slurmJob)}` : `scancel --signal=KILL ${q(handle.slurmJob)}`;
  return `kill -${signal} -- -${handle.pgid} 2>/dev/null || true`;
}

/** The steps a launch takes, as shell text (the preview shows them). */
export function launchSteps(plan: Plan, target: Target, staging: string): string[] {
  const steps: string[] = [];
  steps.push(plan.files.some((f) => f.content === null) ? `export the data files into ${path.join(staging, 'data')}` : 'no data export');
  steps.push(`write ${plan.write.length} file${plan.write.length === 1 ? '' : 's'} into ${staging}`);
  if (target.remote) {
    steps.push(`${target.argv(`mkdir -p ${q(plan.workDir)}`).map(q).join(' ')}`);
    for (const argv of target.syncArgv(staging, plan.workDir)) steps.push(argv.map(q).join(' '));
  }
  steps.push(target.argv(startCommand(plan.workDir, plan.slurm)).map(q).join(' '));
  steps.push(`follow: ${target.argv(followCommand(plan.workDir, 1, plan.slurm ? null : 0)).map(q).join(' ').replace('--pid=0', '--pid=<pgid>')}`);
  steps.push(`cancel: ${plan.slurm ? 'scancel <job id>' : 'kill -TERM -- -<pgid>, then kill -KILL after the grace period'}${target.remote ? ` over ${target.label}` : ''}`);
  return steps;
}

/** Parses a job's stored params. */
export function storedOf(params: Record<string, unknown>): StoredExternal {
  const parsed = ExternalSettings.safeParse(params.external);
  if (!parsed.success) throw new RpcError(ErrorCode.BadInput, `this job's settings are unreadable: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return {
    name: typeof params.name === 'string' ? params.name : parsed.data.runName,
    datasetId: typeof params.datasetId === 'number' ? params.datasetId : null,
    specName: typeof params.specName === 'string' ? params.specName : null,
    external: parsed.data,
    spec: params.spec ? parseRewardSpec(params.spec) : null,
  };
}

export class ExternalRunner implements JobRunner {
  /** The settings a launch resolved (the detected ms-swift version), until its facts are asked. */
  private readonly detected = new Map<number, ExternalSettingsParsed>();

  constructor(private readonly options: RunnerOptions = {}) {}

  private env(): NodeJS.ProcessEnv {
    return this.options.env ?? process.env;
  }

  async launch(ctx: JobRunContext): Promise<JobRunHandle> {
    const stored = storedOf(ctx.params);
    const s = stored.external;
    const target = targetOf(s.where);
    const staging = stagingDir(ctx.cacheDir, s.runName);
    const log = fs.createWriteStream(ctx.logPath, { flags: 'a' });
    const note = (line: string): void => {
      log.write(`${line}\n`);
      ctx.emit({ type: 'job', jobId: ctx.jobId, kind: 'log', text: line });
    };
    const cancelled = (): void => {
      if (ctx.signal.aborted) throw new RpcError(ErrorCode.Cancelled, 'cancelled');
    };
    try {
      fs.mkdirSync(staging, { recursive: true });
      // 1. data export and files.
      let hasVal: boolean | null = null;
      if (s.data) {
        ctx.note(`exporting ${exportFormat[s.recipe]} data`);
        const task = createTaskContext(null, ctx.signal, () => undefined);
        const summary = runExport(
          ctx.db,
          {
            datasetId: s.data.datasetId,
            format: exportFormat[s.recipe],
            outDir: path.join(staging, 'data'),
            subset: s.data.subset,
            valFraction: s.data.valFraction,
            seed: s.data.seed,
            imageRoot: localImageFolder(ctx.db, s) ?? undefined,
            onlyPresent: s.data.onlyPresent,
            template: s.data.template,
            prompt: s.data.prompt,
            name: DATA_BASE,
          },
          task,
        );
        hasVal = summary.val > 0;
        note(`[info] data: ${summary.train} training + ${summary.val} validation rows → ${summary.files.join(', ')}`);
        for (const w of summary.warnings) note(`[warning] ${w}`);
      }
      let settings = s;
      if (s.recipe === 'swift-grpo' && !s.swiftVersion) {
        // The command differs by ms-swift version: ask the environment the run will use.
        try {
          const version = await detectSwiftVersion(target, s, this.env());
          settings = { ...s, swiftVersion: version };
          note(`[info] ms-swift ${version} found on ${target.label}; the command is written for it`);
        } catch (err) {
          note(`[warning] ms-swift version not detected (${err instanceof Error ? err.message : String(err)}); the command is written for the newest ms-swift`);
        }
      }
      const plan = buildPlan(settings, { ...planContext(ctx.db, settings, ctx.cacheDir, stored.spec, hasVal), now: new Date() });
      for (const f of plan.write) fs.writeFileSync(path.join(staging, f.name), f.content);
      ctx.jobs.updateResult(ctx.jobId, { jobDir: ctx.jobDir });
      note(`[info] command (${plan.where}, in ${plan.workDir}):\n${plan.command}`);
      for (const w of plan.warnings) note(`[warning] ${w}`);
      cancelled();

      // 2. to the server.
      if (target.remote) {
        ctx.note(`copying the run folder to ${target.label}`);
        await run(target, `mkdir -p ${q(plan.workDir)}`, 'creating the run folder', { env: this.env(), signal: ctx.signal });
        for (const argv of target.syncArgv(staging, plan.workDir)) {
          cancelled();
          const r = await execArgv(argv, { env: this.env(), signal: ctx.signal, timeoutMs: 6 * 3600_000 });
          if (r.code !== 0) throw new Error(`${argv[0]} to ${target.label} failed (exit ${r.code ?? 'killed'}): ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`);
        }
        note(`[info] files copied to ${target.label}:${plan.workDir}`);
      }
      cancelled();

      // 3. start.
      ctx.note(plan.slurm ? 'submitting to Slurm' : 'starting');
      const out = (await run(target, startCommand(plan.workDir, plan.slurm), plan.slurm ? 'sbatch' : 'starting launch.sh', { env: this.env() })).trim();
      let handle: { pgid: number } | { slurmJob: string };
      if (plan.slurm) {
        const id = /^(\d+)(?:;\S+)?$/.exec(out.split('\n').at(-1)?.trim() ?? '')?.[1];
        if (!id) throw new Error(`sbatch printed no job id: ${out.slice(0, 200)}`);
        handle = { slurmJob: id };
        note(`[info] submitted Slurm job ${id} on ${target.label}`);
      } else {
        const pgid = Number(out.split('\n').at(-1));
        if (!Number.isInteger(pgid) || pgid <= 0) throw new Error(`launch.sh started but no process id came back: ${out.slice(0, 200)}`);
        handle = { pgid };
        note(`[info] started launch.sh on ${target.label}: process group ${pgid}`);
      }
      const record: RunRecord = { workDir: plan.workDir, outputDir: plan.outputDir, where: plan.where, slurm: plan.slurm, handle, lines: 0 };
      writeRecord(ctx.jobDir, record);
      this.detected.set(ctx.jobId, settings);
      return { ...this.follow(ctx, target, record, log), command: plan.command };
    } catch (err) {
      log.end();
      throw err;
    }
  }

  /** The versions in the run's Python environment (where it runs), its data request. */
  async trainerFacts(ctx: JobRunContext): Promise<TrainerFacts> {
    const s = this.detected.get(ctx.jobId) ?? storedOf(ctx.params).external;
    this.detected.delete(ctx.jobId);
    return externalFacts(ctx.db, targetOf(s.where), s, this.env());
  }

  /** Follows a run an earlier app detached from (its train.log is read again from the start). */
  async reattach(ctx: JobRunContext): Promise<JobRunHandle> {
    const stored = storedOf(ctx.params);
    let record: RunRecord;
    try {
      record = JSON.parse(fs.readFileSync(path.join(ctx.jobDir, RECORD_FILE), 'utf8')) as RunRecord;
    } catch (err) {
      throw new Error(`cannot follow this run again: no record of its launch (${err instanceof Error ? err.message : String(err)})`, { cause: err });
    }
    const log = fs.createWriteStream(ctx.logPath, { flags: 'a' });
    log.write(`--- ${new Date().toISOString()} reattached to the run on ${record.where}\n`);
    return this.follow(ctx, targetOf(stored.external.where), record, log);
  }

  /** Follows train.log until the run ends; the handle stops it. */
  private follow(ctx: JobRunContext, target: Target, plan: RunRecord, log: fs.WriteStream): JobRunHandle {
    const env = this.env();
    const handle = plan.handle;
    // Lines a previous app already wrote to the job's log: read again for the metrics only.
    const known = plan.lines;
    const reader = new TrlLogReader();
    const metrics: { step: number; name: string; value: number | null }[] = [];
    const lastLines: string[] = [];
    let lines = 0;
    let total: number | null = null;
    let step = 0;
    let dirty = false;
    let lastProgress = 0;
    let text: string | undefined;
    const flush = (): void => {
      if (metrics.length > 0) ctx.jobs.addMetrics(ctx.jobId, metrics.splice(0));
      if (lines > plan.lines) {
        plan.lines = lines;
        writeRecord(ctx.jobDir, plan);
      }
      if (!dirty) return;
      dirty = false;
      ctx.jobs.updateResult(ctx.jobId, { step, total });
      const now = Date.now();
      if (now - lastProgress >= 200) {
        lastProgress = now;
        ctx.emit({ type: 'job', jobId: ctx.jobId, kind: 'progress', step, ...(total !== null ? { total } : {}), ...(text ? { text } : {}) });
      }
    };
    const timer = setInterval(flush, 250);
    let detached = false;
    const onLine = (raw: string): void => {
      if (detached) return;
      lines++;
      const shown = lines <= known ? '' : (raw.split('\r').filter((x) => x.trim().length > 0).at(-1) ?? '');
      if (lines > known) log.write(`${raw}\n`);
      if (shown) {
        lastLines.push(shown);
        if (lastLines.length > 30) lastLines.shift();
        ctx.emit({ type: 'job', jobId: ctx.jobId, kind: 'log', text: shown });
      }
      const saved = /Saving model checkpoint to (\S+)/.exec(raw);
      if (saved?.[1]) {
        const p = path.posix.isAbsolute(saved[1]) ? saved[1] : path.posix.join(plan.outputDir, path.posix.basename(saved[1]));
        ctx.jobs.addArtifact(ctx.jobId, 'checkpoint', target.remote ? `${target.label}:${p}` : p);
        ctx.emit({ type: 'job', jobId: ctx.jobId, kind: 'artifact', name: 'checkpoint', text: p });
      }
      for (const ev of reader.push(raw)) {
        if (ev.kind === 'metrics') {
          for (const [name, value] of Object.entries(ev.values)) {
            metrics.push({ step: ev.step, name, value });
            // Lines read again after a reattach are stored (for a lost log) but were streamed before.
            if (lines > known) ctx.emit({ type: 'job', jobId: ctx.jobId, kind: 'metric', step: ev.step, name, value });
          }
          step = Math.max(step, ev.step);
          dirty = true;
        } else if (ev.kind === 'progress') {
          step = Math.max(step, ev.progress.step);
          total = ev.progress.total ?? total;
          text = ev.progress.text;
          dirty = true;
        }
      }
    };

    let stopped = false;
    let killTimer: NodeJS.Timeout | null = null;
    let follower: ChildProcess | null = null;
    let slurmTimer: NodeJS.Timeout | null = null;

    const spawnFollower = (): Promise<number | null> =>
      new Promise((resolve) => {
        const argv = target.argv(followCommand(plan.workDir, lines + 1, 'pgid' in handle ? handle.pgid : null));
        // Its own process group: stopping it stops tail too, not only the bash (or ssh) above it.
        const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env, detached: true });
        follower = child;
        const split = new LineSplitter();
        child.stdout?.setEncoding('utf8').on('data', (c: string) => split.push(c, onLine));
        child.stderr?.setEncoding('utf8').on('data', (c: string) => this.options.log?.(`external: ${target.label}: ${c.trim()}`));
        child.on('error', (e) => log.write(`[error] following the log: ${e.message}\n`));
        child.on('close', (code) => {
          split.flush(onLine);
          resolve(code);
        });
      });

    const stopFollower = (): void => {
      const pid = (follower as ChildProcess | null)?.pid;
      if (pid === undefined) return;
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        // already gone
      }
    };

    let squeueFailures = 0;
    const alive = async (): Promise<boolean> => {
      if ('pgid' in handle) {
        const r = await execArgv(target.argv(`kill -0 -- -${handle.pgid} 2>/dev/null && echo alive || echo gone`), { env, timeoutMs: 60_000 });
        return r.stdout.includes('alive');
      }
      const r = await execArgv(target.argv(queueStateCommand(handle.slurmJob)), { env, timeoutMs: 60_000 });
      const queued = stillQueued(r.code, r.stdout, r.stderr);
      squeueFailures = queued === null ? squeueFailures + 1 : 0;
      // Said once, then every 30th time in a row, so a long outage does not fill the log.
      if (squeueFailures % 30 === 1) log.write(`[warning] squeue on ${target.label} failed; asking again: ${r.stderr.trim().split('\n').at(-1) ?? ''}\n`);
      return queued ?? true;
    };

    const exited = (async () => {
      if ('slurmJob' in handle) {
        // tail -F has no end for a Slurm job: the queue says when it is over.
        const poll = async (): Promise<void> => {
          if (!(await alive())) {
            setTimeout(() => stopFollower(), 1500);
            return;
          }
          slurmTimer = setTimeout(() => void poll(), this.options.slurmPollMs ?? 10_000);
        };
        slurmTimer = setTimeout(() => void poll(), this.options.slurmPollMs ?? 10_000);
      }
      // A dropped connection ends tail early: follow again from the next line while the run lives.
      for (let attempt = 0; ; attempt++) {
        await spawnFollower();
        if (detached) return new Promise<never>(() => undefined); // the app is closing; the next start reattaches
        if ('slurmJob' in handle || stopped || attempt >= 20 || !(await alive())) break;
        log.write(`[warning] the log stream ended while the run goes on; following again (${attempt + 1})\n`);
        await new Promise((r) => setTimeout(r, Math.min(30_000, 1000 * 2 ** attempt)));
      }
      if (slurmTimer) clearTimeout(slurmTimer);
      if (killTimer) clearTimeout(killTimer);
      for (const ev of reader.end()) void ev;
      clearInterval(timer);
      flush();
      const codeText = (await execArgv(target.argv(`cat ${q(path.posix.join(plan.workDir, EXIT_FILE))} 2>/dev/null || true`), { env, timeoutMs: 60_000 })).stdout.trim();
      const exitCode = /^\d+$/.test(codeText) ? Number(codeText) : null;
      // A job Slurm ended (time limit, memory, node failure) leaves no exit status: Slurm says why.
      const slurmEnd =
        'slurmJob' in handle && exitCode !== 0 && !stopped
          ? parseEndState((await execArgv(target.argv(endStateCommand(handle.slurmJob)), { env, timeoutMs: 60_000 })).stdout)
          : null;
      const slurmWhy = 'slurmJob' in handle && slurmEnd && endedBySlurm(slurmEnd) ? describeEnd(handle.slurmJob, slurmEnd) : null;
      if (slurmWhy) log.write(`[error] ${slurmWhy}\n`);
      const checkpoints = await this.checkpointsAfter(ctx, target, plan);
      const where = `${step}${total ? `/${total}` : ''} steps`;
      const ckText = checkpoints > 0 ? `; ${checkpoints} checkpoint${checkpoints === 1 ? '' : 's'} in ${plan.outputDir}` : '';
      log.write(`--- exit ${exitCode ?? 'unknown (killed)'}\n`);
      await new Promise<void>((r) => log.end(() => r()));
      if (exitCode === 0) return { ok: true, exitCode, message: `done: ${where}${ckText}` };
      const failure = reader.failure;
      const trainerWhy = failure ? failure.message : exitCode === null ? 'the run was killed (no exit status)' : `exit code ${exitCode}`;
      const why = slurmWhy ? `${slurmWhy}${failure ? `; ${failure.message}` : ''}` : trainerWhy;
      const tail = failure || slurmWhy ? '' : ` — last log lines: ${lastLines.slice(-3).join(' | ')}`;
      return { ok: false, exitCode, message: `${why} after ${where}${ckText}${lastLines.length > 0 ? tail : ''}` };
    })();

    const signalRun = (sig: 'TERM' | 'KILL'): void => {
      void execArgv(target.argv(stopCommand(handle, sig)), { env, timeoutMs: 60_000 }).then((r) => {
        if (r.code !== 0) log.write(`[warning] ${stopCommand(handle, sig)} on ${target.label}: ${r.stderr.trim()}\n`);
      });
    };
    return {
      pid: !target.remote && 'pgid' in handle ? handle.pgid : null,
      // GPU telemetry: the server's nvidia-smi over SSH; a Slurm job's node is not known here.
      gpuQuery: plan.slurm ? null : target.remote ? { argv: target.argv(['nvidia-smi', ...GPU_QUERY].map(q).join(' ')), where: target.label } : undefined,
      message: `training on ${plan.where}${'slurmJob' in handle ? ` (Slurm job ${handle.slurmJob})` : ` (process group ${handle.pgid})`}`,
      // Runs on a server or under Slurm go on when the app closes; local ones stop with it.
      ...(target.remote || plan.slurm
        ? {
            detach: () => {
              detached = true;
              if (slurmTimer) clearTimeout(slurmTimer);
              clearInterval(timer);
              flush();
              log.end(`--- ${new Date().toISOString()} the app closed; the run goes on\n`);
              stopFollower();
            },
          }
        : {}),
      stop: (graceMs: number) => {
        if (stopped) return;
        stopped = true;
        signalRun('TERM');
        killTimer = setTimeout(() => {
          void alive().then((a) => {
            if (a) signalRun('KILL');
          });
        }, graceMs);
      },
      exited,
    };
  }

  /** Lists the checkpoints the run wrote as artifacts; returns how many. */
  private async checkpointsAfter(ctx: JobRunContext, target: Target, plan: { outputDir: string }): Promise<number> {
    try {
      const found = await listCheckpointsOn(target, plan.outputDir, this.env());
      for (const c of found) ctx.jobs.addArtifact(ctx.jobId, c.vlm ? 'checkpoint-vlm' : 'checkpoint', target.remote ? `${target.label}:${c.path}` : c.path);
      return found.length;
    } catch (err) {
      this.options.log?.(`external: cannot list checkpoints: ${err instanceof Error ? err.message : String(err)}`);
      return 0;
    }
  }
}

export interface RemoteCheckpoint {
  path: string;
  step: number;
  vlm: boolean;
  loadable: boolean;
}

/** checkpoint-* folders of an output dir on the target (the local disk is read directly). */
export async function listCheckpointsOn(target: Target, outputDir: string, env?: NodeJS.ProcessEnv): Promise<RemoteCheckpoint[]> {
  if (!target.remote) return listCheckpoints(outputDir).map((c) => ({ path: c.path, step: c.step, vlm: c.vlm, loadable: c.loadable }));
  const script =
    `for d in ${q(outputDir)}/checkpoint-*; do [ -d "$d" ] || continue; ` +
    `v=0; grep -qE '"vision_config"|"vision_tower"|VL' "$d/config.json" 2>/dev/null && v=1; ` +
    `w=0; for f in "$d"/*.safetensors "$d"/*.bin; do [ -e "$f" ] && w=1; done; ` +
    `c=0; [ -f "$d/config.json" ] || [ -f "$d/adapter_config.json" ] && c=1; ` +
    `printf '%s\\t%s\\t%s\\t%s\\n' "$d" "$v" "$w" "$c"; done`;
  const out = await run(target, script, 'listing checkpoints', { env });
  const found: RemoteCheckpoint[] = [];
  for (const line of out.split('\n')) {
    const [p, v, w, c] = line.split('\t');
    const m = /checkpoint-(\d+)$/.exec(p ?? '');
    if (!p || !m) continue;
    found.push({ path: p, step: Number(m[1]), vlm: v === '1', loadable: w === '1' && c === '1' });
  }
  return found.sort((a, b) => a.step - b.step);
}
