/**
 * Runs a trained cor-policy (policy.onnx + policy.json from the job folder) with
 * onnxruntime-node: the top chain of each photo and G chains sampled at a
 * temperature, written as completions runs in the Geo-R four-level answer format, so
 * the Completions, Reward Lab and Evaluate views read them like any model's output.
 */
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import { EmbeddingCache } from '../embeddings/embedding-cache.js';
import { createSession, ort, type ExecutionProvider } from '../embeddings/onnx-session.js';
import { predictionFromText } from '../completions/checks.js';
import { CompletionWriter } from '../completions/completion-writer.js';
import type { GeoLookup } from '../completions/geo-lookup.js';
import { RunsStore } from '../completions/runs-store.js';
import { TruthReader } from '../completions/truth.js';
import type { TaskContext } from '../rpc/task-context.js';
import { retryWhileBusy } from '../store/write-queue.js';
import type { Hierarchy } from './training-data.js';
import { mulberry32 as seededRandom } from '../../../shared/random.js';

export interface PolicyMeta extends Hierarchy {
  input: string;
  output: string;
  dims: number;
  temperature: number;
  encoder: { name: string; key: string } | null;
}

export function readPolicyMeta(jobDir: string): PolicyMeta {
  const file = path.join(jobDir, 'policy.json');
  if (!fs.existsSync(file) || !fs.existsSync(path.join(jobDir, 'policy.onnx'))) {
    throw new RpcError(ErrorCode.NotFound, 'this job has no exported policy (it did not finish training)');
  }
  return JSON.parse(fs.readFileSync(file, 'utf8')) as PolicyMeta;
}

/** The Geo-R four-level answer for chain (city) k; the same text the trainer scores. */
export function chainText(meta: Hierarchy, k: number): string {
  const city = meta.cities[k]!;
  const region = meta.regions[city.region]!;
  const country = meta.countries[region.country]!;
  return `Country: ${country.name} State: ${region.name} City: ${city.name} Coordinates: (${city.lat.toFixed(5)}, ${city.lon.toFixed(5)})`;
}

export { mulberry32 as seededRandom } from '../../../shared/random.js';

export function argmax(row: Float32Array): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i]! > row[best]!) best = i;
  return best;
}

/** Draws one index from softmax(row / temperature). */
export function sampleChain(row: Float32Array, temperature: number, rand: () => number): number {
  let max = -Infinity;
  for (const v of row) if (v > max) max = v;
  let sum = 0;
  const p = new Float64Array(row.length);
  for (let i = 0; i < row.length; i++) sum += p[i] = Math.exp((row[i]! - max) / temperature);
  let u = rand() * sum;
  for (let i = 0; i < p.length; i++) {
    u -= p[i]!;
    if (u <= 0) return i;
  }
  return p.length - 1;
}

export class PolicySession {
  private constructor(
    readonly meta: PolicyMeta,
    private readonly session: ort.InferenceSession,
    readonly provider: ExecutionProvider,
  ) {}

  static async open(jobDir: string): Promise<PolicySession> {
    const meta = readPolicyMeta(jobDir);
    const s = await createSession(path.join(jobDir, 'policy.onnx'));
    return new PolicySession(meta, s.session, s.provider);
  }

