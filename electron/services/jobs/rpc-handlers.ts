/**
 * The jobs group of the RPC contract. workbench.ts spreads this object into the one
 * handler table; the manager lives as long as the workbench, so jobs outlive a reload
 * of the UI (the renderer lists them again and follows `job` events).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { RpcEvent } from '../../../shared/rpc/contract.js';
import type { jobsMethods } from '../../../shared/rpc/jobs-methods.js';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import { embedImages } from '../embeddings/embed-images.js';
import { loadGeoLookup, type GeoLookup } from '../completions/geo-lookup.js';
import type { ProjectService } from '../project/project-service.js';
import type { Handlers } from '../rpc/dispatcher.js';
import { readsOf } from '../rpc/reads.js';
import { EnvironmentProbe, TrainingSettings } from './environment.js';
import { JobManager, jobDirOf, type ProjectRef } from './job-manager.js';
import { JobStore } from './job-store.js';
import { predictRuns, readPolicyMeta } from './policy-runner.js';
import { ProvenanceStore } from './provenance.js';
import { compareRuns, importedFrom, runsTable } from './run-records.js';

export interface JobsOptions {
  resourcesDir: string;
  userDataDir: string;
  emit: (event: RpcEvent) => void;
  log?: (message: string) => void;
  /** Tests: swap the trainer script, the grace period, the gazetteer. */
  trainerScript?: (recipe: string) => string;
  graceMs?: number;
  geo?: () => GeoLookup | null;
}

export type JobsHandlers = Pick<Handlers, keyof typeof jobsMethods>;

/** Reads the tail of a text file without loading all of it. */
export function tailLines(file: string, n: number): string[] {
  if (!fs.existsSync(file)) return [];
  const size = fs.statSync(file).size;
  const want = Math.min(size, Math.max(64 * 1024, n * 400));
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(want);
    fs.readSync(fd, buf, 0, want, size - want);
    const lines = buf.toString('utf8').split('\n');
    if (want < size) lines.shift(); // a partial first line
    if (lines.at(-1) === '') lines.pop();
    return lines.slice(-n);
  } finally {
    fs.closeSync(fd);
  }
}

export interface JobsRuntime {
  manager: JobManager;
  settings: TrainingSettings;
  geo: () => GeoLookup | null;
}

export function createJobManager(options: JobsOptions): JobsRuntime {
  const settings = new TrainingSettings(options.userDataDir);
  let cached: GeoLookup | null | undefined;
  const geo = (): GeoLookup | null => {
    if (options.geo) return options.geo();
    if (cached === undefined) {
      try {
        cached = loadGeoLookup(options.resourcesDir);
      } catch (err) {
        options.log?.(`jobs: gazetteer checks off: ${err instanceof Error ? err.message : String(err)}`);
        cached = null;
      }
    }
    return cached;
  };
  const manager = new JobManager({
    resourcesDir: options.resourcesDir,
    encoderDirs: [path.join(options.resourcesDir, 'models'), path.join(options.userDataDir, 'models')],
    emit: options.emit,
    python: () => settings.python,
    ...(options.trainerScript ? { trainerScript: options.trainerScript } : {}),
    ...(options.graceMs !== undefined ? { graceMs: options.graceMs } : {}),
    geo,
    ...(options.log ? { log: options.log } : {}),
  });
  return { manager, settings, geo };
}

