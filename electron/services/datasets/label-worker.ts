/**
 * The labelling thread of an import (label-pipe.ts): loads the gazetteer once, then
 * labels each batch of points it is sent and posts the encoded labels back, in order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadLabeler } from '../geo/labeler.js';
import { LabelEncoder } from './label-batch.js';
import { threadCpuMs } from './thread-cpu.js';
import type { LabelWorkerReply, LabelWorkerRequest } from './label-pipe.js';

const port = parentPort;
if (port === null) throw new Error('label-worker.ts runs as a worker thread only');
const { resourcesDir } = workerData as { resourcesDir: string };
const encoder = new LabelEncoder(loadLabeler(resourcesDir));

port.on('message', (m: LabelWorkerRequest) => {
  let reply: LabelWorkerReply;
  try {
    const started = performance.now();
    const batch = encoder.encode(m.points, m.n);
    reply = { seq: m.seq, batch, ms: performance.now() - started, cpuMs: threadCpuMs() };
  } catch (err) {
    port.postMessage({ seq: m.seq, error: err instanceof Error ? err.message : String(err) } satisfies LabelWorkerReply);
    return;
  }
  const b = reply.batch;
  port.postMessage(reply, [b.place.buffer, b.city.buffer, b.cityKm.buffer, b.borderKm.buffer, b.flags.buffer] as ArrayBuffer[]);
});
