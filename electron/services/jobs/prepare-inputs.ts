/**
 * Writes a cor-policy job's inputs into its folder, so the trainer never opens the
 * project database: inputs/embeddings.f32 (N × D float32, little-endian, one row per
 * photo in data.json order), inputs/data.json (image ids, splits, label indexes,
 * points, the hierarchy with city points), config.json (snake_case, the trainer's
 * names) and spec.json (the reward spec).
 */
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { CorPolicyConfig } from '../../../shared/rpc/jobs-methods.js';
import type { RewardSpec } from '../../../shared/reward/spec.js';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import { EmbeddingCache } from '../embeddings/embedding-cache.js';
import { embedImages, type EmbedSummary } from '../embeddings/embed-images.js';
import type { EncoderSpec } from '../embeddings/encoder-spec.js';
import type { TaskContext } from '../rpc/task-context.js';
import { readTrainingSet, type TrainingSet } from './training-data.js';

export interface PrepareRequest {
  datasetId: number;
  subsetId?: number | undefined;
  hardImageIds: number[] | null;
  encoder: EncoderSpec;
  spec: RewardSpec;
  config: CorPolicyConfig;
}

export interface PrepareSummary {
  labelled: number;
  train: number;
  val: number;
  countries: number;
  regions: number;
  cities: number;
  counts: TrainingSet['counts'];
  embedding: EmbedSummary;
  /** Photos left out because no embedding could be made (unreadable files). */
  noEmbedding: number;
}

/** Settings the main process uses itself; the trainer never sees them. */
const MAIN_PROCESS_ONLY: ReadonlySet<string> = new Set<keyof CorPolicyConfig>(['valFraction']);

/** The trainer's name of a setting: sftSteps → sft_steps. */
export function trainerName(setting: string): string {
  return setting.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** The trainer's config.json from the validated request (the names of cor_policy_config.py). */
export function trainerConfig(c: CorPolicyConfig, hardImageIds: number[] | null): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [setting, value] of Object.entries(c)) {
    if (!MAIN_PROCESS_ONLY.has(setting)) out[trainerName(setting)] = value;
  }
  out.hard_image_ids = hardImageIds;
  return out;
}

export async function prepareInputs(
  db: Database.Database,
  cacheDir: string,
  resourcesDir: string,
  jobDir: string,
  req: PrepareRequest,
  task: TaskContext,
): Promise<PrepareSummary> {
  task.progress(0, null, 'reading labels');
  const set = readTrainingSet(db, resourcesDir, { datasetId: req.datasetId, subsetId: req.subsetId, valFraction: req.config.valFraction });
  if (set.photos.length === 0) {
    const c = set.counts;
    throw new RpcError(
      ErrorCode.BadInput,
      `no photo to train on: ${c.photos} photos, ${c.missingPhoto} without a local file, ${c.rejected} with a rejected label, ${c.noLabel} without a country/city label, ${c.noPoint} without a point`,
    );
  }
  const embedding = await embedImages(db, cacheDir, req.encoder, set.photos.map((p) => p.imageId), task);
  const cache = new EmbeddingCache(cacheDir);
  const vectors: Float32Array[] = [];
  const photos: TrainingSet['photos'] = [];
  try {
    for (const p of set.photos) {
      const v = cache.get(embedding.key, p.imageId);
      if (v) {
        vectors.push(v);
        photos.push(p);
      }
    }
  } finally {
    cache.close();
  }
  const dims = vectors[0]?.length ?? 0;
  if (photos.length === 0 || dims === 0) throw new RpcError(ErrorCode.BadInput, 'no photo could be embedded (all files unreadable?)');
  if (!photos.some((p) => p.split === 'train')) throw new RpcError(ErrorCode.BadInput, 'every usable photo is in the held-out split: nothing to train on');

  const inputs = path.join(jobDir, 'inputs');
  fs.mkdirSync(inputs, { recursive: true });
  const flat = new Float32Array(photos.length * dims);
  vectors.forEach((v, i) => flat.set(v, i * dims));
  // Float32Array is little-endian on every platform Electron and Node ship for.
  fs.writeFileSync(path.join(inputs, 'embeddings.f32'), Buffer.from(flat.buffer));
  const data = {
    dims,
    encoder: { name: req.encoder.name, key: embedding.key },
    image_ids: photos.map((p) => p.imageId),
    split: photos.map((p) => p.split),
    city: photos.map((p) => p.cityIndex),
    lat: photos.map((p) => p.lat),
    lon: photos.map((p) => p.lon),
    countries: set.countries,
    regions: set.regions,
    cities: set.cities,
  };
  fs.writeFileSync(path.join(inputs, 'data.json'), JSON.stringify(data));
  fs.writeFileSync(path.join(jobDir, 'config.json'), JSON.stringify(trainerConfig(req.config, req.hardImageIds), null, 2));
  fs.writeFileSync(path.join(jobDir, 'spec.json'), JSON.stringify(req.spec, null, 2));
  return {
    labelled: set.photos.length,
    train: photos.filter((p) => p.split === 'train').length,
    val: photos.filter((p) => p.split === 'val').length,
    countries: set.countries.length,
    regions: set.regions.length,
    cities: set.cities.length,
    counts: set.counts,
    embedding,
    noEmbedding: set.photos.length - photos.length,
  };
}
