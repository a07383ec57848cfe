/**
 * The Slurm path of the external trainers against a real Slurm (Debian's slurmctld,
 * slurmd and munge, 22.05 on bookworm; one node with a `gpu` partition, started by
 * test/helpers/slurm-cluster.ts): job.sbatch submitted with sbatch, train.log followed
 * while the job runs, the end seen through squeue, cancel through scancel, a job
 * killed at its time limit failed with Slurm's state and reason (scontrol show job:
 * this cluster, like many small ones, has no accounting storage for sacct), and the
 * same over ssh (an sshd on loopback whose sessions get the cluster's SLURM_CONF).
 * Skipped, saying why, only where Slurm is not installed; on CI a missing Slurm fails.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo } from '../../shared/rpc/jobs-methods.js';
import type { ExternalSettings as Settings } from '../../shared/rpc/external-methods.js';
import { JobManager, type ProjectRef } from '../../electron/services/jobs/job-manager.js';
import { JobStore } from '../../electron/services/jobs/job-store.js';
import { RECIPES } from '../../electron/services/external/recipes/index.js';
import { ExternalRunner } from '../../electron/services/external/runner.js';
import { slurmMissing, startSlurmCluster, type SlurmCluster } from '../helpers/slurm-cluster.js';
import { sshdMissing, startSshd, type LoopbackSshd } from '../helpers/sshd.js';
import { makeExternalProject, startExternal } from '../helpers/external-fixture.js';
import { tempDir } from '../helpers/temp.js';
import { PYTHON, type Fixture } from '../helpers/trainer-fixture.js';

const FIX = path.resolve('test/fixtures/external');

const missing = slurmMissing();
if (missing && !process.env.CI) console.warn(`external Slurm tests skipped: ${missing}`);
const sshMissing = sshdMissing();

describe.skipIf(missing !== null && !process.env.CI)('external trainers under a real Slurm (one-node test cluster)', () => {
  const tmp = tempDir('georeason-slurm-');
  let cluster: SlurmCluster | null = null;
  let sshd: LoopbackSshd | null = null;
  let fx: Fixture;
  let project: ProjectRef;
  let specId: number;
  const manager = new JobManager({ resourcesDir: tmp.dir, encoderDirs: [], emit: () => undefined, python: () => PYTHON, graceMs: 3000, geo: () => null });

  const useEnv = (extra: Record<string, string> = {}): void => {
    const env = {
      ...(cluster?.env ?? process.env),
      PATH: `${path.join(FIX, 'bin')}:${process.env.PATH ?? ''}`,
      STANDIN_DIR: FIX,
      ...extra,
    };
    const runner = new ExternalRunner({ env, slurmPollMs: 300 });
    for (const r of RECIPES) manager.registerRunner(r.id, runner);
  };

  const start = (settings: Settings): JobInfo => startExternal(manager, project, settings);

  const grpo = (runName: string, more: Partial<Settings> = {}): Settings => ({
    recipe: 'vlm-r1-grpo',
    runName,
    checkout: path.join(FIX, 'vlm-r1'),
    model: 'Qwen/Qwen2.5-VL-3B-Instruct',
    data: { datasetId: fx.datasetId, valFraction: 0 },
    reward: { specId },
    hyper: { saveSteps: 3 },
    ...more,
  });

  const logOf = (id: number): string => {
    const p = new JobStore(project.db).detail(id).logPath;
    return p && fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : '';
  };
  const slurmIdOf = (id: number): string => /submitted Slurm job (\d+)/.exec(logOf(id))?.[1] ?? '';
  const waitUntil = async (what: string, ok: () => boolean, ms = 30_000): Promise<void> => {
    const end = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${cluster?.logs() ?? ''}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const jobField = (slurmId: string, field: string): string => new RegExp(`(?:^|\\s)${field}=(\\S+)`).exec(cluster?.cmd(['scontrol', 'show', 'job', '-o', slurmId]) ?? '')?.[1] ?? '';

  beforeAll(async () => {
    if (missing) throw new Error(`Slurm is required on CI: ${missing} (scripts/setup.sh installs it)`);
    cluster = await startSlurmCluster(fs.mkdtempSync(path.join(tmp.dir, 'c')));
    ({ fx, project, specId } = await makeExternalProject(tmp.dir, 2));
  }, 90_000);

  afterAll(async () => {
    manager.dispose();
    sshd?.stop();
    await cluster?.stop();
    fx?.store.close();
    tmp.cleanup();
  }, 60_000);

  it('sbatch submits job.sbatch to the gpu partition; train.log is followed while it runs; the end is seen through squeue', async () => {
    useEnv({ STANDIN_SLEEP: '0.1' });
    const job = start(grpo('slurm-ok', { slurm: { enabled: true, partition: 'gpu', time: '00:10:00', gpusPerNode: 2 } }));
    const done = await manager.waitFor(project.path, job.id);
    const store = new JobStore(project.db);
    const log = logOf(job.id);
    expect(done.status, `${done.message}\n${log}\n${cluster?.logs()}`).toBe('done');
    expect(log).toMatch(/submitted Slurm job \d+ on this machine/);
    expect(store.metrics(job.id).filter((m) => m.name === 'reward')).toHaveLength(6);
    const id = slurmIdOf(job.id);
    expect(jobField(id, 'JobState')).toBe('COMPLETED');
    expect(jobField(id, 'Partition')).toBe('gpu');
    expect(jobField(id, 'TresPerNode')).toBe('gres:gpu:2');
    expect(jobField(id, 'TimeLimit')).toBe('00:10:00');
  }, 60_000);

  it('cancel reaches the job through scancel (the trainer gets SIGTERM); Slurm records it cancelled', async () => {
    const termFile = path.join(tmp.dir, 'term-slurm');
    useEnv({ STANDIN_SLEEP: '0.3', STANDIN_STEPS: '200', STANDIN_TERM_FILE: termFile });
    const job = start(grpo('slurm-cancel', { slurm: { enabled: true } }));
    const store = new JobStore(project.db);
    await waitUntil('the first metric', () => store.metrics(job.id).length > 0);
    manager.cancel(project, job.id);
    const done = await manager.waitFor(project.path, job.id);
    expect(done.status).toBe('cancelled');
    expect(done.message).not.toMatch(/Slurm ended job/); // the app stopped it: no Slurm reason to look up
    expect(fs.readFileSync(termFile, 'utf8')).toBe('SIGTERM\n');
    expect(jobField(slurmIdOf(job.id), 'JobState')).toBe('CANCELLED');
  }, 60_000);

  it("a submission Slurm refuses fails at once with sbatch's own reason", async () => {
    useEnv();
    const job = start(grpo('slurm-refused', { slurm: { enabled: true, partition: 'nosuch', gpusPerNode: 8 } }));
    const done = await manager.waitFor(project.path, job.id);
    expect(done.status).toBe('failed');
    expect(done.message).toMatch(/sbatch on this machine failed \(exit 1\): .*invalid partition specified: nosuch/i);
  }, 30_000);

  it("a job Slurm kills at its time limit is marked failed with Slurm's state and reason", async () => {
    useEnv({ STANDIN_SLEEP: '0.3', STANDIN_STEPS: '400' });
    const job = start(grpo('slurm-timeout', { slurm: { enabled: true, time: '1' } }));
    const store = new JobStore(project.db);
    await waitUntil('the first metric', () => store.metrics(job.id).length > 0);
    const id = slurmIdOf(job.id);
    expect(jobField(id, 'TimeLimit')).toBe('00:01:00');
    // Slurm counts limits in minutes: lower this one to zero so its next limit check (every 30 s) ends the job.
    cluster?.cmd(['scontrol', 'update', `JobId=${id}`, 'TimeLimit=0']);
    const done = await manager.waitFor(project.path, job.id);
    const log = logOf(job.id);
    expect(done.status, `${done.message}\n${log}`).toBe('failed');
    expect(done.message).toMatch(new RegExp(`^Slurm ended job ${id}: TIMEOUT \\(TimeLimit\\) after \\d+/400 steps`));
    expect(log).toContain('DUE TO TIME LIMIT');
  }, 75_000);

  it.skipIf(sshMissing !== null)('Slurm over ssh: files copied, sbatch on the server, log streamed back, end seen through squeue there', async () => {
    // The runner's own environment has no SLURM_CONF: the server's sessions do (as a login would).
    sshd = await startSshd(fs.mkdtempSync(path.join(tmp.dir, 's')), { SLURM_CONF: cluster?.conf ?? '' });
    const runner = new ExternalRunner({ env: { ...process.env, SLURM_CONF: '' }, slurmPollMs: 300 });
    for (const r of RECIPES) manager.registerRunner(r.id, runner);
    const remoteDir = path.join(tmp.dir, 'server-runs');
    const job = start({
      recipe: 'custom',
      runName: 'slurm-ssh',
      customCommand: `for i in 1 2 3 4; do echo "{'loss': $i, 'epoch': $i}"; sleep 0.2; done; echo "job $SLURM_JOB_ID done on GPUs $CUDA_VISIBLE_DEVICES"`,
      slurm: { enabled: true, partition: 'gpu', gpusPerNode: 1 },
      where: { kind: 'ssh', host: '127.0.0.1', user: 'root', port: sshd.port, identityFile: sshd.key, remoteDir, transfer: 'rsync', sshOptions: sshd.sshOptions },
    });
    const done = await manager.waitFor(project.path, job.id);
    const log = logOf(job.id);
    expect(done.status, `${done.message}\n${log}`).toBe('done');
    const id = slurmIdOf(job.id);
    expect(log).toContain(`submitted Slurm job ${id} on ssh root@127.0.0.1:${sshd.port}`);
    expect(log).toContain(`job ${id} done on GPUs 0`); // the GPU slot Slurm gave the job
    expect(new JobStore(project.db).metrics(job.id).filter((m) => m.name === 'loss')).toHaveLength(4);
    expect(fs.existsSync(path.join(remoteDir, 'slurm-ssh', 'job.sbatch'))).toBe(true);
    expect(jobField(id, 'JobState')).toBe('COMPLETED');
  }, 60_000);
});
