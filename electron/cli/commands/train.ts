/**
 * `georeason train --project <file> --recipe cor-policy --dataset <id|name> [--spec <preset|file>]
 * [--sft-steps N] [--grpo-steps N] ...`: runs one training job without a window, streams its
 * events (progress, metrics, log lines) and exits with the job's status (0 done, 1 failed
 * or cancelled). Ctrl-C cancels the job (SIGTERM to the trainer; resume later in the app).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { RpcEvent } from '../../../shared/rpc/contract.js';
import { getPreset, presetNames } from '../../../shared/reward/presets.js';
import { defaultUserDataDir, resourcesDir } from '../../services/app-paths.js';
import { createJobManager } from '../../services/jobs/rpc-handlers.js';
import { JobStore } from '../../services/jobs/job-store.js';
import { ProjectStore } from '../../services/store/project-store.js';
import { UsageError, type CliCommand } from '../command.js';

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

export const trainCommand: CliCommand = {
  name: 'train',
  summary: 'run a local training job (cor-policy: SFT then GRPO) and stream its events',
  usage: [
    'georeason train --project <file> --dataset <id|name> [--recipe cor-policy] [--spec <preset|file>]',
    '                [--sft-steps N] [--grpo-steps N] [--generations G] [--temperature T] [--beta B]',
    '                [--epsilon E] [--lr LR] [--device auto|cuda|cpu] [--encoder NAME] [--samples G]',
    '                [--python /usr/bin/python3] [--json]',
    '',
    `--spec: a preset (${presetNames.join(', ')}) or a reward spec JSON file; default geo-r-paper.`,
    '--json: print the raw events as JSON lines instead of text.',
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
        json: { type: 'boolean', default: false },
      },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
    if (!values.project) throw new UsageError('--project is required');
    if (!values.dataset) throw new UsageError('--dataset is required');
    if (values.recipe !== 'cor-policy') throw new UsageError(`unknown recipe "${values.recipe}" (built in: cor-policy)`);
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
    const write = values.json ? (e: RpcEvent) => io.stdout(`${JSON.stringify(e)}\n`) : null;
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
      const byId = /^\d+$/.test(values.dataset) ? Number(values.dataset) : null;
      const datasetId = (
        byId !== null
          ? store.db.prepare('SELECT id FROM datasets WHERE id = ?').pluck().get(byId)
          : store.db.prepare('SELECT id FROM datasets WHERE name = ?').pluck().get(values.dataset)
      ) as number | undefined;
      if (datasetId === undefined) {
        io.stderr(`no dataset "${values.dataset}" in ${projectFile}\n`);
        return 1;
      }
      runtime.manager.recover(project);
      const config: Record<string, unknown> = {};
      const put = (key: string, v: number | string | undefined): void => {
        if (v !== undefined) config[key] = v;
      };
      put('sftSteps', intOption(values['sft-steps'], 'sft-steps'));
      put('grpoSteps', intOption(values['grpo-steps'], 'grpo-steps'));
      put('numGenerations', intOption(values.generations, 'generations'));
      put('temperature', numOption(values.temperature, 'temperature'));
      put('beta', numOption(values.beta, 'beta'));
      put('epsilon', numOption(values.epsilon, 'epsilon'));
      put('lr', numOption(values.lr, 'lr'));
      put('device', device);
      const samples = intOption(values.samples, 'samples');
      const job = runtime.manager.start(project, {
        recipe: 'cor-policy',
        datasetId,
        spec,
        specName,
        config,
        ...(values.encoder ? { encoder: values.encoder } : {}),
        ...(samples !== undefined ? { rolloutSamples: samples } : {}),
      });
      const onSignal = (): void => {
        io.stderr('cancelling (SIGTERM to the trainer)…\n');
        runtime.manager.cancel(project, job.id);
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const done = await runtime.manager.waitFor(project.path, job.id);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      const metrics = new JobStore(store.db).metrics(job.id);
      const last = new Map<string, number | null>();
      for (const m of metrics) last.set(m.name, m.value);
      if (!write) {
        io.stdout(`job ${done.id} ${done.status} on ${done.device ?? '?'}: ${done.message ?? ''}\n`);
        if (last.size > 0) io.stdout(`last metrics: ${[...last].map(([k, v]) => `${k}=${v === null ? 'null' : Number(v.toFixed(4))}`).join(' ')}\n`);
      }
      return done.status === 'done' ? 0 : 1;
    } catch (err) {
      io.stderr(`${err instanceof Error ? err.message : String(err)}\n`);
      return 1;
    } finally {
      store.close();
    }
  },
};
