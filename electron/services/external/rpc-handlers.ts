/**
 * The external-trainers group of the RPC contract. Its jobs are the job manager's
 * (one queue, one history, the Train view's charts, log and cancel): this registers
 * the external runner for each recipe with the manager the jobs group uses.
 */
import path from 'node:path';
import type { externalMethods, LaunchPlan } from '../../../shared/rpc/external-methods.js';
import { ExternalSettings } from '../../../shared/rpc/external-methods.js';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import type { JobManager, ProjectRef } from '../jobs/job-manager.js';
import { JobStore } from '../jobs/job-store.js';
import type { ProjectService } from '../project/project-service.js';
import type { Handlers } from '../rpc/dispatcher.js';
import { planContext, specOf, stagingDir } from './context.js';
import { buildPlan, RECIPES } from './recipes/index.js';
import { ExternalRunner, launchSteps, listCheckpointsOn, storedOf, type RunnerOptions } from './runner.js';
import { q } from './shell.js';
import { run, targetOf } from './target.js';
import { detectSwiftVersion } from './swift-version.js';
import { parseTrainerState, readTrainerState } from './trainer-state.js';

export interface ExternalOptions extends RunnerOptions {
  /** The jobs group's manager (external jobs share its queue and history). */
  manager: JobManager;
}

export type ExternalHandlers = Pick<Handlers, keyof typeof externalMethods>;

export function externalHandlers(projects: ProjectService, options: ExternalOptions): ExternalHandlers {
  const runner = new ExternalRunner(options);
  for (const r of RECIPES) options.manager.registerRunner(r.id, runner);
  const project = (): ProjectRef => {
    const store = projects.requireStore();
    return { db: store.db, path: store.path, cacheDir: store.cacheDir };
  };

  const preview = (raw: unknown): LaunchPlan & { specName: string | null } => {
    const p = project();
    const s = ExternalSettings.parse(raw);
    const spec = specOf(p.db, s);
    const plan = buildPlan(s, planContext(p.db, s, p.cacheDir, spec, null));
    const { write: _write, slurm: _slurm, ...shown } = plan;
    return { ...shown, steps: launchSteps(plan, targetOf(s.where), stagingDir(p.cacheDir, s.runName)), specName: spec?.name ?? null };
  };

  /**
   * The preview of ms-swift settings without a version: the version is asked of the run's
   * environment, as a launch would, so the preview shows the command that will run.
   */
  const previewDetecting = async (raw: unknown): Promise<LaunchPlan> => {
    const s = ExternalSettings.parse(raw);
    if (s.recipe !== 'swift-grpo' || s.swiftVersion) return preview(s);
    const target = targetOf(s.where);
    let version: string;
    try {
      version = await detectSwiftVersion(target, s, options.env);
    } catch (err) {
      const plan = preview(s);
      return { ...plan, warnings: [...plan.warnings, `ms-swift version not detected: ${err instanceof Error ? err.message : String(err)}`] };
    }
    const plan = preview({ ...s, swiftVersion: version });
    return { ...plan, targets: `${plan.targets ?? `ms-swift ${version}`}, detected on ${target.label}` };
  };

  const externalJob = (id: number): { store: JobStore; stored: ReturnType<typeof storedOf> } => {
    const store = new JobStore(project().db);
    const info = store.get(id);
    if (!RECIPES.some((r) => r.id === info.recipe)) throw new RpcError(ErrorCode.BadInput, `job ${id} is a ${info.recipe} job, not an external trainer run`);
    return { store, stored: storedOf(store.config(id).params) };
  };

  return {
    'external.recipes': () => RECIPES.map((r) => ({ id: r.id, title: r.title, description: r.description, defaults: r.defaults, needs: r.needs })),
    'external.preview': async ({ settings }) => {
      const { specName: _n, ...plan } = (await previewDetecting(settings)) as LaunchPlan & { specName?: string | null };
      return plan;
    },
    'external.start': ({ settings, specName }) => {
      const p = project();
      const s = ExternalSettings.parse(settings);
      const plan = preview(s); // the same checks as the preview, before anything is queued
      const spec = specOf(p.db, s);
      options.manager.recover(p);
      // Two live runs in one folder would overwrite each other's launch.sh and train.log.
      const store = new JobStore(p.db);
      for (const j of store.unfinished()) {
        const other = store.config(j.id).params.external as { runName?: unknown } | undefined;
        if (other?.runName === s.runName) throw new RpcError(ErrorCode.AlreadyExists, `job #${j.id} (${j.status}) uses the run name "${s.runName}": choose another`);
      }
      return options.manager.startWith(p, s.recipe, {
        name: s.runName,
        datasetId: s.data?.datasetId ?? null,
        specName: specName ?? plan.specName,
        external: s,
        spec,
      });
    },
    'external.settings': ({ id }) => {
      const { stored } = externalJob(id);
      const p = project();
      let plan: LaunchPlan | null;
      try {
        const built = buildPlan(stored.external, planContext(p.db, stored.external, p.cacheDir, stored.spec, null));
        const { write: _w, slurm: _s, ...shown } = built;
        plan = { ...shown, steps: launchSteps(built, targetOf(stored.external.where), stagingDir(p.cacheDir, stored.external.runName)) };
      } catch {
        plan = null; // e.g. the dataset was deleted since: the settings are still worth showing
      }
      return { settings: stored.external, plan };
    },
    'external.detectVersion': async ({ settings }) => {
      const s = ExternalSettings.parse(settings);
      const target = targetOf(s.where);
      try {
        const version = await detectSwiftVersion(target, s, options.env);
        return { trainer: 'ms-swift' as const, version, where: target.label, message: `ms-swift ${version} on ${target.label}` };
      } catch (err) {
        return { trainer: 'ms-swift' as const, version: null, where: target.label, message: err instanceof Error ? err.message : String(err) };
      }
    },
    'external.checkpoints': async ({ id }) => {
      const { store, stored } = externalJob(id);
      const p = project();
      const s = stored.external;
      const target = targetOf(s.where);
      const outputDir = s.outputDir ?? path.posix.join(planContext(p.db, s, p.cacheDir, null, null).workDir, 'output');
      let checkpoints;
      try {
        checkpoints = await listCheckpointsOn(target, outputDir, options.env);
      } catch (err) {
        throw new RpcError(ErrorCode.Internal, err instanceof Error ? err.message : String(err));
      }
      for (const c of checkpoints) store.addArtifact(id, c.vlm ? 'checkpoint-vlm' : 'checkpoint', target.remote ? `${target.label}:${c.path}` : c.path);
      // The last checkpoint's log_history holds every logged step up to it (a lost or partial log is filled in).
      let metricsRead = 0;
      const last = checkpoints.at(-1);
      if (last) {
        try {
          const file = path.posix.join(last.path, 'trainer_state.json');
          const state = target.remote
            ? parseTrainerState(await run(target, `cat ${q(file)}`, 'reading trainer_state.json', { env: options.env }))
            : readTrainerState(file);
          const points = state.points.flatMap((pt) => Object.entries(pt.values).map(([name, value]) => ({ step: pt.step, name, value })));
          store.addMetrics(id, points);
          metricsRead = points.length;
        } catch {
          metricsRead = 0;
        }
      }
      return { outputDir, checkpoints, metricsRead };
    },
  };
}
