/**
 * A job's data provenance is made on a read-pool thread ('jobs.provenanceData') with
 * the bytes the main thread used to make: the same hash and the same compressed
 * manifest, from a job's training inputs file or from the labels after review. The
 * golden values are those the main-thread recording (sliced hash and manifest, then
 * gzip of the JSON) gave for the fixture inputs file below.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestOf } from '../../shared/rpc/job-record.js';
import { resourcesDir } from '../../electron/services/app-paths.js';
import { buildProvenance, inIdOrder, manifestHash, reviewedRows } from '../../electron/services/jobs/provenance.js';
import type { DataRequest, ProvenanceData } from '../../electron/services/jobs/provenance-data.js';
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

describe('jobs.provenanceData on a read-pool thread', () => {
  it('gives the main thread’s hash and manifest bytes for a training inputs file', async () => {
    const made = await pool.run('jobs.provenanceData', { datasetId, valFraction: 0.2, withSplit: true, inputsFile, resourcesDir });
    expect(made.data).toMatchObject({ datasetId, datasetName: 'Coloured places', subsetId: null, subsetName: null, rows: 7, reviewPosition: null });
    expect(made.data.source).toBe('the training inputs the trainer was given');
    expect(made.data.hash).toBe(GOLDEN.hash);
    expect(sha256(made.manifestGz)).toBe(GOLDEN.gzSha256);
    expect(gunzipSync(made.manifestGz).toString('utf8')).toBe(GOLDEN.json);
  });

  it('reads the labels after review when there is no inputs file', async () => {
    const req: DataRequest = { datasetId, valFraction: 0.2, withSplit: false, inputsFile: path.join(t.dir, 'none', 'data.json'), resourcesDir };
    const made = await pool.run('jobs.provenanceData', req);
    const rows = inIdOrder(reviewedRows(store.db, resourcesDir, req));
    expect(rows).toHaveLength(8);
    expect(made.data).toMatchObject({ rows: 8, hash: manifestHash(rows), source: 'the labels after review of the data the run exported' });
    expect(sha256(made.manifestGz)).toBe(sha256(gzipSync(JSON.stringify(manifestOf(rows)))));
  });
});

describe('buildProvenance', () => {
  it('leaves the rows to dataOf and stores its bytes as they came', async () => {
    const asked: DataRequest[] = [];
    const gz = gzipSync(GOLDEN.json);
    const dataOf = (req: DataRequest): Promise<ProvenanceData> => {
      asked.push(req);
      const data = { datasetId, datasetName: 'd', subsetId: null, subsetName: null, rows: 7, reviewPosition: null, hash: GOLDEN.hash, source: 's' };
      return Promise.resolve({ data, manifestGz: new Uint8Array(gz) });
    };
    const facts = { where: 'this machine', versions: {}, devices: [], note: null, inputsFile, data: { datasetId, valFraction: 0.2, withSplit: true } };
    const { provenance, manifestGz } = await buildProvenance(resourcesDir, { params: { config: { seed: 3 } }, facts, command: 'train' }, dataOf);
    expect(asked).toEqual([{ datasetId, valFraction: 0.2, withSplit: true, inputsFile, resourcesDir }]);
    expect(provenance.data?.hash).toBe(GOLDEN.hash);
    expect(provenance.seed).toBe(3);
    expect(Buffer.compare(manifestGz!, gz)).toBe(0);
  });

  it('asks for no rows when the run reads data the workbench did not export', async () => {
    let asked = 0;
    const { provenance, manifestGz } = await buildProvenance(resourcesDir, { params: {}, facts: { where: 'x', versions: {}, devices: [], note: null }, command: null }, () => {
      asked++;
      return Promise.reject(new Error('not asked'));
    });
    expect(asked).toBe(0);
    expect(manifestGz).toBeNull();
    expect(provenance.dataNote).toBe('the run reads data the workbench did not export');
  });
});
