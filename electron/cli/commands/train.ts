/**
 * `georeason train --project <file> --recipe cor-policy --dataset <id|name> [--spec <preset|file>]
 * [--sft-steps N] [--grpo-steps N] ...`, or `--settings <run.json>` for an external trainer
 * (VLM-R1, LLaMA-Factory, ms-swift, a custom command): runs one training job without a
 * window, streams its events (status, progress, every metric as it is logged, log lines,
 * artifacts) and exits with the job's status (0 done, 1 failed or cancelled). Ctrl-C
 * cancels the job (SIGTERM to the trainer; resume later in the app).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { JobEvent } from '../../../shared/rpc/jobs-methods.js';
import { ExternalSettings, ExternalRecipe, type ExternalSettingsParsed } from '../../../shared/rpc/external-methods.js';
import { getPreset, presetNames } from '../../../shared/reward/presets.js';
import { defaultUserDataDir, resourcesDir } from '../../services/app-paths.js';
import { createJobManager } from '../../services/jobs/rpc-handlers.js';
import { specOf } from '../../services/external/context.js';
import { RECIPES } from '../../services/external/recipes/index.js';
import { ExternalRunner } from '../../services/external/runner.js';
import { JobStore } from '../../services/jobs/job-store.js';
import { ProjectStore } from '../../services/store/project-store.js';
import { UsageError, type CliCommand, type CliIo } from '../command.js';
import type { JobInfo } from '../../../shared/rpc/jobs-methods.js';

function intOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a non-negative integer`);
  return n;
}

function numOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name} must be a non-negative number`);
  return n;
}

/**
 * A job event as a line of the trainer protocol (electron/services/jobs/protocol.ts), with the job's id:
 * {"event":"metric","step":12,"name":"reward","value":0.41}, {"event":"progress",…},
 * {"event":"log","level":"info","message":…}, {"event":"artifact","kind":…,"path":…},
 * {"event":"status","status":…}; the last line is {"event":"done","status":"ok|failed",…}.
 */
export function protocolLine(e: JobEvent): Record<string, unknown> | null {
  switch (e.kind) {
    case 'metric':
      return e.step === undefined || e.name === undefined ? null : { event: 'metric', jobId: e.jobId, step: e.step, name: e.name, value: e.value ?? null };
    case 'progress':
      return { event: 'progress', jobId: e.jobId, step: e.step ?? 0, ...(e.total !== undefined ? { total: e.total } : {}), ...(e.text ? { text: e.text } : {}) };
    case 'log':
      return { event: 'log', jobId: e.jobId, level: /^\[(warning|error)\]/.exec(e.text ?? '')?.[1] ?? 'info', message: e.text ?? '' };
    case 'artifact':
      return { event: 'artifact', jobId: e.jobId, kind: e.name ?? 'artifact', path: e.text ?? '' };
    case 'status':
      return { event: 'status', jobId: e.jobId, status: e.status, ...(e.text ? { message: e.text } : {}) };
  }
}

function readSettings(file: string): ExternalSettingsParsed {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`--settings ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not JSON (${(err as Error).message})`}`);
  }
  const parsed = ExternalSettings.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`).join('; ');
    throw new UsageError(`--settings ${file}: ${problems}`);
  }
  return parsed.data;
}

