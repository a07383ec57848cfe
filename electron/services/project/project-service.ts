/**
 * Holds the open project and answers questions about it. One project is open at a
 * time per main process; opening another closes the first.
 */
import fs from 'node:fs';
import type { CheckReport, ProjectSummary } from '../../../shared/rpc/project-methods.js';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import { presetNames } from '../../../shared/reward/presets.js';
import { appVersion } from '../app-paths.js';
import { ImageQueries } from '../browse/image-queries.js';
import type { TaskContext } from '../rpc/task-context.js';
import { RecentProjects } from '../settings/recent-projects.js';
import { normaliseProjectPath } from '../store/project-file.js';
import { ProjectStore } from '../store/project-store.js';

/** Tables counted in the summary, by the name the summary gives them. */
const countedTables = {
  datasets: 'datasets',
  images: 'images',
  labels: 'cor_labels',
  reviews: 'label_reviews',
  runs: 'runs',
  completions: 'completions',
  /** Saved specs here; the summary adds the shipped presets. */
  rewardSpecs: 'reward_presets',
  jobs: 'jobs',
} as const;

export class ProjectService {
  private store: ProjectStore | null = null;
  private imageQueries: ImageQueries | null = null;
  private readonly listeners = new Set<(path: string | null) => void>();
  readonly recent: RecentProjects;

  constructor(userDataDir: string) {
    this.recent = new RecentProjects(userDataDir);
  }

  /** Called whenever the open project changes (hosts re-emit it as an event). */
  onChange(listener: (path: string | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  create(inputPath: string): ProjectSummary {
    return this.replace(ProjectStore.create(normaliseProjectPath(inputPath)));
  }

  open(inputPath: string): ProjectSummary {
    return this.replace(ProjectStore.open(inputPath));
  }

  /** Opens the file when it exists, else creates it. */
  openOrCreate(inputPath: string): ProjectSummary {
    const target = normaliseProjectPath(inputPath);
    return fs.existsSync(target) ? this.open(target) : this.create(target);
  }

  close(): boolean {
    if (!this.store) return false;
    this.store.close();
    this.store = null;
    this.imageQueries = null;
    this.emit(null);
    return true;
  }

  current(): ProjectSummary | null {
    return this.store ? summarise(this.store) : null;
  }

  /** The open store, or a clear error for methods that need one. */
  requireStore(): ProjectStore {
    if (!this.store) throw new RpcError(ErrorCode.NoProjectOpen, 'no project is open: create or open one first');
    return this.store;
  }

  /** The browser's queries over the open project (their caches live as long as it stays open). */
  queries(): ImageQueries {
    const store = this.requireStore();
    this.imageQueries ??= new ImageQueries(store.db);
    return this.imageQueries;
  }

  /** PRAGMA integrity_check, then a row count per table, with progress and cancel between steps. */
  check(task: TaskContext): CheckReport {
    const store = this.requireStore();
    const tables = (
      store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]
    ).map((r) => r.name);
    const total = tables.length + 1;
    task.progress(0, total, 'integrity check');
    const integrity = (store.db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
    const counts: CheckReport['tables'] = [];
    tables.forEach((table, index) => {
      task.throwIfCancelled();
      task.progress(index + 1, total, `counting ${table}`);
      const row = store.db.prepare(`SELECT COUNT(*) AS n FROM "${table.replaceAll('"', '""')}"`).get() as { n: number };
      counts.push({ table, rows: row.n });
    });
    task.progress(total, total, 'done');
    return { ok: integrity.length === 1 && integrity[0] === 'ok', integrity, tables: counts };
  }

  private replace(next: ProjectStore): ProjectSummary {
    this.store?.close();
    this.store = next;
    this.imageQueries = null;
    this.recent.touch(next.path);
    this.emit(next.path);
    return summarise(next);
  }

  private emit(path: string | null): void {
    for (const listener of this.listeners) listener(path);
  }
}

function summarise(store: ProjectStore): ProjectSummary {
  const count = (table: string): number =>
    (store.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  const counts = Object.fromEntries(
    Object.entries(countedTables).map(([key, table]) => [key, count(table)]),
  ) as Omit<ProjectSummary['counts'], 'rewardPresets'>;
  // The shipped presets are reward specs of every project too (the Reward Lab and Train list them first).
  counts.rewardSpecs += presetNames.length;
  const datasets = store.db
    .prepare(
      `SELECT d.id, d.name, d.format, d.created_at AS createdAt,
              (SELECT COUNT(*) FROM images i WHERE i.dataset_id = d.id) AS images
         FROM datasets d ORDER BY d.id`,
    )
    .all() as ProjectSummary['datasets'];
  let sizeBytes = 0;
  for (const suffix of ['', '-wal']) {
    try {
      sizeBytes += fs.statSync(store.path + suffix).size;
    } catch {
      // the WAL file may not exist
    }
  }
  return {
    path: store.path,
    name: store.name,
    cacheDir: store.cacheDir,
    schemaVersion: store.schemaVersion,
    appVersion,
    createdAt: store.meta('created_at') ?? '',
    createdBy: store.meta('created_by') ?? '',
    sizeBytes,
    counts: { ...counts, rewardPresets: presetNames.length },
    datasets,
  };
}
