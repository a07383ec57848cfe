/**
 * Embeds photos with an ONNX encoder in batches, caching each vector. Photos whose
 * file is missing or unreadable are skipped and counted, never fatal.
 */
import type Database from 'better-sqlite3';
import { resolveImageFile } from '../images/image-path.js';
import type { TaskContext } from '../rpc/task-context.js';
import { EmbeddingCache } from './embedding-cache.js';
import { encoderKey, type EncoderSpec } from './encoder-spec.js';
import { createSession, ort, type ExecutionProvider } from './onnx-session.js';
import { loadPixels } from './preprocess.js';

export interface EmbedOptions {
  batchSize?: number;
  preferCuda?: boolean;
}

export interface EmbedSummary {
  encoder: string;
  key: string;
  provider: ExecutionProvider | null;
  providerNote: string | null;
  dims: number | null;
  requested: number;
  embedded: number;
  cached: number;
  /** Photos with no readable file (missing locally or not an image). */
  skipped: number;
  skippedExamples: string[];
  durationMs: number;
}

export async function embedImages(
  db: Database.Database,
  cacheDir: string,
  spec: EncoderSpec,
  imageIds: readonly number[],
  task: TaskContext,
  options: EmbedOptions = {},
): Promise<EmbedSummary> {
  const started = performance.now();
  const key = encoderKey(spec);
  const cache = new EmbeddingCache(cacheDir);
  const summary: EmbedSummary = {
    encoder: spec.name,
    key,
    provider: null,
    providerNote: null,
    dims: spec.dims,
    requested: imageIds.length,
    embedded: 0,
    cached: 0,
    skipped: 0,
    skippedExamples: [],
    durationMs: 0,
  };
  try {
    const todo: number[] = [];
    for (const id of imageIds) {
      if (cache.has(key, id)) summary.cached++;
      else todo.push(id);
    }
    if (todo.length === 0) return summary;
    const s = await createSession(spec.modelPath, { preferCuda: options.preferCuda ?? true });
    summary.provider = s.provider;
    summary.providerNote = s.cudaNote;
    const inputName = spec.input ?? s.session.inputNames[0]!;
    const outputName = spec.output ?? s.session.outputNames[0]!;
    const [h, w] = spec.inputSize;
    const per = 3 * h * w;
    const batchSize = Math.max(1, options.batchSize ?? 32);
    for (let start = 0; start < todo.length; start += batchSize) {
      task.throwIfCancelled();
      task.progress(start, todo.length, `embedding photos with ${spec.name} (${s.provider})`);
      const ids = todo.slice(start, start + batchSize);
      const pixels = new Float32Array(ids.length * per);
      const ok = await Promise.all(
        ids.map(async (id, i) => {
          try {
            await loadPixels(resolveImageFile(db, id), spec, pixels, i * per);
            return true;
          } catch (err) {
            summary.skipped++;
            if (summary.skippedExamples.length < 5) summary.skippedExamples.push(`photo ${id}: ${(err as Error).message}`);
            return false;
          }
        }),
      );
      const kept = ids.filter((_, i) => ok[i]);
      if (kept.length === 0) continue;
      // Compact the batch so skipped photos cost no inference.
      const input = new Float32Array(kept.length * per);
      let j = 0;
      ids.forEach((_, i) => {
        if (ok[i]) input.set(pixels.subarray(i * per, (i + 1) * per), (j++) * per);
      });
      const result = await s.session.run({ [inputName]: new ort.Tensor('float32', input, [kept.length, 3, h, w]) });
      const out = result[outputName];
      if (!out) throw new Error(`${spec.name}: the model has no output "${outputName}"`);
      const data = out.data as Float32Array;
      const dims = data.length / kept.length;
      summary.dims = dims;
      cache.putMany(
        key,
        kept.map((imageId, i) => ({ imageId, vec: data.slice(i * dims, (i + 1) * dims) })),
      );
      summary.embedded += kept.length;
    }
    await s.session.release();
    task.progress(todo.length, todo.length, 'embeddings done');
    return summary;
  } finally {
    cache.close();
    summary.durationMs = Math.round(performance.now() - started);
  }
}
