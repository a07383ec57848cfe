/**
 * The jobs group through its handlers with the contract's schemas: environment,
 * encoders, clear refusals of bad requests, the job reported through list/get/log/
 * metrics, and the events a job sends. Training itself is covered in
 * test/integration/trainer-cor-policy.test.ts; this uses a stand-in trainer.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RpcEvent, type ResultOf } from '../../shared/rpc/contract.js';
import type { jobsMethods } from '../../shared/rpc/jobs-methods.js';
import { resourcesDir } from '../../electron/services/app-paths.js';
import { createJobManager, jobsHandlers, type JobsHandlers } from '../../electron/services/jobs/rpc-handlers.js';
import { ProjectService } from '../../electron/services/project/project-service.js';
import { makeTrainingProject } from '../helpers/trainer-fixture.js';
import { callThroughContract } from '../helpers/contract-call.js';
import { tempDir } from '../helpers/temp.js';

type Name = keyof typeof jobsMethods;

const t = tempDir('georeason-jobs-rpc-');
let projects: ProjectService;
let handlers: JobsHandlers;
let runtime: ReturnType<typeof createJobManager>;
const events: RpcEvent[] = [];

const call = <M extends Name>(method: M, params: unknown): Promise<ResultOf<M>> => callThroughContract(handlers, method, params);

beforeAll(async () => {
  const fx = await makeTrainingProject(t.dir, 3);
  const file = fx.store.path;
  fx.store.close();
  const fake = path.join(t.dir, 'fake-trainer.py');
  fs.writeFileSync(
    fake,
    [
      'import json, sys, os',
      'd = sys.argv[sys.argv.index("--job-dir") + 1]',
      'assert os.path.exists(os.path.join(d, "inputs", "embeddings.f32"))',
      'for s in (1, 2):',
      '    print(json.dumps({"event": "metric", "step": s, "name": "reward", "value": s / 10}))',
      '    print(json.dumps({"event": "progress", "step": s, "total": 2}))',
      'print(json.dumps({"event": "log", "level": "info", "message": "stand-in trainer"}))',
      'print(json.dumps({"event": "done", "status": "failed", "message": "no policy from a stand-in"}))',
      'sys.exit(1)',
    ].join('\n'),
  );
  projects = new ProjectService(path.join(t.dir, 'user'));
  projects.open(file);
  const options = {
    resourcesDir,
    userDataDir: path.join(t.dir, 'user'),
    emit: (e: RpcEvent) => events.push(e),
    trainerScript: () => fake,
    geo: () => null,
  };
  runtime = createJobManager(options);
  handlers = jobsHandlers(projects, options, runtime);
});
afterAll(() => {
  projects.close();
  t.cleanup();
});

describe('jobs RPC', () => {
  it('reports the environment and keeps the interpreter setting in the user data dir', async () => {
    const env = await call('jobs.setPython', { path: '/nonexistent/python3' });
    expect(env.python.error).toContain('no such interpreter');
    expect(JSON.parse(fs.readFileSync(env.python.settingFile, 'utf8'))).toEqual({ python: '/nonexistent/python3' });
    expect(env.gpus.length > 0 || /no GPU found/.test(env.gpuNote)).toBe(true);
    expect(env.onnx.backends.map((b) => b.name)).toContain('cpu');
    await call('jobs.setPython', { path: '/usr/bin/python3' });
  });

  it('lists the shipped encoder', async () => {
    const encs = await call('jobs.encoders', {});
    expect(encs.map((e) => e.name)).toContain('colour-texture-v1');
  });

  it('refuses bad requests with clear messages', async () => {
    await expect(call('jobs.start', { datasetId: 1, spec: { name: 'x', components: [{ kind: 'distance', knots: [0, 1], values: [1, 0] }] } })).rejects.toThrow(/reward spec/);
    await expect(call('jobs.start', { datasetId: 99, spec: { name: 'x', components: [{ kind: 'format' }] } })).rejects.toThrow(/no dataset with id 99/);
    await expect(call('jobs.start', { datasetId: 1, encoder: 'clip', spec: { name: 'x', components: [{ kind: 'format' }] } })).rejects.toThrow(/no image encoder named "clip"/);
    await expect(call('jobs.get', { id: 42 })).rejects.toThrow(/no job with id 42/);
  });

  it('runs a job and shows it through list, get, metrics and log', async () => {
    const job = await call('jobs.start', { datasetId: 1, name: 'rpc', spec: { name: 'fmt', components: [{ kind: 'format' }] }, config: { sftSteps: 2, grpoSteps: 0 } });
    const done = await runtime.manager.waitFor(projects.requireStore().path, job.id);
    expect(done.status).toBe('failed');
    expect(done.message).toContain('no policy from a stand-in');
    const list = await call('jobs.list', {});
    expect(list[0]).toMatchObject({ id: job.id, name: 'rpc', status: 'failed', exitCode: 1, step: 2, total: 2 });
    expect(await call('jobs.metrics', { id: job.id, afterStep: 1 })).toEqual([{ step: 2, name: 'reward', value: 0.2, wallMs: expect.any(Number) }]);
    const log = await call('jobs.log', { id: job.id, lines: 50 });
    expect(log.lines.join('\n')).toContain('[info] stand-in trainer');
    const detail = await call('jobs.get', { id: job.id });
    expect(detail.prepare).toMatchObject({ train: expect.any(Number), cities: 4 });
    const kinds = new Set(events.filter((e) => e.type === 'job' && e.jobId === job.id).map((e) => (e.type === 'job' ? `${e.kind}:${e.status ?? ''}` : '')));
    expect(kinds).toContain('status:running');
    expect(kinds).toContain('status:failed');
    expect(kinds).toContain('log:');
    // Every event fits the contract's event union (what the hosts send to the renderer).
    for (const e of events) expect(() => RpcEvent.parse(e)).not.toThrow();
    // Its trainer ran: resume is offered.
    expect(done.resumable).toBe(true);
    expect(done.sampledRunId).toBeNull();
    await expect(call('jobs.predict', { id: job.id })).rejects.toThrow(/no exported policy/);
    expect(await call('jobs.delete', { id: job.id })).toEqual({ deleted: true });
  });

  it('does not offer resume for a job that could not start', async () => {
    const db = projects.requireStore().db;
    const empty = Number(db.prepare("INSERT INTO datasets(name, format, created_at) VALUES ('no photos', 'csv', '2026-01-01')").run().lastInsertRowid);
    const job = await call('jobs.start', { datasetId: empty, spec: { name: 'fmt', components: [{ kind: 'format' }] }, config: { sftSteps: 2, grpoSteps: 0 } });
    // It fails at once (no photos), maybe before a waiter could be registered: poll.
    let failed = await call('jobs.get', { id: job.id });
    for (let i = 0; i < 200 && !['failed', 'done', 'cancelled'].includes(failed.status); i++) {
      await new Promise((r) => setTimeout(r, 25));
      failed = await call('jobs.get', { id: job.id });
    }
    expect(failed).toMatchObject({ status: 'failed', resumable: false });
    expect(failed.message).toMatch(/^could not start: no photo to train on/);
    expect((await call('jobs.list', {})).find((j) => j.id === job.id)?.resumable).toBe(false);
    await expect(call('jobs.resume', { id: job.id })).rejects.toThrow(/could not start, so there is nothing to resume/);
    expect((await call('jobs.get', { id: job.id })).status).toBe('failed');
  });
});
