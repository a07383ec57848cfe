/**
 * Training and embedding speed on this machine.
 * - Embeddings: photos (640 × 480 JPEG) through the shipped default encoder in
 *   onnxruntime-node, end to end (decode, resize, inference, cache) and inference
 *   alone; baseline: the same model in PyTorch eager on the same device and batch,
 *   which onnxruntime-node should at least match for the app to need no Python to embed.
 * - Training: the cor-policy trainer on synthetic embeddings (N photos × 128 dims,
 *   50 cities): SFT and GRPO steps per second, timed from its own event stream.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { appRoot, resourcesDir } from '../electron/services/app-paths.js';
import { embedImages } from '../electron/services/embeddings/embed-images.js';
import { DEFAULT_ENCODER, readEncoderSpec } from '../electron/services/embeddings/encoder-spec.js';
import { createSession, ort } from '../electron/services/embeddings/onnx-session.js';
import { detachedTask } from '../electron/services/rpc/task-context.js';
import { ProjectStore } from '../electron/services/store/project-store.js';
import type { Benchmark } from './harness.js';

const PYTHON = process.env.GEOREASON_PYTHON ?? '/usr/bin/python3';

function torchAvailable(): boolean {
  return spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' }).status === 0;
}

const embedding: Benchmark = {
  name: 'embeddings: default encoder through onnxruntime-node',
  async run(ctx) {
    const n = Math.max(32, Math.round(400 * ctx.scale));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'georeason-bench-embed-'));
    try {
      const photos = path.join(dir, 'photos');
      fs.mkdirSync(photos);
      const noise = Buffer.alloc(640 * 480 * 3);
      for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
      for (let i = 0; i < n; i++) {
        await sharp(noise, { raw: { width: 640, height: 480, channels: 3 } })
          .modulate({ hue: (i * 37) % 360 })
          .jpeg({ quality: 85 })
          .toFile(path.join(photos, `${i}.jpg`));
      }
      const store = ProjectStore.create(path.join(dir, 'b.georeason.sqlite'));
      const db = store.db;
      const ds = Number(db.prepare("INSERT INTO datasets(name, root_dir, format, created_at) VALUES ('b', ?, 'folder', 'now')").run(photos).lastInsertRowid);
      const ins = db.prepare('INSERT INTO images(dataset_id, rel_path, lat, lon, photo) VALUES (?, ?, 0, 0, 1)');
      const ids = Array.from({ length: n }, (_, i) => Number(ins.run(ds, `${i}.jpg`).lastInsertRowid));
      const spec = readEncoderSpec(path.join(resourcesDir, 'models', `${DEFAULT_ENCODER}.json`));
      const t0 = performance.now();
      const r = await embedImages(db, store.cacheDir, spec, ids, detachedTask(), { batchSize: 32 });
      const s = (performance.now() - t0) / 1000;
      ctx.figure({ name: `end to end, ${n} photos 640×480 JPEG (${r.provider})`, value: n / s, unit: 'images/s' });
      store.close();

      // Inference alone, batch 64 of 64 × 64, against PyTorch eager on the same CPU.
      const batch = 64;
      const reps = 50;
      const session = await createSession(spec.modelPath);
      const input = new Float32Array(batch * 3 * 64 * 64).map((_, i) => ((i * 7919) % 255) / 255);
      const feeds = { pixel_values: new ort.Tensor('float32', input, [batch, 3, 64, 64]) };
      await session.session.run(feeds);
      const t1 = performance.now();
      for (let i = 0; i < reps; i++) await session.session.run(feeds);
      const ortRate = (batch * reps) / ((performance.now() - t1) / 1000);
      await session.session.release();
      ctx.figure({ name: `inference only, onnxruntime-node ${session.provider}, batch ${batch}`, value: ortRate, unit: 'images/s' });
      if (torchAvailable()) {
        const script = [
          'import importlib.util, time, torch',
          `spec = importlib.util.spec_from_file_location("enc", ${JSON.stringify(path.join(appRoot, 'scripts', 'build-default-encoder.py'))})`,
          'm = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)',
          'model = m.ColourTexture().eval()',
          `x = torch.rand(${batch}, 3, 64, 64)`,
          'with torch.no_grad():',
          '    model(x)',
          '    t = time.perf_counter()',
          `    for _ in range(${reps}): model(x)`,
          `    print(${batch * reps} / (time.perf_counter() - t))`,
        ].join('\n');
        const out = spawnSync(PYTHON, ['-c', script], { encoding: 'utf8' });
        const torchRate = Number(out.stdout.trim());
        if (Number.isFinite(torchRate)) {
          ctx.figure({ name: `inference only, PyTorch eager cpu, batch ${batch} (baseline)`, value: torchRate, unit: 'images/s' });
          ctx.figure({ name: 'onnxruntime-node / PyTorch eager', value: ortRate / torchRate, unit: '×', target: '≥ 1' });
        } else ctx.note(`PyTorch baseline failed: ${out.stderr.slice(-300)}`);
      } else ctx.note(`PyTorch baseline skipped: ${PYTHON} has no torch`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};

const training: Benchmark = {
  name: 'training: cor-policy SFT and GRPO steps',
  run(ctx) {
    if (!torchAvailable()) {
      ctx.note(`skipped: ${PYTHON} has no torch`);
      return;
    }
    const n = Math.max(200, Math.round(2000 * ctx.scale));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'georeason-bench-train-'));
    try {
      fs.mkdirSync(path.join(dir, 'inputs'));
      const dims = 128;
      const k = 50;
      const city = Array.from({ length: n }, (_, i) => i % k);
      const emb = new Float32Array(n * dims);
      for (let i = 0; i < n; i++) for (let d = 0; d < dims; d++) emb[i * dims + d] = Math.sin((city[i]! + 1) * (d + 1)) + Math.cos(i * 12.9898 + d) * 0.5;
      fs.writeFileSync(path.join(dir, 'inputs', 'embeddings.f32'), Buffer.from(emb.buffer));
      const cities = Array.from({ length: k }, (_, c) => ({ name: `City ${c}`, region: c % 10, lat: -60 + (c * 120) / k, lon: -170 + (c * 340) / k }));
      fs.writeFileSync(
        path.join(dir, 'inputs', 'data.json'),
        JSON.stringify({
          dims,
          encoder: { name: 'synthetic', key: 'synthetic' },
          image_ids: city.map((_, i) => i + 1),
          split: city.map((_, i) => (i % 5 === 0 ? 'val' : 'train')),
          city,
          lat: city.map((c) => cities[c]!.lat),
          lon: city.map((c) => cities[c]!.lon),
          countries: Array.from({ length: 5 }, (_, c) => ({ code: null, name: `Country ${c}` })),
          regions: Array.from({ length: 10 }, (_, r) => ({ name: `Region ${r}`, country: r % 5 })),
          cities,
        }),
      );
      const sft = 300;
      const grpo = 100;
      fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ sft_steps: sft, grpo_steps: grpo, checkpoint_every: 100000 }));
      fs.writeFileSync(
        path.join(dir, 'spec.json'),
        JSON.stringify({ name: 'geo-r-paper', components: [{ kind: 'distance', knots_km: [0, 750, 2500, 20000], values: [1, 0.5, 0.2, 0] }, { kind: 'format' }], combine: 'product' }),
      );
      // Time stamps of the progress events give the rate of each phase.
      const script = [
        'import subprocess, sys, time, json',
        `p = subprocess.Popen([sys.executable, "-u", ${JSON.stringify(path.join(resourcesDir, 'trainer', 'cor_policy.py'))}, "--job-dir", ${JSON.stringify(dir)}], stdout=subprocess.PIPE, text=True)`,
        'marks = {}',
        'for line in p.stdout:',
        '    e = json.loads(line) if line.startswith("{") else {}',
        '    if e.get("event") == "progress": marks[e["step"]] = time.perf_counter()',
        '    if e.get("event") == "device": print("device", e["device"])',
        'p.wait()',
        `print("sft", (${sft} - 1) / (marks[${sft}] - marks[1]))`,
        `print("grpo", ${grpo} / (marks[${sft + grpo}] - marks[${sft}]))`,
      ].join('\n');
      const out = spawnSync(PYTHON, ['-c', script], { encoding: 'utf8' });
      const rate = (label: string): number => Number(new RegExp(`^${label} (\\S+)$`, 'm').exec(out.stdout)?.[1]);
      const device = /^device (\S+)$/m.exec(out.stdout)?.[1] ?? '?';
      if (!Number.isFinite(rate('sft'))) {
        ctx.note(`trainer failed: ${out.stderr.slice(-400)}`);
        return;
      }
      ctx.figure({ name: `SFT steps (batch 64, hidden 256, eval each step, ${n} photos, ${device})`, value: rate('sft'), unit: 'steps/s' });
      ctx.figure({ name: `GRPO steps (32 photos × G=8, eval each step, ${device})`, value: rate('grpo'), unit: 'steps/s' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};

export const benchmarks: Benchmark[] = [embedding, training];