export function jobsHandlers(projects: ProjectService, options: JobsOptions, made = createJobManager(options)): JobsHandlers {
  const { manager, settings } = made;
  const probe = new EnvironmentProbe(settings);
  const project = (): ProjectRef => {
    const store = projects.requireStore();
    return { db: store.db, path: store.path, cacheDir: store.cacheDir };
  };
  // At start (and whenever a project opens), jobs a closed app left queued or running
  // are marked failed, so the history never shows a run that nobody runs.
  projects.onChange((opened) => {
    if (opened === null) return;
    try {
      manager.recover(project());
    } catch (err) {
      options.log?.(`jobs: cannot check the jobs of ${opened}: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  const reads = readsOf(projects);
  const store = (): JobStore => {
    const p = project();
    manager.recover(p);
    return new JobStore(p.db);
  };

  return {
    'jobs.environment': () => probe.get(),
    'jobs.setPython': ({ path: p }) => {
      settings.python = p.trim();
      probe.forget();
      return probe.get();
    },
    'jobs.encoders': () =>
      manager.encoders().map((e) => ({ name: e.name, description: e.description, path: e.modelPath, inputSize: e.inputSize, resize: e.resize, dims: e.dims })),
    'jobs.start': (params) => {
      const p = project();
      manager.recover(p);
      return manager.start(p, params);
    },
    'jobs.list': () => store().list(),
    'jobs.get': ({ id }) => store().detail(id),
    'jobs.metrics': ({ id, afterStep }) => {
      const s = store();
      s.get(id);
      return s.metrics(id, afterStep ?? -1);
    },
    'jobs.log': ({ id, lines }) => {
      const d = store().detail(id);
      return { path: d.logPath, lines: d.logPath ? tailLines(d.logPath, lines) : [] };
    },
    'jobs.cancel': ({ id }) => ({ cancelled: manager.cancel(project(), id) }),
    'jobs.resume': ({ id }) => {
      const p = project();
      manager.recover(p);
      return manager.resume(p, id);
    },
    'jobs.delete': ({ id, importedRecord }) => ({ deleted: manager.delete(project(), id, importedRecord === true) }),
    'jobs.provenance': ({ id }) => {
      const s = store();
      s.get(id);
      return { provenance: new ProvenanceStore(s.db).get(id), imported: importedFrom(s.db, id) };
    },
    'jobs.manifest': (p, task) => {
      store().get(p.id);
      // Millions of rows to decompress and parse: a read-pool thread, which keeps the last job's manifest for the next pages.
      return reads.run('jobs.manifest', p, task, { supersede: null, sticky: true });
    },
    'jobs.runs': () => runsTable(store().db),
    'jobs.compare': ({ ids }) => compareRuns(store().db, ids),
    // A record's manifest holds millions of rows at MP16's scale: read, parsed and
    // checked (export) or checked, compressed and written (import) on a read-pool thread.
    'jobs.export': ({ id }, task) => reads.run('jobs.export', { id, projectPath: project().path }, task, { supersede: null }),
    'jobs.import': (p, task) => reads.run('jobs.import', p, task, { supersede: null }),
    'jobs.rerun': ({ id }) => {
      const p = project();
      manager.recover(p);
      return manager.rerun(p, id);
    },
    'jobs.predict': async ({ id, datasetId, samples, temperature }, task) => {
      const p = project();
      const job = new JobStore(p.db).get(id);
      if (job.imported) throw new RpcError(ErrorCode.BadInput, `job ${id} is an imported run record: its policy stayed where it was trained`);
      const jobDir = jobDirOf(p.cacheDir, id);
      const meta = readPolicyMeta(jobDir);
      const target = datasetId ?? job.datasetId;
      if (target === null) throw new RpcError(ErrorCode.BadInput, 'name the dataset to predict on');
      const encoder = manager.encoders().find((e) => e.name === meta.encoder?.name);
      if (!encoder) throw new RpcError(ErrorCode.NotFound, `the policy was trained on embeddings of "${meta.encoder?.name ?? '?'}", which is not installed`);
      const ids = p.db.prepare('SELECT id FROM images WHERE dataset_id = ? AND photo = 1 ORDER BY id').pluck().all(target) as number[];
      if (ids.length === 0) throw new RpcError(ErrorCode.BadInput, 'the dataset has no photo present on this machine');
      const started = performance.now();
      const embedded = await embedImages(p.db, p.cacheDir, encoder, ids, task);
      if (embedded.key !== meta.encoder?.key) throw new RpcError(ErrorCode.BadInput, `the encoder "${encoder.name}" changed since the policy was trained`);
      const r = await predictRuns(
        p.db,
        p.cacheDir,
        jobDir,
        { jobId: id, jobName: job.name, datasetId: target, imageIds: ids, samples, temperature: temperature ?? meta.temperature, geo: made.geo(), label: 'all photos' },
        task,
      );
      // Photos without an embedding (file missing or unreadable) are counted once, by predictRuns.
      return { ...r, durationMs: Math.round(performance.now() - started) };
    },
  };
}
