/**
 * What the Home view says about the open project, and its check. The row counts and
 * the integrity check read whole tables (hundreds of milliseconds to minutes at 4.7M
 * photos), so the RPC handlers run them in the read pool; `summaryOf` adds what the
 * main thread knows at once (path, names, meta, file size).
 */
import fs from 'node:fs';
import type Database from 'better-sqlite3';
import { presetNames } from '../../../shared/reward/presets.js';
import type { CheckReport, ProjectSummary } from '../../../shared/rpc/project-methods.js';
import { appVersion } from '../app-paths.js';
import type { TaskContext } from '../rpc/task-context.js';
import type { ProjectStore } from '../store/project-store.js';

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

export type ProjectCounts = Pick<ProjectSummary, 'counts' | 'datasets'>;

export function projectCounts(db: Database.Database): ProjectCounts {
  const count = (table: string): number => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  const counts = Object.fromEntries(Object.entries(countedTables).map(([key, table]) => [key, count(table)])) as Omit<
    ProjectSummary['counts'],
    'rewardPresets'
  >;
  // The shipped presets are reward specs of every project too (the Reward Lab and Train list them first).
  counts.rewardSpecs += presetNames.length;
  const datasets = db
    .prepare(
      `SELECT d.id, d.name, d.format, d.created_at AS createdAt,
              (SELECT COUNT(*) FROM images i WHERE i.dataset_id = d.id) AS images
         FROM datasets d ORDER BY d.id`,
    )
    .all() as ProjectSummary['datasets'];
  return { counts: { ...counts, rewardPresets: presetNames.length }, datasets };
}

export function summaryOf(store: ProjectStore, counted: ProjectCounts): ProjectSummary {
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
    ...counted,
  };
}

/** PRAGMA integrity_check, then a row count per table, with progress and cancel between steps. */
export function checkProject(db: Database.Database, task: TaskContext): CheckReport {
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map(
    (r) => r.name,
  );
  const total = tables.length + 1;
  task.progress(0, total, 'integrity check');
  const integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
  const counts: CheckReport['tables'] = [];
  tables.forEach((table, index) => {
    task.throwIfCancelled();
    task.progress(index + 1, total, `counting ${table}`);
    const row = db.prepare(`SELECT COUNT(*) AS n FROM "${table.replaceAll('"', '""')}"`).get() as { n: number };
    counts.push({ table, rows: row.n });
  });
  task.progress(total, total, 'done');
  return { ok: integrity.length === 1 && integrity[0] === 'ok', integrity, tables: counts };
}