export const trainCommand: CliCommand = {
  name: 'train',
  summary: 'run a local training job (cor-policy: SFT then GRPO) and stream its events',
  usage: [
    'georeason train --project <file> --dataset <id|name> [--recipe cor-policy] [--spec <preset|file>]',
    '                [--sft-steps N] [--grpo-steps N] [--generations G] [--temperature T] [--beta B]',
    '                [--epsilon E] [--lr LR] [--device auto|cuda|cpu] [--encoder NAME] [--samples G]',
    '                [--python /usr/bin/python3] [--json]',
    'georeason train --project <file> --settings <run.json> [--json]',
    '',
    `--settings: an external trainer run (recipe ${ExternalRecipe.options.filter((r) => r !== 'custom').join(', ')} or custom), as the`,
    '  app\'s external-trainer form saves it (the settings of external.preview / external.start).',
    `--spec: a preset (${presetNames.join(', ')}) or a reward spec JSON file; default geo-r-paper.`,
    '--json: one JSON event a line: {"event":"status"|"progress"|"metric"|"log"|"artifact"|"done", "jobId", …};',
    '  metric lines are {"event":"metric","step":12,"name":"reward","value":0.41} (value null: no value).',
    'Exit code: 0 when the job is done, 1 when it failed or was cancelled, 2 on a usage error.',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        project: { type: 'string' },
        recipe: { type: 'string', default: 'cor-policy' },
        dataset: { type: 'string' },
        spec: { type: 'string', default: 'geo-r-paper' },
        'sft-steps': { type: 'string' },
        'grpo-steps': { type: 'string' },
        generations: { type: 'string' },
        temperature: { type: 'string' },
        beta: { type: 'string' },
        epsilon: { type: 'string' },
        lr: { type: 'string' },
        device: { type: 'string' },
        encoder: { type: 'string' },
        samples: { type: 'string' },
        python: { type: 'string' },
        settings: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
    if (!values.project) throw new UsageError('--project is required');
    const external = values.settings ? readSettings(path.resolve(io.cwd, values.settings)) : null;
    if (external) {
      const policyOnly = ['dataset', 'sft-steps', 'grpo-steps', 'generations', 'temperature', 'beta', 'epsilon', 'lr', 'device', 'encoder', 'samples', 'python'] as const;
      const given = policyOnly.filter((k) => values[k] !== undefined);
      if (given.length > 0) throw new UsageError(`--${given[0]} is a cor-policy option; an external run takes its settings from --settings`);
    }
    if (!external && !values.dataset) throw new UsageError('--dataset is required');
    if (!external && values.recipe !== 'cor-policy') throw new UsageError(`unknown recipe "${values.recipe}" (built in: cor-policy; external trainers: --settings <run.json>)`);
    const device = values.device;
    if (device !== undefined && !['auto', 'cuda', 'cpu'].includes(device)) throw new UsageError('--device must be auto, cuda or cpu');

    let spec: unknown = getPreset(values.spec);
    let specName = values.spec;
    if (spec === undefined) {
      const file = path.resolve(io.cwd, values.spec);
      if (!fs.existsSync(file)) {
        io.stderr(`--spec ${values.spec}: neither a preset (${presetNames.join(', ')}) nor a file\n`);
        return 2;
      }
      try {
        spec = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch (err) {
        io.stderr(`${values.spec}: not JSON (${(err as Error).message})\n`);
        return 1;
      }
      specName = path.basename(file);
    }

    const projectFile = path.resolve(io.cwd, values.project);
    const store = ProjectStore.open(projectFile);
    const write = values.json
      ? (e: JobEvent) => {
          const line = protocolLine(e);
          if (line) io.stdout(`${JSON.stringify(line)}\n`);
        }
      : null;
    let lastProgress = 0;
    const runtime = createJobManager({
      resourcesDir,
      userDataDir: defaultUserDataDir(),
      emit: (e) => {
        if (e.type !== 'job') return;
        if (write) return write(e);
        if (e.kind === 'log' && e.text) io.stdout(`${e.text}\n`);
        else if (e.kind === 'status') io.stdout(`[job ${e.jobId}] ${e.status}${e.text ? `: ${e.text}` : ''}\n`);
        else if (e.kind === 'progress' && Date.now() - lastProgress > 1000) {
          lastProgress = Date.now();
          io.stdout(`[job ${e.jobId}] ${e.text ?? `step ${e.step ?? 0}${e.total ? `/${e.total}` : ''}`}\n`);
        }
      },
    });
    if (values.python) runtime.settings.python = values.python;
    const project = { db: store.db, path: store.path, cacheDir: store.cacheDir };
    try {
      if (external) {
        const runner = new ExternalRunner({ env: io.env });
        for (const r of RECIPES) runtime.manager.registerRunner(r.id, runner);
      }
      const job = external
        ? (() => {
            runtime.manager.recover(project);
            const spec = specOf(store.db, external);
            return runtime.manager.startWith(project, external.recipe, {
              name: external.runName,
              datasetId: external.data?.datasetId ?? null,
              specName: spec?.name ?? null,
              external,
              spec,
            });
          })()
        : startPolicy(store, runtime.manager, project, values, device, specName, spec, io);
      if (job === null) return 1;
      return await follow(runtime.manager, project, store, job.id, write !== null, io);
    } catch (err) {
      if (err instanceof UsageError) throw err;
      io.stderr(`${err instanceof Error ? err.message : String(err)}\n`);
      return 1;
    } finally {
      store.close();
    }
  },
};
type Values = Record<string, string | boolean | undefined>;
type Project = { db: ProjectStore['db']; path: string; cacheDir: string };
type Manager = ReturnType<typeof createJobManager>['manager'];

/** Queues the built-in cor-policy job; null (with the reason printed) when the dataset is unknown. */
function startPolicy(store: ProjectStore, manager: Manager, project: Project, values: Values, device: string | undefined, specName: string, spec: unknown, io: CliIo): JobInfo | null {
  const dataset = values.dataset as string;
  const byId = /^\d+$/.test(dataset) ? Number(dataset) : null;
  const datasetId = (
    byId !== null ? store.db.prepare('SELECT id FROM datasets WHERE id = ?').pluck().get(byId) : store.db.prepare('SELECT id FROM datasets WHERE name = ?').pluck().get(dataset)
  ) as number | undefined;
  if (datasetId === undefined) {
    io.stderr(`no dataset "${dataset}" in ${store.path}\n`);
    return null;
  }
  manager.recover(project);
  const config: Record<string, unknown> = {};
  const put = (key: string, v: number | string | undefined): void => {
    if (v !== undefined) config[key] = v;
  };
  const str = (k: string): string | undefined => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  put('sftSteps', intOption(str('sft-steps'), 'sft-steps'));
  put('grpoSteps', intOption(str('grpo-steps'), 'grpo-steps'));
  put('numGenerations', intOption(str('generations'), 'generations'));
  put('temperature', numOption(str('temperature'), 'temperature'));
  put('beta', numOption(str('beta'), 'beta'));
  put('epsilon', numOption(str('epsilon'), 'epsilon'));
  put('lr', numOption(str('lr'), 'lr'));
  put('device', device);
  const samples = intOption(str('samples'), 'samples');
  const encoder = str('encoder');
  return manager.start(project, {
    recipe: 'cor-policy',
    datasetId,
    spec,
    specName,
    config,
    ...(encoder ? { encoder } : {}),
    ...(samples !== undefined ? { rolloutSamples: samples } : {}),
  });
}

/** Waits for the job (Ctrl-C cancels it), prints its outcome, returns the exit code. */
async function follow(manager: Manager, project: Project, store: ProjectStore, jobId: number, json: boolean, io: CliIo): Promise<number> {
  const onSignal = (): void => {
    io.stderr('cancelling (SIGTERM to the trainer)…\n');
    manager.cancel(project, jobId);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const done = await manager.waitFor(project.path, jobId);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  const ok = done.status === 'done';
  if (json) {
    io.stdout(`${JSON.stringify({ event: 'done', jobId, status: ok ? 'ok' : 'failed', message: done.message ?? done.status })}\n`);
    return ok ? 0 : 1;
  }
  const last = new Map<string, number | null>();
  for (const m of new JobStore(store.db).metrics(jobId)) last.set(m.name, m.value);
  io.stdout(`job ${done.id} ${done.status} on ${done.device ?? '?'}: ${done.message ?? ''}\n`);
  if (last.size > 0) io.stdout(`last metrics: ${[...last].map(([k, v]) => `${k}=${v === null ? 'null' : Number(v.toFixed(4))}`).join(' ')}\n`);
  return ok ? 0 : 1;
}
