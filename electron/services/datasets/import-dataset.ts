/**
 * `importDataset`: the entry point hosts call. It runs the whole import in a worker
 * thread (import-worker.ts) so millions of rows never block the main process, relays
 * the worker's progress to the task, and turns a task cancel into a cancel message
 * (then, if the worker does not stop in time, a terminate: the connection dies with
 * its transaction uncommitted, which SQLite rolls back).
 */
import type { Worker } from 'node:worker_threads';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import type { TaskContext } from '../rpc/task-context.js';
import { ImportError } from './problems.js';
import { startModuleWorker } from '../module-worker.js';
import type { ControlMessage, ImportOptions, ImportResult, WorkerInput, WorkerMessage } from './types.js';

/** How long a cancelled worker may take to roll back before it is terminated. */
const CANCEL_GRACE_MS = 5000;

function startWorker(input: WorkerInput): Worker {
  return startModuleWorker(import.meta.url, 'import-worker', input);
}

/** How an import runs, beyond what it imports (the benchmark compares these). */
export interface ImportTuning {
  /** Label on the import's own thread instead of a labelling thread beside it. */
  labelInThread?: boolean;
  /** Drop the indexes for the load and build them after (true) or keep them (false), whatever the size. */
  deferIndexes?: boolean;
  /** Build the indexes with the import's whole page cache as one sorter run (faster only for small imports). */
  oneSortRun?: boolean;
}

export function importDataset(projectPath: string, options: ImportOptions, task: TaskContext, tuning: ImportTuning = {}): Promise<ImportResult> {
  if (task.signal.aborted) return Promise.reject(new RpcError(ErrorCode.Cancelled, 'import cancelled before it started'));
  return new Promise<ImportResult>((resolve, reject) => {
    const worker = startWorker({
      projectPath,
      options,
      ...(tuning.labelInThread ? { labelInThread: true } : {}),
      ...(tuning.deferIndexes === undefined ? {} : { deferIndexes: tuning.deferIndexes }),
      ...(tuning.oneSortRun ? { oneSortRun: true } : {}),
    });
    let settled = false;
    let killTimer: NodeJS.Timeout | null = null;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      task.signal.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      fn();
      // The worker has closed its connection before its last message; this only ends the thread.
      void worker.terminate();
    };
    const onAbort = (): void => {
      worker.postMessage({ type: 'cancel' } satisfies ControlMessage);
      killTimer = setTimeout(() => {
        finish(() => reject(new RpcError(ErrorCode.Cancelled, 'import cancelled; the project is unchanged')));
      }, CANCEL_GRACE_MS);
    };
    task.signal.addEventListener('abort', onAbort, { once: true });

    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') task.progress(m.done, m.total, m.message);
      else if (m.type === 'done') finish(() => resolve(m.result));
      else finish(() => reject(m.problems ? new ImportError(m.problems, undefined, m.message) : new RpcError(m.code, m.message)));
    });
    worker.on('error', (err) => finish(() => reject(err)));
    worker.on('exit', (code) => {
      finish(() => reject(new RpcError(ErrorCode.Internal, `the import worker stopped unexpectedly (exit code ${code})`)));
    });
  });
}
