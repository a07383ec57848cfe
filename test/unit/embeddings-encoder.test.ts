import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { appRoot } from '../../electron/services/app-paths.js';
import { EmbeddingCache } from '../../electron/services/embeddings/embedding-cache.js';
import { embedImages } from '../../electron/services/embeddings/embed-images.js';
import { DEFAULT_ENCODER, encoderKey, listEncoders, readEncoderSpec } from '../../electron/services/embeddings/encoder-spec.js';
import { onnxBackends } from '../../electron/services/embeddings/onnx-session.js';
import { loadPixels } from '../../electron/services/embeddings/preprocess.js';
import { detachedTask } from '../../electron/services/rpc/task-context.js';
import { ProjectStore } from '../../electron/services/store/project-store.js';
import { tempDir } from '../helpers/temp.js';

const models = path.join(appRoot, 'resources', 'models');

describe('image encoders', () => {
  it('ships the default encoder with its description', () => {
    const [spec] = listEncoders([models]).filter((e) => e.name === DEFAULT_ENCODER);
    expect(spec).toBeDefined();
    expect(spec!.inputSize).toEqual([64, 64]);
    expect(spec!.resize).toBe('squash');
    expect(spec!.dims).toBe(128);
    expect(fs.statSync(spec!.modelPath).size).toBeLessThan(100_000);
    expect(onnxBackends().map((b) => b.name)).toContain('cpu');
  });

  it('refuses bad descriptions with a clear message', () => {
    const t = tempDir();
    const f = path.join(t.dir, 'x.json');
    fs.writeFileSync(f, JSON.stringify({ inputSize: 224, mean: [0.5, 0.5], std: [1, 1, 1] }));
    fs.writeFileSync(path.join(t.dir, 'x.onnx'), '');
    expect(() => readEncoderSpec(f)).toThrow(/"mean" must be three numbers/);
    fs.writeFileSync(f, JSON.stringify({ inputSize: 224, resize: 'stretch' }));
    expect(() => readEncoderSpec(f)).toThrow(/"resize" must be one of/);
    fs.writeFileSync(f, JSON.stringify({ inputSize: 224, model: 'gone.onnx' }));
    expect(() => readEncoderSpec(f)).toThrow(/model file .* is missing/);
    t.cleanup();
  });

  it('feeds pixels as NCHW (value × scale − mean) / std', async () => {
    const t = tempDir();
    const f = path.join(t.dir, 'red.png');
    await sharp({ create: { width: 10, height: 20, channels: 3, background: { r: 255, g: 0, b: 51 } } }).png().toFile(f);
    const spec = { ...readEncoderSpec(path.join(models, `${DEFAULT_ENCODER}.json`)), inputSize: [4, 4] as [number, number], mean: [0.5, 0, 0] as [number, number, number], std: [0.5, 1, 2] as [number, number, number] };
    const out = new Float32Array(48);
    await loadPixels(f, spec, out, 0);
    expect(out[0]).toBeCloseTo(1); // (1 - 0.5) / 0.5
    expect(out[16]).toBeCloseTo(0);
    expect(out[47]).toBeCloseTo(0.1); // 0.2 / 2
    t.cleanup();
  });

  it('embeds photos in batches on the CPU provider, caches them, skips missing files', async () => {
    const t = tempDir();
    const photos = path.join(t.dir, 'photos');
    fs.mkdirSync(photos);
    const store = ProjectStore.create(path.join(t.dir, 'p.georeason.sqlite'));
    const db = store.db;
    const ds = Number(db.prepare("INSERT INTO datasets(name, root_dir, format, created_at) VALUES ('d', ?, 'folder', 'now')").run(photos).lastInsertRowid);
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      await sharp({ create: { width: 30, height: 20, channels: 3, background: { r: 40 * i, g: 100, b: 200 - 30 * i } } })
        .jpeg()
        .toFile(path.join(photos, `${i}.jpg`));
      ids.push(Number(db.prepare('INSERT INTO images(dataset_id, rel_path, lat, lon, photo) VALUES (?, ?, 0, 0, 1)').run(ds, `${i}.jpg`).lastInsertRowid));
    }
    ids.push(Number(db.prepare("INSERT INTO images(dataset_id, rel_path, lat, lon, photo) VALUES (?, 'gone.jpg', 0, 0, 1)").run(ds).lastInsertRowid));
    const spec = readEncoderSpec(path.join(models, `${DEFAULT_ENCODER}.json`));
    const first = await embedImages(db, store.cacheDir, spec, ids, detachedTask(), { batchSize: 2 });
    expect(first).toMatchObject({ provider: 'cpu', dims: 128, embedded: 5, cached: 0, skipped: 1 });
    expect(first.skippedExamples[0]).toMatch(/photo \d+: .*not found/);
    const again = await embedImages(db, store.cacheDir, spec, ids, detachedTask());
    expect(again).toMatchObject({ embedded: 0, cached: 5, skipped: 1 });

    const cache = new EmbeddingCache(store.cacheDir);
    const key = encoderKey(spec);
    const v0 = cache.get(key, ids[0]!)!;
    const v4 = cache.get(key, ids[4]!)!;
    cache.close();
    expect(v0).toHaveLength(128);
    // Uniform photos: the grid means are the colour (jpeg aside), the texture ~0.
    expect(v0[0]).toBeCloseTo(0, 1);
    expect(v4[0]).toBeCloseTo(160 / 255, 1);
    expect(Math.abs(v0[127]!)).toBeLessThan(0.01);
    // Deterministic: a fresh cache folder gives the same vectors.
    const t2 = tempDir();
    await embedImages(db, t2.dir, spec, [ids[4]!], detachedTask());
    const c2 = new EmbeddingCache(t2.dir);
    expect(Array.from(c2.get(key, ids[4]!)!)).toEqual(Array.from(v4));
    c2.close();
    store.close();
    t.cleanup();
    t2.cleanup();
  });
});
