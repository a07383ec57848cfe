/**
 * A job's data provenance is made and stored on a read-pool thread
 * ('jobs.recordProvenance') with the bytes the main thread used to store: the same
 * hash and the same compressed manifest, from a job's training inputs file or from the
 * labels after review. The golden values are those the main-thread recording (sliced
 * hash and manifest, then gzip of the JSON) stored for the fixture inputs file below.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestOf } from '../../shared/rpc/job-record.js';
import { resourcesDir } from '../../electron/services/app-paths.js';
import { inIdOrder, manifestHash, provenanceRecord, ProvenanceStore, reviewedRows, type TrainerFacts } from '../../electron/services/jobs/provenance.js';
import { readPoolAt, type AppReadPool } from '../../electron/services/rpc/reads.js';
import type { ProjectStore } from '../../electron/services/store/project-store.js';
import { makeTrainingProject } from '../helpers/trainer-fixture.js';
import { tempDir } from '../helpers/temp.js';

/** A built-in job's inputs/data.json: ids out of order, non-ASCII names, both splits. */
const INPUTS = {
  image_ids: [12, 3, 7, 40, 5, 21, 8],
  split: ['train', 'val', 'train', 'train', 'val', 'train', 'train'],
  city: [0, 1, 2, 0, 3, 1, 2],
  countries: [{ name: 'France' }, { name: '日本' }, { name: "Côte d'Ivoire" }],
  regions: [
    { name: 'Île-de-France', country: 0 },
    { name: 'Hokkaidō', country: 1 },
    { name: 'Abidjan', country: 2 },
  ],
  cities: [
    { name: 'Paris', region: 0 },
    { name: 'Biei', region: 1 },
    { name: 'Abidjan', region: 2 },
    { name: 'Saint-Denis', region: 0 },
  ],
};
const GOLDEN = {
  hash: '647dc6fe903cba9e59467bbfccd60e59642056384326d966a8c34f396c836ac0',
  gzSha256: '3f97121aea6f0c298ca6bbfecdd3cf310a34405076b42e05de9a27504c4668d7',
  json: JSON.stringify({
    imageIds: [3, 5, 7, 8, 12, 21, 40],
    split: 'vvttttt',
    label: [0, 1, 2, 2, 3, 0, 3],
    labels: [
      ['日本', 'Hokkaidō', 'Biei'],
      ['France', 'Île-de-France', 'Saint-Denis'],
      ["Côte d'Ivoire", 'Abidjan', 'Abidjan'],
      ['France', 'Île-de-France', 'Paris'],
    ],
  }),
};

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

const t = tempDir('georeason-provenance-data-');
let store: ProjectStore;
let datasetId = 0;
let pool: AppReadPool;
let inputsFile = '';

beforeAll(async () => {
  const fx = await makeTrainingProject(path.join(t.dir, 'p'), 2);
  datasetId = fx.datasetId;
  store = fx.store;
  inputsFile = path.join(t.dir, 'job', 'inputs', 'data.json');
  fs.mkdirSync(path.dirname(inputsFile), { recursive: true });
  fs.writeFileSync(inputsFile, JSON.stringify(INPUTS));
  pool = readPoolAt(store.path, { size: 1 });
});
afterAll(async () => {
  await pool.close();
  store.close();
  t.cleanup();
});

const addJob = (): number => Number(store.db.prepare("INSERT INTO jobs(recipe, config_json, status) VALUES ('cor-policy', '{}', 'running')").run().lastInsertRowid);
const stored = (jobId: number): { hash: string | null; gz: Buffer | null } =>
  store.db.prepare('SELECT data_hash AS hash, manifest_gz AS gz FROM job_provenance WHERE job_id = ?').get(jobId) as { hash: string | null; gz: Buffer | null };
const facts = (more: Partial<TrainerFacts>): TrainerFacts => ({ where: 'this machine', versions: { python: '3.11' }, devices: ['CPU'], note: null, ...more });

describe('jobs.recordProvenance on a read-pool thread', () => {
  it('stores the main thread’s hash and manifest bytes for a training inputs file', async () => {
    const jobId = addJob();
    const record = provenanceRecord(resourcesDir, { params: { config: { seed: 4 } }, facts: facts({ inputsFile, data: { datasetId, valFraction: 0.2, withSplit: true } }), command: 'train' });
    const answered = await pool.run('jobs.recordProvenance', { jobId, ...record });
    const p = new ProvenanceStore(store.db).get(jobId);
    expect(p).toEqual(answered);
    expect(p).toMatchObject({ seed: 4, command: 'train', dataNote: null, trainer: { python: '3.11' } });
    expect(p!.data).toEqual({
      datasetId,
      datasetName: 'Coloured places',
      subsetId: null,
      subsetName: null,
      rows: 7,
      reviewPosition: null,
      hash: GOLDEN.hash,
      source: 'the training inputs the trainer was given',
    });
    const row = stored(jobId);
    expect(row.hash).toBe(GOLDEN.hash);
    expect(sha256(row.gz!)).toBe(GOLDEN.gzSha256);
    expect(gunzipSync(row.gz!).toString('utf8')).toBe(GOLDEN.json);
    // Its pages, read back on the same thread.
    expect(await pool.run('jobs.manifest', { id: jobId, offset: 2, limit: 3 })).toEqual({
      total: 7,
      rows: [
        [7, 'train', "Côte d'Ivoire", 'Abidjan', 'Abidjan'],
        [8, 'train', "Côte d'Ivoire", 'Abidjan', 'Abidjan'],
        [12, 'train', 'France', 'Île-de-France', 'Paris'],
      ],
    });
    expect(await pool.run('jobs.manifest', { id: addJob(), offset: 0, limit: 3 })).toBeNull();
  });

  it('reads the labels after review when the inputs file is missing', async () => {
    const jobId = addJob();
    const data = { datasetId, valFraction: 0.2, withSplit: false };
    const record = provenanceRecord(resourcesDir, { params: {}, facts: facts({ inputsFile: path.join(t.dir, 'none', 'data.json'), data }), command: null });
    await pool.run('jobs.recordProvenance', { jobId, ...record });
    const rows = inIdOrder(reviewedRows(store.db, resourcesDir, data));
    expect(rows).toHaveLength(8);
    expect(new ProvenanceStore(store.db).get(jobId)!.data).toMatchObject({ rows: 8, hash: manifestHash(rows), source: 'the labels after review of the data the run exported' });
    expect(sha256(stored(jobId).gz!)).toBe(sha256(gzipSync(JSON.stringify(manifestOf(rows)))));
  });

  it('stores a record without data for a run on data the workbench did not export', async () => {
    const jobId = addJob();
    const record = provenanceRecord(resourcesDir, { params: {}, facts: facts({}), command: null });
    expect(record.data).toBeNull();
    await pool.run('jobs.recordProvenance', { jobId, ...record });
    expect(new ProvenanceStore(store.db).get(jobId)).toMatchObject({ data: null, dataNote: 'the run reads data the workbench did not export' });
    expect(stored(jobId)).toEqual({ hash: null, gz: null });
  });
});

describe('provenanceRecord', () => {
  it('leaves the rows to the thread: it names the inputs file and reads nothing', () => {
    const data = { datasetId, valFraction: 0.2, withSplit: true };
    const record = provenanceRecord(resourcesDir, { params: {}, facts: facts({ inputsFile: path.join(t.dir, 'nowhere.json'), data }), command: null });
    expect(record.provenance.data).toBeNull();
    expect(record.data).toEqual({ ...data, inputsFile: path.join(t.dir, 'nowhere.json'), resourcesDir });
  });
});
