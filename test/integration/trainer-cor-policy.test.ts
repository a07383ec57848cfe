/**
 * The built-in cor-policy recipe end to end on CPU with Debian's python3-torch:
 * inputs prepared by the main process (labels, embeddings through onnxruntime-node),
 * SFT then GRPO in the Python trainer, metrics and artifacts in the store, the
 * exported ONNX policy predicting into completions runs; cancel and resume; a trainer
 * that crashes; jobs left running by a closed app.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobEvent } from '../../shared/rpc/jobs-methods.js';
import { EmbeddingCache } from '../../electron/services/embeddings/embedding-cache.js';
import { appRoot } from '../../electron/services/app-paths.js';
import { JobManager, jobDirOf, type ProjectRef } from '../../electron/services/jobs/job-manager.js';
import { JobStore } from '../../electron/services/jobs/job-store.js';
import { jobsHandlers } from '../../electron/services/jobs/rpc-handlers.js';
import { ProjectService } from '../../electron/services/project/project-service.js';
import { detachedTask } from '../../electron/services/rpc/task-context.js';
import { contract } from '../../shared/rpc/contract.js';
import { PolicySession, argmax, readPolicyMeta } from '../../electron/services/jobs/policy-runner.js';
import { tempDir } from '../helpers/temp.js';
import { GEO_R_PAPER, PYTHON, makeTrainingProject, torchMissing, type Fixture } from '../helpers/trainer-fixture.js';

const missing = torchMissing();
if (missing) console.warn(`trainer tests skipped: ${missing}`);

const resourcesDir = path.join(appRoot, 'resources');

describe.skipIf(missing !== null)('cor-policy training jobs', () => {
  const tmp = tempDir('georeason-trainer-');
  let fx: Fixture;
  let project: ProjectRef;
  const events: JobEvent[] = [];
  let crashScript = '';

  const manager = (trainerScript?: (recipe: string) => string): JobManager =>
    new JobManager({
      resourcesDir,
      encoderDirs: [path.join(resourcesDir, 'models')],
      emit: (e) => events.push(e),
      python: () => PYTHON,
      graceMs: 5000,
      geo: () => null,
      ...(trainerScript ? { trainerScript } : {}),
    });

  beforeAll(async () => {
    fx = await makeTrainingProject(tmp.dir, 30, { missing: 3 });
    project = { db: fx.store.db, path: fx.store.path, cacheDir: fx.store.cacheDir };
    crashScript = path.join(tmp.dir, 'crash.py');
    fs.writeFileSync(
      crashScript,
      [
        'import json, sys',
        'print(json.dumps({"event": "progress", "step": 1, "total": 10}), flush=True)',
        'print(json.dumps({"event": "metric", "step": 1, "name": "sft_loss", "value": 1.5}), flush=True)',
        'print("plain text on stdout", flush=True)',
        'sys.stderr.write("Traceback: something broke in the stand-in\\n")',
        'sys.exit(7)',
      ].join('\n'),
    );
  });
  afterAll(() => {
    fx.store.close();
    tmp.cleanup();
  });

  it('learns location from pixels: SFT then GRPO, metrics, ONNX policy, completions runs', async () => {
    const m = manager();
    const job = m.start(project, {
      datasetId: fx.datasetId,
      name: 'learns',
      spec: GEO_R_PAPER,
      specName: 'geo-r-paper',
      // A short SFT leaves room for GRPO to show its gain on this easy set.
      config: { sftSteps: 5, grpoSteps: 80, hidden: 64, batchSize: 32, grpoBatchSize: 16, numGenerations: 8, lr: 1e-3, lrSft: 3e-3, checkpointEvery: 1000 },
      rolloutSamples: 4,
    });
    expect(['queued', 'preparing']).toContain(job.status);
    const done = await m.waitFor(project.path, job.id);
    expect(done.message).toBeTruthy();
    expect(done.status, done.message ?? '').toBe('done');
    expect(done.device).toBe('cpu');

    const store = new JobStore(project.db);
    const detail = store.detail(job.id);
    // 3 listed photos are not on disk: skipped and counted.
    expect((detail.prepare.embedding as { skipped: number }).skipped).toBe(3);
    expect(detail.prepare.noEmbedding).toBe(3);
    expect((detail.prepare.embedding as { provider: string }).provider).toBe('cpu');
    const metrics = store.metrics(job.id);
    const series = (name: string) => metrics.filter((p) => p.name === name).map((p) => p.value ?? NaN);
    for (const name of ['sft_loss', 'loss', 'reward', 'reward_std', 'frac_reward_zero_std', 'kl', 'acc_25km', 'acc_200km', 'acc_750km', 'acc_2500km']) {
      expect(series(name).length, name).toBeGreaterThan(0);
    }
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const reward = series('reward');
    const acc = series('acc_2500km');
    // Four places thousands of km apart: chance is 0.25.
    expect(acc.at(-1)!).toBeGreaterThan(0.6);
    console.log(
      `cor-policy on 4 × 30 coloured photos: held-out acc@2500 km ${acc[0]!.toFixed(2)} → ${acc.at(-1)!.toFixed(2)}; ` +
        `GRPO mean reward first 15 steps ${mean(reward.slice(0, 15)).toFixed(3)} → last 15 ${mean(reward.slice(-15)).toFixed(3)}`,
    );
    expect(mean(reward.slice(-15))).toBeGreaterThan(mean(reward.slice(0, 15)) + 0.05);
    expect(detail.artifacts.map((a) => a.kind)).toEqual(expect.arrayContaining(['checkpoint', 'onnx']));

    // The ONNX policy gives the top chain PyTorch gave, photo by photo.
    const jobDir = jobDirOf(project.cacheDir, job.id);
    const check = JSON.parse(fs.readFileSync(path.join(jobDir, 'export_check.json'), 'utf8')) as { image_ids: number[]; top: number[] };
    const meta = readPolicyMeta(jobDir);
    const policy = await PolicySession.open(jobDir);
    const cache = new EmbeddingCache(project.cacheDir);
    const flat = new Float32Array(check.image_ids.length * meta.dims);
    check.image_ids.forEach((id, i) => flat.set(cache.get(meta.encoder!.key, id)!, i * meta.dims));
    cache.close();
    const rows = await policy.logits(flat, check.image_ids.length);
    await policy.release();
    expect(rows.map(argmax)).toEqual(check.top);

    // Completions runs: the top chain and 4 samples per held-out photo, checked like any run.
    expect(done.runIds).toHaveLength(2);
    const [predictRun, samplesRun] = done.runIds as [number, number];
    expect(done.sampledRunId).toBe(samplesRun);
    const perPhoto = project.db
      .prepare('SELECT COUNT(*) AS n, COUNT(DISTINCT image_id) AS photos, SUM(format_ok) AS ok FROM completions WHERE run_id = ?')
      .get(samplesRun) as { n: number; photos: number; ok: number };
    expect(perPhoto.n).toBe(perPhoto.photos * 4);
    expect(perPhoto.ok).toBe(perPhoto.n);
    const text = project.db.prepare('SELECT text FROM completions WHERE run_id = ? LIMIT 1').pluck().get(predictRun) as string;
    expect(text).toMatch(/^Country: .+ State: .+ City: .+ Coordinates: \(-?\d+\.\d+, -?\d+\.\d+\)$/);
    const hits = project.db.prepare('SELECT AVG(km <= 2500) FROM completions WHERE run_id = ?').pluck().get(predictRun) as number;
    expect(hits).toBeGreaterThan(0.6);
    expect(events.some((e) => e.jobId === job.id && e.kind === 'status' && e.status === 'running')).toBe(true);
  });

  it('predicts on a whole dataset through jobs.predict (embeddings reused from the cache)', async () => {
    const projects = new ProjectService(path.join(tmp.dir, 'user'));
    projects.open(project.path);
    try {
      const handlers = jobsHandlers(projects, { resourcesDir, userDataDir: path.join(tmp.dir, 'user'), emit: () => undefined, geo: () => null });
      const params = contract['jobs.predict'].params.parse({ id: 1, samples: 2, temperature: 0.5 });
      const r = contract['jobs.predict'].result.parse(await handlers['jobs.predict'](params, detachedTask()));
      expect(r.photos).toBe(120);
      expect(r.skipped).toBe(3); // listed photos whose files are gone
      expect(r.provider).toBe('cpu');
      const n = project.db.prepare('SELECT COUNT(*) FROM completions WHERE run_id = ?').pluck().get(r.samplesRunId) as number;
      expect(n).toBe(240);
    } finally {
      projects.close();
    }
  });

  it('cancels in the middle (SIGTERM) and resumes from the checkpoint', async () => {
    const m = manager();
    const job = m.start(project, {
      datasetId: fx.datasetId,
      name: 'resumable',
      spec: GEO_R_PAPER,
      config: { sftSteps: 30, grpoSteps: 30, hidden: 32, checkpointEvery: 5, stepDelayS: 0.05, evalEvery: 5 },
      rolloutSamples: 0,
    });
    // Wait until it trains past step 10, then cancel.
    await new Promise<void>((resolve, reject) => {
      const t0 = Date.now();
      const timer = setInterval(() => {
        const step = new JobStore(project.db).get(job.id).step ?? 0;
        if (step >= 10) {
          clearInterval(timer);
          resolve();
        } else if (Date.now() - t0 > 60_000) {
          clearInterval(timer);
          reject(new Error('the job never reached step 10'));
        }
      }, 50);
    });
    const finished = m.waitFor(project.path, job.id);
    expect(m.cancel(project, job.id)).toBe(true);
    const cancelled = await finished;
    expect(cancelled.status).toBe('cancelled');
    const stoppedAt = cancelled.step ?? 0;
    expect(stoppedAt).toBeGreaterThanOrEqual(10);
    expect(stoppedAt).toBeLessThan(60);

    const again = m.resume(project, job.id);
    expect(['queued', 'preparing', 'running']).toContain(again.status);
    const done = await m.waitFor(project.path, job.id);
    expect(done.status, done.message ?? '').toBe('done');
    const log = fs.readFileSync(new JobStore(project.db).detail(job.id).logPath!, 'utf8');
    expect(log).toMatch(/resumed from the checkpoint at step (\d+)/);
    const resumedAt = Number(/resumed from the checkpoint at step (\d+)/.exec(log)![1]);
    expect(resumedAt).toBeGreaterThanOrEqual(10);
    const steps = new Set(new JobStore(project.db).metrics(job.id).filter((p) => p.name === 'sft_loss' || p.name === 'loss').map((p) => p.step));
    expect(steps.size).toBe(60); // every step logged once, across the two runs
  });

  it('reports a trainer that crashes as failed, with its exit code and last lines; queues a second job', async () => {
    const m = manager(() => crashScript);
    const first = m.start(project, { datasetId: fx.datasetId, name: 'crash', spec: GEO_R_PAPER, config: { sftSteps: 10, grpoSteps: 0 } });
    const second = m.start(project, { datasetId: fx.datasetId, name: 'crash 2', spec: GEO_R_PAPER, config: { sftSteps: 10, grpoSteps: 0 } });
    expect(new JobStore(project.db).get(second.id).status).toBe('queued');
    const failed = await m.waitFor(project.path, first.id);
    expect(failed.status).toBe('failed');
    expect(failed.exitCode).toBe(7);
    expect(failed.message).toContain('exit code 7');
    expect(failed.message).toContain('something broke');
    const log = fs.readFileSync(new JobStore(project.db).detail(first.id).logPath!, 'utf8');
    expect(log).toContain('plain text on stdout');
    expect(new JobStore(project.db).metrics(first.id)).toEqual([{ step: 1, name: 'sft_loss', value: 1.5, wallMs: expect.any(Number) }]);
    expect((await m.waitFor(project.path, second.id)).status).toBe('failed');
  });

  it('runs GRPO on a hard-sample subset only, and refuses a subset with no training photo', async () => {
    const m = manager();
    const hard = fx.imageIds.slice(0, 12);
    const job = m.start(project, { datasetId: fx.datasetId, name: 'hard', spec: GEO_R_PAPER, hardImageIds: hard, config: { sftSteps: 2, grpoSteps: 3, hidden: 16 }, rolloutSamples: 0 });
    const done = await m.waitFor(project.path, job.id);
    expect(done.status, done.message ?? '').toBe('done');
    const log = fs.readFileSync(new JobStore(project.db).detail(job.id).logPath!, 'utf8');
    expect(log).toMatch(/GRPO on the hard subset: \d+ of \d+ training photos/);
    const bad = m.start(project, { datasetId: fx.datasetId, name: 'hard bad', spec: GEO_R_PAPER, hardImageIds: [999_999], config: { sftSteps: 1, grpoSteps: 1 } });
    const failed = await m.waitFor(project.path, bad.id);
    expect(failed.status).toBe('failed');
    expect(failed.message).toContain('none of the hard-sample image ids is a training photo');
  });

  it('kills a trainer that ignores SIGTERM after the grace period', async () => {
    const stubborn = path.join(tmp.dir, 'stubborn.py');
    fs.writeFileSync(
      stubborn,
      ['import json, signal, time', 'signal.signal(signal.SIGTERM, signal.SIG_IGN)', 'print(json.dumps({"event": "progress", "step": 1, "total": 9}), flush=True)', 'time.sleep(60)'].join('\n'),
    );
    const m = new JobManager({ resourcesDir, encoderDirs: [path.join(resourcesDir, 'models')], emit: () => undefined, python: () => PYTHON, graceMs: 300, geo: () => null, trainerScript: () => stubborn });
    const job = m.start(project, { datasetId: fx.datasetId, spec: GEO_R_PAPER, config: { sftSteps: 9, grpoSteps: 0 } });
    await expect.poll(() => new JobStore(project.db).get(job.id).step, { timeout: 20_000 }).toBe(1);
    const t0 = Date.now();
    m.cancel(project, job.id);
    const done = await m.waitFor(project.path, job.id);
    expect(done.status).toBe('cancelled');
    expect(done.exitCode).toBe(137);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('a cancel while the exported policy predicts stops the predictions and ends the job cancelled', async () => {
    let jobId = 0;
    let cancelAnswer: boolean | null = null;
    // The gazetteer is asked for as the predictions begin: cancel right then.
    const m: JobManager = new JobManager({
      resourcesDir,
      encoderDirs: [path.join(resourcesDir, 'models')],
      emit: () => undefined,
      python: () => PYTHON,
      graceMs: 5000,
      geo: () => {
        cancelAnswer = m.cancel(project, jobId);
        return null;
      },
    });
    const job = m.start(project, { datasetId: fx.datasetId, name: 'cancel predictions', spec: GEO_R_PAPER, config: { sftSteps: 2, grpoSteps: 1, hidden: 16 }, rolloutSamples: 2 });
    jobId = job.id;
    const ended = await m.waitFor(project.path, job.id);
    expect(cancelAnswer).toBe(true);
    expect(ended.status, ended.message ?? '').toBe('cancelled');
    expect(ended.message).toContain('while the exported policy predicted');
    expect(ended.runIds).toEqual([]);
    const runs = project.db.prepare('SELECT status FROM runs WHERE model = ?').pluck().all(`cor-policy job #${job.id}`) as string[];
    expect(runs.length).toBeGreaterThan(0);
    for (const status of runs) expect(status).toBe('cancelled');
  });

  it('marks jobs a closed app left running as failed', () => {
    const store = new JobStore(project.db);
    const id = store.create('cor-policy', { datasetId: fx.datasetId }, 'running');
    project.db.prepare('UPDATE jobs SET pid = 2147480000 WHERE id = ?').run(id);
    const queued = store.create('cor-policy', { datasetId: fx.datasetId }, 'queued');
    expect(manager().recover(project)).toBeGreaterThanOrEqual(2);
    expect(store.get(id).status).toBe('failed');
    expect(store.get(id).message).toContain('no longer runs');
    expect(store.get(queued).status).toBe('failed');
  });
});