  /** Chain logits, one row of K per embedding. */
  async logits(embeddings: Float32Array, n: number): Promise<Float32Array[]> {
    const out = await this.session.run({ [this.meta.input]: new ort.Tensor('float32', embeddings, [n, this.meta.dims]) });
    const t = out[this.meta.output];
    if (!t) throw new Error(`policy.onnx has no output ${this.meta.output}`);
    const data = t.data as Float32Array;
    const k = data.length / n;
    return Array.from({ length: n }, (_, i) => data.subarray(i * k, (i + 1) * k));
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

export interface PredictOptions {
  jobId: number;
  jobName: string;
  datasetId: number;
  imageIds: number[];
  samples: number;
  temperature: number;
  geo: GeoLookup | null;
  label: string;
}

export interface PredictResult {
  predictRunId: number;
  samplesRunId: number | null;
  photos: number;
  skipped: number;
  provider: ExecutionProvider;
}

/** Needs the photos' embeddings in the cache under the policy's encoder key. */
export async function predictRuns(
  db: Database.Database,
  cacheDir: string,
  jobDir: string,
  opts: PredictOptions,
  task: TaskContext,
): Promise<PredictResult> {
  const policy = await PolicySession.open(jobDir);
  const key = policy.meta.encoder?.key;
  if (!key) throw new RpcError(ErrorCode.BadInput, 'policy.json names no encoder');
  const cache = new EmbeddingCache(cacheDir);
  const runs = new RunsStore(db);
  const writer = new CompletionWriter(db, new TruthReader(db), opts.geo);
  const params = { source: 'job', jobId: opts.jobId, encoder: policy.meta.encoder, provider: policy.provider };
  let skipped = 0;
  let photos = 0;
  const started: number[] = [];
  try {
    // Every write waits (without blocking) while another process holds the lock.
    const write = <T>(fn: () => T): Promise<T> => retryWhileBusy(fn, { throwIfCancelled: () => task.throwIfCancelled() });
    const predictRunId = await write(() => runs.create({
      kind: 'import',
      name: `${opts.jobName}: top chain (${opts.label})`,
      model: `cor-policy job #${opts.jobId}`,
      datasetId: opts.datasetId,
      prompt: null,
      params: { ...params, samples: 1, decoding: 'top chain' },
      status: 'running',
    }));
    const samplesRunId =
      opts.samples > 0
        ? await write(() => runs.create({
            kind: 'import',
            name: `${opts.jobName}: ${opts.samples} samples at T=${opts.temperature} (${opts.label})`,
            model: `cor-policy job #${opts.jobId}`,
            datasetId: opts.datasetId,
            prompt: null,
            params: { ...params, samples: opts.samples, temperature: opts.temperature, decoding: 'sampled chains' },
            status: 'running',
          }))
        : null;
    started.push(predictRunId, ...(samplesRunId !== null ? [samplesRunId] : []));
    const batch = 256;
    for (let start = 0; start < opts.imageIds.length; start += batch) {
      task.throwIfCancelled();
      task.progress(start, opts.imageIds.length, 'predicting with the policy');
      const ids: number[] = [];
      const vecs: Float32Array[] = [];
      for (const id of opts.imageIds.slice(start, start + batch)) {
        const v = cache.get(key, id);
        if (v && v.length === policy.meta.dims) {
          ids.push(id);
          vecs.push(v);
        } else skipped++;
      }
      if (ids.length === 0) continue;
      const flat = new Float32Array(ids.length * policy.meta.dims);
      vecs.forEach((v, i) => flat.set(v, i * policy.meta.dims));
      const rows = await policy.logits(flat, ids.length);
      await write(db.transaction(() => {
        rows.forEach((row, i) => {
          const imageId = ids[i]!;
          writer.write(predictRunId, { imageId, sample: 0, prediction: predictionFromText(chainText(policy.meta, argmax(row))) });
          if (samplesRunId !== null) {
            const rand = seededRandom(opts.jobId * 1_000_003 + imageId);
            for (let s = 0; s < opts.samples; s++) {
              const k = sampleChain(row, opts.temperature, rand);
              writer.write(samplesRunId, { imageId, sample: s, prediction: predictionFromText(chainText(policy.meta, k)) });
            }
          }
        });
      }));
      photos += ids.length;
    }
    const stats = { photos, skipped, provider: policy.provider };
    await write(() => {
      runs.setStatus(predictRunId, 'done', stats);
      if (samplesRunId !== null) runs.setStatus(samplesRunId, 'done', stats);
    });
    task.progress(opts.imageIds.length, opts.imageIds.length, 'predictions stored');
    return { predictRunId, samplesRunId, photos, skipped, provider: policy.provider };
  } catch (err) {
    // Runs cut short keep the photos written so far and say why they stopped.
    const stopped = err instanceof RpcError && err.code === ErrorCode.Cancelled;
    await retryWhileBusy(() => {
      for (const runId of started) runs.setStatus(runId, stopped ? 'cancelled' : 'failed', { photos, skipped, provider: policy.provider });
    });
    throw err;
  } finally {
    cache.close();
    await policy.release();
  }
}
