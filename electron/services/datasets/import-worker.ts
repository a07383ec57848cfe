/**
 * The import worker thread: its own better-sqlite3 connection to the project file,
 * one transaction for the whole import (run-import.ts). The main thread stays free to
 * serve reads (WAL) and sends `{type: 'cancel'}`, honoured between batches.
 */
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import { resourcesDir } from '../app-paths.js';
import { loadLabeler } from '../geo/labeler.js';
import { inThreadLabels, workerLabels } from './label-pipe.js';
import { ProjectStore } from '../store/project-store.js';
import { ImportError } from './problems.js';
import { runImport } from './run-import.js';
import type { ControlMessage, WorkerInput, WorkerMessage } from './types.js';

const port = parentPort;
if (port === null) throw new Error('import-worker.ts runs as a worker thread only');
const input = workerData as WorkerInput;
let cancelled = false;
port.on('message', (m: ControlMessage) => {
  if (m.type === 'cancel') cancelled = true;
});
const post = (m: WorkerMessage): void => port.postMessage(m);

const busy = `${input.projectPath}: the project is busy (another import or write holds it); try again when it is done`;
let store: ProjectStore | null = null;
try {
  store = ProjectStore.open(input.projectPath);
  // A bigger page cache (512 MB) keeps what is being extended in memory; the default
  // (2 MB) spills pages to the WAL every few thousand rows, and again when re-dirtied.
  // synchronous stays NORMAL (WAL): the commit is as safe as any other project write.
  store.db.pragma('cache_size = -524288');
  // The writer inserts each label right after its photo, with the id it just gave it:
  // the per-row parent lookup buys nothing here. (Set before the transaction begins.)
  store.db.pragma('foreign_keys = OFF');
  // The WAL is folded back into the project file by an explicit checkpoint after
  // COMMIT (timed on its own: about 5 s for 4.7M rows), not by the automatic one
  // inside it. The result is posted only after this connection is closed, so a
  // caller that renames or copies the project (the demo builder does) finds it whole.
  store.db.pragma('wal_autocheckpoint = 0');
  const result = await runImport(store.db, input.options, {
    resourcesDir,
    ...(input.deferIndexes === undefined ? {} : { deferIndexes: input.deferIndexes }),
    ...(input.oneSortRun ? { oneSortRun: true } : {}),
    // A labelling thread pays off only with a second core to run it on.
    openLabels: () =>
      input.labelInThread || os.availableParallelism() < 2 ? inThreadLabels(loadLabeler(resourcesDir)) : workerLabels(resourcesDir),
    progress: (done, total, message) => post({ type: 'progress', done, total, message }),
    checkpoint: () => {
      if (cancelled) throw new RpcError(ErrorCode.Cancelled, 'import cancelled; the project is unchanged');
    },
  });
  post({ type: 'progress', done: result.rows, total: result.rows, message: 'writing the project file' });
  const started = performance.now();
  // PASSIVE: never waits on readers; what it cannot copy now, a later checkpoint does.
  store.db.pragma('wal_checkpoint(PASSIVE)');
  result.phases.checkpointMs = Math.round(performance.now() - started);
  result.durationMs += result.phases.checkpointMs;
  store.close();
  store = null;
  post({ type: 'done', result });
} catch (err) {
  store?.close();
  if (err instanceof ImportError) post({ type: 'error', code: err.code, message: err.message, problems: err.problems });
  else if (err instanceof RpcError) post({ type: 'error', code: err.code, message: err.message });
  else if ((err as { code?: unknown }).code === 'SQLITE_BUSY') post({ type: 'error', code: ErrorCode.Internal, message: busy });
  else post({ type: 'error', code: ErrorCode.Internal, message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
}
port.unref();
