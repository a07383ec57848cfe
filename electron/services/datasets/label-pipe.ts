/**
 * Where an import's gazetteer labels are made. `workerLabels` labels in a thread of its
 * own (label-worker.ts), so on a machine with two cores labelling runs beside parsing
 * and writing instead of between them; `inThreadLabels` labels on the caller's thread
 * (small imports, and the benchmark's baseline). Both answer batches in the order
 * they were asked for.
 */
import type { Worker } from 'node:worker_threads';
import { LabelEncoder, type LabelBatch, type PointLabeler } from './label-batch.js';
import { startModuleWorker } from '../module-worker.js';

export interface LabelPipe {
  /** Labels `n` points (lat, lon pairs; a NaN latitude: no coordinates). Takes the buffer. */
  label(points: Float64Array, n: number): Promise<LabelBatch>;
  /** Ends the pipe (stops its thread); pending batches are rejected. */
  close(): Promise<void>;
  /** Time spent labelling so far (ms), wherever it ran. */
  busyMs(): number;
  /** CPU time of the labelling thread so far (ms); null when it is the caller's thread, or not known. */
  threadCpuMs(): number | null;
}

/** Worker → pipe. `cpuMs`: the labelling thread's CPU time so far. */
export type LabelWorkerReply = { seq: number; batch: LabelBatch; ms: number; cpuMs: number | null } | { seq: number; error: string };

/** Pipe → worker. */
export interface LabelWorkerRequest {
  seq: number;
  points: Float64Array;
  n: number;
}

export function inThreadLabels(labeler: PointLabeler): LabelPipe {
  const encoder = new LabelEncoder(labeler);
  let busy = 0;
  return {
    label(points, n) {
      const started = performance.now();
      const batch = encoder.encode(points, n);
      busy += performance.now() - started;
      return Promise.resolve(batch);
    },
    close: () => Promise.resolve(),
    busyMs: () => busy,
    threadCpuMs: () => null,
  };
}

export function workerLabels(resourcesDir: string): LabelPipe {
  const worker: Worker = startModuleWorker(import.meta.url, 'label-worker', { resourcesDir });
  const pending = new Map<number, { resolve: (b: LabelBatch) => void; reject: (e: Error) => void }>();
  let nextSeq = 0;
  let failure: Error | null = null;
  let busy = 0;
  let cpu: number | null = null;
  const failAll = (err: Error): void => {
    failure ??= err;
    for (const p of pending.values()) p.reject(failure);
    pending.clear();
  };
  worker.on('message', (m: LabelWorkerReply) => {
    const waiter = pending.get(m.seq);
    if (waiter === undefined) return;
    pending.delete(m.seq);
    if ('error' in m) {
      waiter.reject(new Error(`labelling failed: ${m.error}`));
      return;
    }
    busy += m.ms;
    cpu = m.cpuMs;
    waiter.resolve(m.batch);
  });
  worker.on('error', (err) => failAll(err));
  worker.on('exit', (code) => failAll(new Error(`the labelling thread stopped (exit code ${code})`)));
  return {
    label(points, n) {
      if (failure !== null) return Promise.reject(failure);
      const seq = nextSeq++;
      return new Promise<LabelBatch>((resolve, reject) => {
        pending.set(seq, { resolve, reject });
        worker.postMessage({ seq, points, n } satisfies LabelWorkerRequest, [points.buffer as ArrayBuffer]);
      });
    },
    async close() {
      failure ??= new Error('the labelling thread was closed');
      await worker.terminate();
    },
    busyMs: () => busy,
    threadCpuMs: () => cpu,
  };
}
