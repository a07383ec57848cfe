/**
 * A job re-run from its record reproduces the built-in recipe's metrics on the same
 * device: the real cor-policy trainer on CPU (Debian's python3-torch), a tiny set,
 * run twice with the stored request; the provenance of both names the same data hash.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRoot } from '../../electron/services/app-paths.js';
import { JobManager, type ProjectRef } from '../../electron/services/jobs/job-manager.js';
import { JobStore } from '../../electron/services/jobs/job-store.js';
import { ProvenanceStore } from '../../electron/services/jobs/provenance.js';
import { compareRuns } from '../../electron/services/jobs/run-records.js';
import { tempDir } from '../helpers/temp.js';
import { GEO_R_PAPER, PYTHON, makeTrainingProject, torchMissing, type Fixture } from '../helpers/trainer-fixture.js';

const missing = torchMissing();
if (missing) console.warn(`re-run test skipped: ${missing}`);

const resourcesDir = path.join(appRoot, 'resources');

describe.skipIf(missing !== null)('re-running a cor-policy job from its record', () => {
  const tmp = tempDir('georeason-rerun-');
  let fx: Fixture;
  let project: ProjectRef;

  beforeAll(async () => {
    fx = await makeTrainingProject(tmp.dir, 6);
    project = { db: fx.store.db, path: fx.store.path, cacheDir: fx.store.cacheDir };
  });
  afterAll(() => {
    fx.store.close();
    tmp.cleanup();
  });

  it('gives the same metrics on the CPU', async () => {
    const m = new JobManager({ resourcesDir, encoderDirs: [path.join(resourcesDir, 'models')], emit: () => undefined, python: () => PYTHON, geo: () => null });
    const job = m.start(project, {
      datasetId: fx.datasetId,
      name: 'original',
      spec: GEO_R_PAPER,
      config: { sftSteps: 4, grpoSteps: 6, hidden: 16, batchSize: 8, grpoBatchSize: 8, numGenerations: 4, checkpointEvery: 1000, seed: 11, device: 'cpu' },
      rolloutSamples: 0,
    });
    const first = await m.waitFor(project.path, job.id);
    expect(first.status).toBe('done');
    const again = m.rerun(project, job.id);
    expect(again.name).toBe(`original (re-run of #${job.id})`);
    const second = await m.waitFor(project.path, again.id);
    expect(second.status).toBe('done');

    const jobs = new JobStore(project.db);
    const values = (id: number): string[] => jobs.metrics(id).map((p) => `${p.name}@${p.step}=${p.value}`);
    expect(values(job.id).length).toBeGreaterThan(10);
    expect(values(again.id)).toEqual(values(job.id));

    const prov = new ProvenanceStore(project.db);
    const [p1, p2] = [prov.get(job.id)!, prov.get(again.id)!];
    expect(p2.data!.hash).toBe(p1.data!.hash);
    expect(p2.specHash).toBe(p1.specHash);
    expect(p1.seed).toBe(11);
    expect(p1.devices).toEqual(['CPU']);
    expect(p1.trainer.torch).toBeTruthy();
    const differing = compareRuns(project.db, [job.id, again.id]).differences.map((d) => d.key);
    expect(differing).toContain('settings.name');
    expect(differing).not.toContain('provenance.data.hash');
    expect(differing).not.toContain('provenance.specHash');
  });
});
