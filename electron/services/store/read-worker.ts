/**
 * One thread of the read pool: a read-only better-sqlite3 connection to the project
 * (WAL lets it read beside the writer) running one query at a time. A query polls
 * for cancel through `throwIfCancelled`, which reads a flag shared with the main
 * thread: a message could not reach it while it runs synchronously.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import type { TaskContext } from '../rpc/task-context.js';
import { BUSY_MESSAGE, isBusy } from './write-queue.js';
import { CheckedResult, SerializedResult, type FromWorker, type ReadContext, type ReadQueries, type ToWorker, type WorkerInput } from './read-protocol.js';

const port = parentPort;
if (port === null) throw new Error('read-worker.ts runs as a worker thread only');
const input = workerData as WorkerInput;
const cancelFlag = new Int32Array(input.cancelFlag);
const post = (m: FromWorker): void => port.postMessage(m, m.type === 'json' ? [m.utf8.buffer as ArrayBuffer] : []);

let db: Database.Database;
let queries: ReadQueries;
try {
  db = new Database(input.projectPath, { readonly: true, fileMustExist: true });
  // Off the main thread a short wait is harmless (a WAL reader only waits while a
  // crashed writer's index is rebuilt).
  db.pragma('busy_timeout = 2000');
  queries = ((await import(input.queriesUrl)) as { readQueries: ReadQueries }).readQueries;
} catch (err) {
  post({ type: 'failed', code: ErrorCode.Internal, message: `the read worker could not start: ${err instanceof Error ? err.message : String(err)}` });
  port.close();
  throw err;
}

const memos = new Map<string, { value: unknown; dropOnWrite: boolean }>();
let dataVersion = -1;
const dataVersionOf = db.prepare('PRAGMA data_version').pluck();

/** Forgets cached values that a commit (by any connection) may have made stale. */
function dropStale(): void {
  const version = dataVersionOf.get() as number;
  if (version === dataVersion) return;
  dataVersion = version;
  for (const [key, entry] of memos) if (entry.dropOnWrite) memos.delete(key);
}

function contextFor(id: number): ReadContext {
  const controller = new AbortController();
  const task: TaskContext = {
    taskId: null,
    signal: controller.signal,
    progress: (done, total, message) => post({ type: 'progress', id, done, total, message }),
    throwIfCancelled() {
      if (Atomics.load(cancelFlag, 0) === id) {
        controller.abort();
        throw new RpcError(ErrorCode.Cancelled, 'cancelled');
      }
    },
  };
  return {
    task,
    memo<T>(key: string, make: () => T, options?: { dropOnWrite?: boolean }): T {
      const found = memos.get(key);
      if (found) return found.value as T;
      const value = make();
      memos.set(key, { value, dropOnWrite: options?.dropOnWrite === true });
      return value;
    },
  };
}

async function run(job: ToWorker): Promise<void> {
  const query = Object.prototype.hasOwnProperty.call(queries, job.name) ? queries[job.name] : undefined;
  try {
    if (!query) throw new RpcError(ErrorCode.Internal, `no read query named ${JSON.stringify(job.name)}`);
    dropStale();
    const result = await query(db, job.params as never, contextFor(job.id));
    if (result instanceof SerializedResult) post({ type: 'json', id: job.id, utf8: result.utf8 });
    else if (result instanceof CheckedResult) post({ type: 'done', id: job.id, result: result.value, checked: true });
    else post({ type: 'done', id: job.id, result, checked: false });
  } catch (err) {
    if (err instanceof RpcError) post({ type: 'error', id: job.id, code: err.code, message: err.message, internal: false });
    // A query that writes (through its own connection) and still found the lock held.
    else if (isBusy(err)) post({ type: 'error', id: job.id, code: ErrorCode.Busy, message: BUSY_MESSAGE, internal: false });
    else post({ type: 'error', id: job.id, code: ErrorCode.Internal, message: err instanceof Error ? (err.stack ?? err.message) : String(err), internal: true });
  }
}

// One job at a time, in arrival order: the pool sends a worker its next job only
// after the last one answered, but an await inside a query must not let another in.
let chain = Promise.resolve();
port.on('message', (job: ToWorker) => {
  chain = chain.then(() => run(job));
});
