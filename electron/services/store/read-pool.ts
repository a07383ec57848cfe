/**
 * A small pool of worker threads, each with its own read-only connection to the open
 * project, for reads that can take seconds over millions of rows. The main thread
 * only routes: `run(name, params, options)` queues the named query function of the
 * pool's query module and resolves with its result.
 *
 * Cancel (the task's signal) and supersede (a newer call with the same key) answer
 * the caller at once (ErrorCode.Cancelled / ErrorCode.Superseded). The query sees it at its next `throwIfCancelled`; one that does
 * not stop within a short grace is ended with its thread, and a fresh thread takes
 * the slot. A `sticky` query (one that keeps a cache on its connection) always runs
 * on the same thread and is left to finish, so its cache is not thrown away.
 */
import type { Worker } from 'node:worker_threads';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import { startModuleWorker } from '../module-worker.js';
import { markChecked } from './checked-results.js';
import type { TaskContext } from '../rpc/task-context.js';
import { SerializedResult, type FromWorker, type ParamsOfQuery, type ReadQueries, type ResultOfQuery, type ToWorker, type WorkerInput } from './read-protocol.js';

export interface ReadPoolOptions {
  /** Threads (and read connections); default 2. */
  size?: number;
  /** How long a cancelled query may run on before its thread is ended (ms). */
  cancelGraceMs?: number;
}

export interface RunOptions {
  /** Progress goes here; its signal cancels. */
  task?: TaskContext;
  /** A newer call with the same key cancels this one (e.g. client + method). */
  supersede?: string | null;
  /** Always the same thread, never ended for a cancel: the query caches on its connection. */
  sticky?: boolean;
}

interface Job {
  id: number;
  name: string;
  params: unknown;
  sticky: boolean;
  supersede: string | null;
  task: TaskContext | undefined;
  resolve(value: unknown): void;
  reject(err: Error): void;
  /** Answered (result, error or cancel): later messages about it are dropped. */
  settled: boolean;
  detach(): void;
}

interface Slot {
  worker: Worker | null;
  flag: Int32Array;
  running: Job | null;
  /** Sticky jobs waiting for this slot. */
  queue: Job[];
  killTimer: NodeJS.Timeout | null;
}

