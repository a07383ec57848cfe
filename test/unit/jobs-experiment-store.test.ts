/**
 * The experiment store through the jobs handlers and the CLI, with a stand-in trainer:
 * provenance recorded at start (data manifest and hash after review, spec hash,
 * versions, seed, command), the runs table, the comparison of runs, and run records
 * exported from one project and imported read-only into another.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RpcEvent} from '../../shared/rpc/contract.js';
import { contract, type ResultOf } from '../../shared/rpc/contract.js';
import type { jobsMethods } from '../../shared/rpc/jobs-methods.js';
import { runCli } from '../../electron/cli.js';
import type { CliIo } from '../../electron/cli/command.js';
import { appVersion, resourcesDir } from '../../electron/services/app-paths.js';
import { createJobManager, jobsHandlers, type JobsHandlers } from '../../electron/services/jobs/rpc-handlers.js';
import { manifestHash, reviewedRows, reviewPosition } from '../../electron/services/jobs/provenance.js';
import { ProjectService } from '../../electron/services/project/project-service.js';
import { ProjectStore } from '../../electron/services/store/project-store.js';
import { makeTrainingProject } from '../helpers/trainer-fixture.js';
import { tempDir } from '../helpers/temp.js';
import { callThroughContract } from '../helpers/contract-call.js';

type Name = keyof typeof jobsMethods;
type Result<M extends Name> = ResultOf<M>;

const t = tempDir('georeason-experiments-');
let projects: ProjectService;
let handlers: JobsHandlers;
let runtime: ReturnType<typeof createJobManager>;
let sourceFile = '';
let otherFile = '';
let datasetId = 0;
const spec = { name: 'fmt', components: [{ kind: 'format' }] };

function call<M extends Name>(method: M, params: unknown): Promise<Result<M>> {
  return callThroughContract(handlers, method, params);
}

function capture(): CliIo & { out: string; err: string } {
  const io = { out: '', err: '', cwd: t.dir, env: process.env, stdout: (s: string) => (io.out += s), stderr: (s: string) => (io.err += s) };
  return io;
}

async function runJob(name: string, lr: number): Promise<number> {
  const job = await call('jobs.start', { datasetId, name, spec, specName: 'fmt', config: { sftSteps: 2, grpoSteps: 0, lr, seed: 5 } });
  const done = await runtime.manager.waitFor(projects.requireStore().path, job.id);
  expect(done.status).toBe('failed');
  return job.id;
}

beforeAll(async () => {
  const fx = await makeTrainingProject(path.join(t.dir, 'a'), 3);
  datasetId = fx.datasetId;
  sourceFile = fx.store.path;
  fx.store.close();
  otherFile = path.join(t.dir, 'other.georeason.sqlite');
  ProjectStore.create(otherFile).close();
  const fake = path.join(t.dir, 'fake-trainer.py');
  fs.writeFileSync(
    fake,
    [
      'import json, sys',
      'lr = json.load(open(sys.argv[sys.argv.index("--job-dir") + 1] + "/config.json"))["lr"]',
      'for s in (1, 2):',
      '    print(json.dumps({"event": "metric", "step": s, "name": "reward", "value": s * lr}))',
      '    print(json.dumps({"event": "progress", "step": s, "total": 2}))',
      'print(json.dumps({"event": "done", "status": "failed", "message": "no policy from a stand-in"}))',
      'sys.exit(1)',
    ].join('\n'),
  );
  projects = new ProjectService(path.join(t.dir, 'user'));
  projects.open(sourceFile);
  const options = { resourcesDir, userDataDir: path.join(t.dir, 'user'), emit: (e: RpcEvent) => void e, trainerScript: () => fake, geo: () => null };
  runtime = createJobManager(options);
  runtime.settings.python = '/usr/bin/python3';
  handlers = jobsHandlers(projects, options, runtime);
});
afterAll(() => {
  projects.close();
  t.cleanup();
});

describe('experiment store', () => {
  let a = 0;
  let b = 0;
  let recordFile = '';

  it('records provenance when a job starts', async () => {
    a = await runJob('first', 0.001);
    const { provenance: p, imported } = await call('jobs.provenance', { id: a });
    expect(imported).toBeNull();
    expect(p).not.toBeNull();
    expect(p!.data).toMatchObject({ datasetId, datasetName: 'Coloured places', subsetId: null, rows: 12, reviewPosition: null, source: 'the training inputs the trainer was given' });
    expect(p!.data!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(p!.specHash).toMatch(/^[0-9a-f]{64}$/);
    expect(p!.specName).toBe('fmt');
    expect(p!.seed).toBe(5);
    expect(p!.workbench.version).toBe(appVersion);
    expect(p!.trainer.python).toMatch(/^3\.\d+/);
    expect(p!.trainer).toHaveProperty('torch');
    expect(p!.trainer).toHaveProperty('transformers');
    expect(p!.devices).toEqual(['CPU']);
    expect(p!.command).toContain('--job-dir');
    const manifest = (await call('jobs.manifest', { id: a, limit: 100_000 }))!;
    expect(manifest.total).toBe(12);
    expect(manifest.rows).toHaveLength(12);
    expect(manifestHash(manifest.rows)).toBe(p!.data!.hash);
    expect(manifest.rows[0]).toEqual([expect.any(Number), expect.stringMatching(/^(train|val)$/), 'France', 'Île-de-France', expect.any(String)]);
    expect((await call('jobs.manifest', { id: a, offset: 10, limit: 5 }))!.rows).toEqual(manifest.rows.slice(10));
  });

  it('hashes the labels after review: same rows, same hash; a review changes it and moves the position', () => {
    const db = projects.requireStore().db;
    const req = { datasetId, valFraction: 0.2, withSplit: true };
    const rows = reviewedRows(db, resourcesDir, req);
    expect(manifestHash(rows)).toBe(manifestHash([...rows].reverse()));
    expect(manifestHash(reviewedRows(db, resourcesDir, req))).toBe(manifestHash(rows));
    const first = rows[0]![0];
    const review = Number(
      db.prepare("INSERT INTO label_reviews(image_id, verdict, after_json, at) VALUES (?, 'rejected', '{\"status\":\"rejected\"}', '2026-12-06')").run(first).lastInsertRowid,
    );
    try {
      const after = reviewedRows(db, resourcesDir, req);
      expect(after).toHaveLength(rows.length - 1);
      expect(manifestHash(after)).not.toBe(manifestHash(rows));
      expect(reviewPosition(db, datasetId)).toBe(review);
    } finally {
      db.prepare('DELETE FROM label_reviews WHERE id = ?').run(review);
    }
  });

  it('lists runs with final metrics and compares only what differs', async () => {
    b = await runJob('second', 0.002);
    const runs = await call('jobs.runs', {});
    const ra = runs.find((r) => r.id === a)!;
    expect(ra.final).toEqual({ reward: 0.002 });
    expect(ra.settings['config.lr']).toBe('0.001');
    expect(ra.dataHash).toMatch(/^[0-9a-f]{64}$/);
    const cmp = await call('jobs.compare', { ids: [a, b] });
    expect(cmp.names).toEqual(['first', 'second']);
    const keys = cmp.differences.map((d) => d.key);
    expect(keys).toContain('settings.config.lr');
    expect(keys).toContain('settings.name');
    expect(keys).toContain('provenance.command');
    expect(keys).not.toContain('provenance.data.hash');
    expect(keys).not.toContain('settings.config.seed');
    expect(cmp.differences.find((d) => d.key === 'settings.config.lr')!.values).toEqual(['0.001', '0.002']);
    expect(cmp.compared).toBeGreaterThan(keys.length);
  });

  it('lists and exports jobs from the CLI', async () => {
    const io = capture();
    expect(await runCli(['jobs', '--project', sourceFile, '--json'], io)).toBe(0);
    const listed = JSON.parse(io.out) as { jobs: { id: number; status: string; final: Record<string, number> }[] };
    expect(listed.jobs.find((j) => j.id === b)).toMatchObject({ status: 'failed', final: { reward: 0.004 } });
    const text = capture();
    expect(await runCli(['jobs', '--project', sourceFile], text)).toBe(0);
    expect(text.out).toMatch(new RegExp(`^\\s+${a}\\s+failed\\s+cor-policy\\s+first step 2/2\\s+reward=0.002$`, 'm'));
    recordFile = path.join(t.dir, 'run.json');
    const ex = capture();
    expect(await runCli(['jobs', 'export', '--project', sourceFile, '--id', String(a), '-o', 'run.json'], ex)).toBe(0);
    const record = JSON.parse(fs.readFileSync(recordFile, 'utf8')) as Result<'jobs.export'>;
    expect(record).toMatchObject({ format: 'georeason-job-record', version: 1, job: { name: 'first', status: 'failed' } });
    expect(record.metrics).toHaveLength(2);
    expect(record.metrics[0]!.wallMs).toEqual(expect.any(Number));
    expect(record.manifest!.imageIds).toHaveLength(12);
    expect(record.manifest!.split).toMatch(/^[tv]{12}$/);
    expect(record.params.spec).toMatchObject(spec);
    expect(record.provenance!.command).toContain('--job-dir');
    const bad = capture();
    expect(await runCli(['jobs', 'export', '--project', sourceFile, '--id', '999', '-o', 'x.json'], bad)).toBe(1);
    expect(bad.err).toContain('no job with id 999');
  });

  it('imports a record as a read-only job of another project', async () => {
    const io = capture();
    expect(await runCli(['jobs', 'import', '--project', otherFile, recordFile, '--json'], io)).toBe(0);
    const info = JSON.parse(io.out) as { id: number; imported: boolean; resumable: boolean; datasetName: string; datasetId: number | null };
    expect(info).toMatchObject({ imported: true, resumable: false, datasetName: 'Coloured places', datasetId: null });
    projects.open(otherFile);
    try {
      const { provenance, imported } = await call('jobs.provenance', { id: info.id });
      const original = JSON.parse(fs.readFileSync(recordFile, 'utf8')) as Result<'jobs.export'>;
      expect(provenance).toEqual(original.provenance);
      expect(imported).toMatchObject({ source: recordFile, originalId: a, project: sourceFile });
      expect(await call('jobs.metrics', { id: info.id })).toEqual(original.metrics);
      expect((await call('jobs.runs', {}))[0]).toMatchObject({ id: info.id, imported: true, final: { reward: 0.002 } });
      await expect(call('jobs.resume', { id: info.id })).rejects.toThrow(/imported run record: it is read-only/);
      await expect(call('jobs.cancel', { id: info.id })).rejects.toThrow(/imported run record: nothing runs/);
      await expect(call('jobs.rerun', { id: info.id })).rejects.toThrow(/imported run record/);
      await expect(call('jobs.predict', { id: info.id })).rejects.toThrow(/imported run record/);
      await expect(call('jobs.delete', { id: info.id })).rejects.toThrow(/importedRecord: true/);
      expect(await call('jobs.delete', { id: info.id, importedRecord: true })).toEqual({ deleted: true });
      expect(await call('jobs.list', {})).toEqual([]);
    } finally {
      projects.open(sourceFile);
    }
  });

  it('exports and imports through the RPC methods what the CLI does (the work on a read-pool thread)', async () => {
    const fromCli = JSON.parse(fs.readFileSync(recordFile, 'utf8')) as Result<'jobs.export'>;
    const fromRpc = await call('jobs.export', { id: a });
    expect({ ...fromRpc, exportedAt: null }).toEqual({ ...fromCli, exportedAt: null });
    await expect(call('jobs.export', { id: 999 })).rejects.toThrow(/no job with id 999/);
    projects.open(otherFile);
    try {
      const info = await call('jobs.import', { record: fromRpc, source: 'run.json' });
      expect(info).toMatchObject({ imported: true, resumable: false, name: 'first' });
      const { provenance, imported } = await call('jobs.provenance', { id: info.id });
      expect(provenance).toEqual(fromCli.provenance);
      expect(imported).toMatchObject({ source: 'run.json', originalId: a });
      expect(await call('jobs.manifest', { id: info.id, offset: 0, limit: 100 })).toMatchObject({ total: 12 });
      expect(await call('jobs.delete', { id: info.id, importedRecord: true })).toEqual({ deleted: true });
      // The desktop window sends the file's text instead: the same job.
      const fromText = await call('jobs.import', { recordText: fs.readFileSync(recordFile, 'utf8'), source: 'run.json' });
      expect({ ...fromText, id: 0, createdAt: null }).toEqual({ ...info, id: 0, createdAt: null });
      expect((await call('jobs.provenance', { id: fromText.id })).provenance).toEqual(fromCli.provenance);
      expect(await call('jobs.delete', { id: fromText.id, importedRecord: true })).toEqual({ deleted: true });
      await expect(call('jobs.import', { recordText: '{ not json', source: 'bad.json' })).rejects.toThrow(/^bad\.json: not a readable JSON file/);
      expect(() => contract['jobs.import'].params.parse({ source: 'x.json' })).toThrow(/one of the two/);
      expect(() => contract['jobs.import'].params.parse({ record: {}, recordText: '{}' })).toThrow(/one of the two/);
    } finally {
      projects.open(sourceFile);
    }
  });

  it('refuses bad records with the file and the field, and writes nothing', async () => {
    const good = JSON.parse(fs.readFileSync(recordFile, 'utf8')) as Record<string, unknown>;
    const cases: [unknown, RegExp][] = [
      [{ ...good, format: 'mlflow-run' }, /bad\.json: format: expected "georeason-job-record"/],
      [{ ...good, version: 2 }, /bad\.json: version: this workbench reads run records of version 1, the file is version 2/],
      [{ ...good, job: { ...(good.job as object), status: 'exploded' } }, /bad\.json: job\.status: /],
      [{ ...good, metrics: [{ step: 'x', name: 'reward', value: 1, wallMs: null }] }, /bad\.json: metrics\.0\.step: /],
      [{ ...good, job: { ...(good.job as object), status: 'running' } }, /bad\.json: job\.status: the run was running when exported/],
      [{ ...good, manifest: { ...(good.manifest as object), split: 'tv' } }, /bad\.json: manifest\.split: 2 letters for 12 image ids/],
    ];
    const before = (await call('jobs.list', {})).length;
    for (const [raw, want] of cases) {
      fs.writeFileSync(path.join(t.dir, 'bad.json'), JSON.stringify(raw));
      const io = capture();
      expect(await runCli(['jobs', 'import', '--project', sourceFile, 'bad.json'], io)).toBe(1);
      expect(io.err).toMatch(want);
      await expect(call('jobs.import', { record: raw, source: 'bad.json' })).rejects.toThrow(want);
      await expect(call('jobs.import', { recordText: JSON.stringify(raw), source: 'bad.json' })).rejects.toThrow(want);
    }
    fs.writeFileSync(path.join(t.dir, 'bad.json'), '{ not json');
    const io = capture();
    expect(await runCli(['jobs', 'import', '--project', sourceFile, 'bad.json'], io)).toBe(1);
    expect(io.err).toMatch(/bad\.json: not a readable JSON file/);
    expect((await call('jobs.list', {})).length).toBe(before);
  });
});
