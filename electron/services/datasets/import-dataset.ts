/**
 * `importDataset`: the entry point hosts call. It runs the whole import in a worker
 * thread (import-worker.ts) so millions of rows never block the main process, relays
 * the worker's progress to the task, and turns a task cancel into a cancel message
 * (then, if the worker does not stop in time, a terminate: the connection dies with
 * its transaction uncommitted, which SQLite rolls back).
 */
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import { unpackedPath } from '../app-paths.js';
import type { TaskContext } from '../rpc/task-context.js';
import { ImportError } from './problems.js';
import type { ControlMessage, ImportOptions, ImportResult, WorkerInput, WorkerMessage } from './types.js';

/** How long a cancelled worker may take to roll back before it is terminated. */
const CANCEL_GRACE_MS = 5000;

/**
 * From compiled JS the worker is the .js beside this file. From TypeScript sources
 * (vitest, tsx) it is the .ts file: Node 20 ignores `--import tsx` in a worker's
 * execArgv, so a two-line bootstrap registers tsx's loader inside the worker first.
 */
function startWorker(input: WorkerInput): Worker {
  if (import.meta.url.endsWith('.ts')) {
    const tsxPackage = pathToFileURL(createRequire(import.meta.url).resolve('tsx/package.json'));
    const api = new URL('dist/esm/api/index.mjs', tsxPackage).href;
    const entry = new URL('./import-worker.ts', import.meta.url).href;
    const boot = `import { register } from ${JSON.stringify(api)}; register(); await import(${JSON.stringify(entry)});`;
    return new Worker(boot, { eval: true, workerData: input, execArgv: [] });
  }
  // execArgv: [] so the parent's flags (e.g. --input-type, --inspect) do not break the worker.
  // A packaged app runs the worker from its unpacked copy (see electron-builder.yml).
  const entry = pathToFileURL(unpackedPath(fileURLToPath(new URL('./import-worker.js', import.meta.url))));
  return new Worker(entry, { workerData: input, execArgv: [] });
}

export function importDataset(projectPath: string, options: ImportOptions, task: TaskContext): Promise<ImportResult> {
  if (task.signal.aborted) return Promise.reject(new RpcError(ErrorCode.Cancelled, 'import cancelled before it started'));
  return new Promise<ImportResult>((resolve, reject) => {
    const worker = startWorker({ projectPath, options });
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