/** Resolves a module beside this file from compiled JS (dist) or from the TypeScript sources (tsx, vitest). */
export function siblingModuleUrl(base: string, stem: string): string {
  const ext = base.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${stem}${ext}`, base).href;
}

export class ReadPool<Q extends ReadQueries> {
  private readonly slots: Slot[];
  private readonly waiting: Job[] = [];
  private readonly byKey = new Map<string, Job>();
  private readonly cancelGraceMs: number;
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly projectPath: string,
    /** URL of the module whose `readQueries` export is `Q`. */
    private readonly queriesUrl: string,
    options: ReadPoolOptions = {},
  ) {
    const size = Math.max(1, options.size ?? 2);
    this.cancelGraceMs = options.cancelGraceMs ?? 50;
    this.slots = Array.from({ length: size }, () => ({
      worker: null,
      flag: new Int32Array(new SharedArrayBuffer(4)),
      running: null,
      queue: [],
      killTimer: null,
    }));
  }

  run<K extends keyof Q & string>(name: K, params: ParamsOfQuery<Q[K]>, options: RunOptions = {}): Promise<ResultOfQuery<Q[K]>> {
    if (this.closed) return Promise.reject(new RpcError(ErrorCode.NoProjectOpen, 'the project was closed'));
    const { task } = options;
    if (task?.signal.aborted) return Promise.reject(new RpcError(ErrorCode.Cancelled, 'cancelled'));
    return new Promise<ResultOfQuery<Q[K]>>((resolve, reject) => {
      const job: Job = {
        id: this.nextId++,
        name,
        params,
        sticky: options.sticky === true,
        supersede: options.supersede ?? null,
        task,
        resolve: resolve as (value: unknown) => void,
        reject,
        settled: false,
        detach: () => undefined,
      };
      if (task) {
        const onAbort = (): void => this.cancel(job, 'cancelled');
        task.signal.addEventListener('abort', onAbort, { once: true });
        job.detach = () => task.signal.removeEventListener('abort', onAbort);
      }
      if (job.supersede !== null) {
        const older = this.byKey.get(job.supersede);
        if (older) this.cancel(older, 'superseded by a newer request', ErrorCode.Superseded);
        this.byKey.set(job.supersede, job);
      }
      if (job.sticky) this.slotFor(name).queue.push(job);
      else this.waiting.push(job);
      this.pump();
    });
  }

  /** Ends every thread; calls still waiting or running are answered with an error. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const pending = [...this.waiting, ...this.slots.flatMap((s) => [...s.queue, ...(s.running ? [s.running] : [])])];
    for (const job of pending) this.settle(job, () => job.reject(new RpcError(ErrorCode.NoProjectOpen, 'the project was closed')));
    this.waiting.length = 0;
    await Promise.all(this.slots.map((slot) => this.endWorker(slot)));
  }

  /** Threads started now (for tests and diagnostics). */
  get threads(): number {
    return this.slots.filter((s) => s.worker !== null).length;
  }

  private slotFor(name: string): Slot {
    let h = 0;
    for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
    return this.slots[h % this.slots.length] as Slot;
  }

  private pump(): void {
    if (this.closed) return;
    for (const slot of this.slots) {
      if (slot.running !== null || slot.killTimer !== null) continue;
      const job = slot.queue.shift() ?? this.takeWaiting();
      if (!job) continue;
      slot.running = job;
      const worker = this.workerOf(slot);
      worker.ref();
      worker.postMessage({ type: 'run', id: job.id, name: job.name, params: job.params } satisfies ToWorker);
    }
  }

  private takeWaiting(): Job | undefined {
    return this.waiting.shift();
  }

  private workerOf(slot: Slot): Worker {
    if (slot.worker) return slot.worker;
    Atomics.store(slot.flag, 0, 0);
    const worker = startModuleWorker(import.meta.url, 'read-worker', { projectPath: this.projectPath, queriesUrl: this.queriesUrl, cancelFlag: slot.flag.buffer as SharedArrayBuffer } satisfies WorkerInput);
    slot.worker = worker;
    worker.on('message', (m: FromWorker) => this.onMessage(slot, m));
    worker.on('error', (err) => this.onExit(slot, worker, err));
    worker.on('exit', (code) => this.onExit(slot, worker, new RpcError(ErrorCode.Internal, `a read worker stopped unexpectedly (exit code ${code})`)));
    return worker;
  }

  private onMessage(slot: Slot, m: FromWorker): void {
    if (m.type === 'failed') {
      const job = slot.running;
      slot.running = null;
      if (job) this.settle(job, () => job.reject(new RpcError(m.code, m.message)));
      this.pump();
      return;
    }
    const job = slot.running;
    if (!job || job.id !== m.id) return;
    if (m.type === 'progress') {
      if (!job.settled) job.task?.progress(m.done, m.total, m.message);
      return;
    }
    slot.running = null;
    slot.worker?.unref();
    if (slot.killTimer) clearTimeout(slot.killTimer);
    slot.killTimer = null;
    if (m.type === 'done') {
      if (m.checked) markChecked(m.result);
      this.settle(job, () => job.resolve(m.result));
    } else if (m.type === 'json') {
      const result = new SerializedResult(m.utf8);
      this.settle(job, () => job.resolve(result));
    }
    else if (m.internal) this.settle(job, () => job.reject(new Error(m.message)));
    else this.settle(job, () => job.reject(new RpcError(m.code, m.message)));
    this.pump();
  }

  private onExit(slot: Slot, worker: Worker, err: Error): void {
    if (slot.worker !== worker) return; // ended on purpose
    slot.worker = null;
    const job = slot.running;
    slot.running = null;
    if (job) this.settle(job, () => job.reject(err));
    this.pump();
  }

  private cancel(job: Job, why: string, code: number = ErrorCode.Cancelled): void {
    if (job.settled) return;
    this.settle(job, () => job.reject(new RpcError(code, why)));
    const queued = this.waiting.indexOf(job);
    if (queued >= 0) {
      this.waiting.splice(queued, 1);
      return;
    }
    for (const slot of this.slots) {
      const at = slot.queue.indexOf(job);
      if (at >= 0) {
        slot.queue.splice(at, 1);
        return;
      }
      if (slot.running !== job) continue;
      Atomics.store(slot.flag, 0, job.id);
      // A sticky query finishes (its cache is worth keeping); others get a grace, then their thread ends.
      if (!job.sticky) {
        slot.killTimer = setTimeout(() => {
          slot.killTimer = null;
          if (slot.running === job) {
            slot.running = null;
            void this.endWorker(slot);
          }
          this.pump();
        }, this.cancelGraceMs);
      }
      return;
    }
  }

  private settle(job: Job, answer: () => void): void {
    if (job.settled) return;
    job.settled = true;
    job.detach();
    if (job.supersede !== null && this.byKey.get(job.supersede) === job) this.byKey.delete(job.supersede);
    answer();
  }

  private async endWorker(slot: Slot): Promise<void> {
    if (slot.killTimer) clearTimeout(slot.killTimer);
    slot.killTimer = null;
    const worker = slot.worker;
    slot.worker = null;
    if (worker) await worker.terminate();
  }
}
