/**
 * External trainers launched through the job manager on this machine, with stand-in
 * trainers (test/fixtures/external: torchrun, llamafactory-cli, swift, a VLM-R1
 * grpo_jsonl.py, Slurm's sbatch/squeue/scancel) that print each trainer's log format:
 * data and reward plug-in written, the command run, metrics read from the TRL log,
 * checkpoints listed, a crash's traceback as the failure, cancel reaching the trainer.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobEvent, JobInfo } from '../../shared/rpc/jobs-methods.js';
import type { ExternalSettings as Settings } from '../../shared/rpc/external-methods.js';
import { JobManager, type ProjectRef } from '../../electron/services/jobs/job-manager.js';
import { JobStore } from '../../electron/services/jobs/job-store.js';
import { ProvenanceStore } from '../../electron/services/jobs/provenance.js';
import { stagingDir } from '../../electron/services/external/context.js';
import { RECIPES } from '../../electron/services/external/recipes/index.js';
import { ExternalRunner } from '../../electron/services/external/runner.js';
import { pidAlive } from '../../electron/services/jobs/job-process.js';
import { externalHandlers } from '../../electron/services/external/rpc-handlers.js';
import { ProjectService } from '../../electron/services/project/project-service.js';
import { detachedTask } from '../../electron/services/rpc/task-context.js';
import { contract, type ResultOf } from '../../shared/rpc/contract.js';
import { makeExternalProject, startExternal } from '../helpers/external-fixture.js';
import { tempDir } from '../helpers/temp.js';
import { PYTHON, type Fixture } from '../helpers/trainer-fixture.js';

const FIX = path.resolve('test/fixtures/external');

describe('external trainers on this machine', () => {
  const tmp = tempDir('georeason-external-');
  let fx: Fixture;
  let project: ProjectRef;
  let specId: number;
  const events: JobEvent[] = [];
  const manager = new JobManager({ resourcesDir: tmp.dir, encoderDirs: [], emit: (e) => events.push(e), python: () => PYTHON, graceMs: 3000, geo: () => null });

  /** Registers a runner whose commands see these stand-in knobs. */
  const useEnv = (extra: Record<string, string> = {}, slurm = false): void => {
    const env = {
      ...process.env,
      PATH: `${slurm ? `${path.join(FIX, 'slurm-bin')}:` : ''}${path.join(FIX, 'bin')}:${process.env.PATH ?? ''}`,
      STANDIN_DIR: FIX,
      STANDIN_SLURM_DIR: path.join(tmp.dir, 'slurm-state'),
      ...extra,
    };
    const runner = new ExternalRunner({ env, slurmPollMs: 300 });
    for (const r of RECIPES) manager.registerRunner(r.id, runner);
  };

  const start = (settings: Settings): JobInfo => startExternal(manager, project, settings);

  const waitUntil = async (what: string, ok: () => boolean, ms = 20_000): Promise<void> => {
    const end = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const grpo = (runName: string, more: Partial<Settings> = {}): Settings => ({
    recipe: 'vlm-r1-grpo',
    runName,
    checkout: path.join(FIX, 'vlm-r1'),
    model: 'Qwen/Qwen2.5-VL-3B-Instruct',
    data: { datasetId: fx.datasetId, valFraction: 0.25 },
    reward: { specId },
    launcher: { gpus: '0' },
    hyper: { saveSteps: 3 },
    ...more,
  });

  beforeAll(async () => {
    ({ fx, project, specId } = await makeExternalProject(tmp.dir, 2));
  }, 60_000);

  afterAll(() => {
    manager.dispose();
    fx?.store.close();
    tmp.cleanup();
  });

  it('runs VLM-R1 GRPO with the generated reward registered by the wrapper; metrics, progress, checkpoints', async () => {
    useEnv();
    const job = start(grpo('grpo-ok'));
    const done = await manager.waitFor(project.path, job.id);
    const store = new JobStore(project.db);
    const log = fs.readFileSync(store.detail(job.id).logPath as string, 'utf8');
    expect(done.status, `${done.message}\n${log}`).toBe('done');
    expect(done.message).toMatch(/^done: 6\/6 steps; 2 checkpoints in /);
    // The wrapper registered the spec's reward under "georeason" and it scored perfect answers high.
    expect(log).toContain('georeason: reward functions registered: georeason');
    const rewards = /rewards of perfect answers: \[([^\]]+)\]/.exec(log)?.[1]?.split(',').map(Number) ?? [];
    expect(rewards.length).toBeGreaterThan(0);
    for (const r of rewards) expect(r).toBeGreaterThan(0.9);
    expect(log).toContain("visible GPUs '0'");
    const metrics = store.metrics(job.id);
    const reward = metrics.filter((m) => m.name === 'reward');
    expect(reward.map((m) => m.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(metrics.find((m) => m.name === 'grad_norm' && m.step === 2)?.value).toBeNull();
    expect(metrics.some((m) => m.name === 'rewards/georeason/mean')).toBe(true);
    expect(store.get(job.id)).toMatchObject({ step: 6, total: 6, exitCode: 0 });
    const arts = store.artifacts(job.id).map((a) => `${a.kind} ${path.basename(a.path)}`);
    expect(arts).toContain('checkpoint-vlm checkpoint-6');
    expect(arts).toContain('checkpoint checkpoint-3'); // from the log line, before the listing
    // The data files and plug-in the plan named are in the run folder.
    const W = stagingDir(project.cacheDir, 'grpo-ok');
    for (const f of ['launch.sh', 'georeason_grpo_jsonl.py', 'georeason_reward_vlmr1.py', 'data/georeason_train.jsonl', 'data/georeason_val.jsonl', 'exit_code', 'train.log']) {
      expect(fs.existsSync(path.join(W, f)), f).toBe(true);
    }
    expect(events.some((e) => e.jobId === job.id && e.kind === 'progress')).toBe(true);
    expect(events.some((e) => e.jobId === job.id && e.kind === 'artifact')).toBe(true);
  }, 60_000);

  it('a crash: the traceback is the failure message', async () => {
    useEnv({ STANDIN_CRASH_AT: '2' });
    const job = start(grpo('grpo-crash'));
    const done = await manager.waitFor(project.path, job.id);
    expect(done.status).toBe('failed');
    expect(done.message).toMatch(/^RuntimeError: stand-in trainer crashed at step 2 \(at .*standin_trainer\.py:\d+ in train\) after 2\/6 steps/);
    expect(done.exitCode).toBe(1);
  }, 60_000);

  it('cancel: SIGTERM reaches the trainer in its process group; the job ends cancelled', async () => {
    const termFile = path.join(tmp.dir, 'term-local');
    useEnv({ STANDIN_SLEEP: '0.5', STANDIN_STEPS: '200', STANDIN_TERM_FILE: termFile });
    const job = start(grpo('grpo-cancel'));
    const store = new JobStore(project.db);
    await waitUntil('the first metric', () => store.metrics(job.id).length > 0);
    const pgid = store.get(job.id).pid as number;
    expect(pidAlive(pgid)).toBe(true);
    expect(manager.cancel(project, job.id)).toBe(true);
    const done = await manager.waitFor(project.path, job.id);
    expect(done.status).toBe('cancelled');
    expect(fs.readFileSync(termFile, 'utf8')).toBe('SIGTERM\n');
    await waitUntil('the process group to end', () => !pidAlive(pgid), 5000);
  }, 60_000);

  it('LLaMA-Factory SFT: the YAML and dataset_info.json it reads, its log as metrics', async () => {
    useEnv();
    const job = start({ recipe: 'llamafactory-sft', runName: 'sft-ok', model: '/models/Qwen2.5-VL-3B-Instruct', data: { datasetId: fx.datasetId, valFraction: 0 }, hyper: { saveSteps: 3 } });
    const done = await manager.waitFor(project.path, job.id);
    const store = new JobStore(project.db);
    const log = fs.readFileSync(store.detail(job.id).logPath as string, 'utf8');
    expect(done.status, `${done.message}\n${log}`).toBe('done');
    expect(log).toMatch(/llamafactory stand-in: \d+ rows of georeason_train, template qwen2_vl, FORCE_TORCHRUN=1/);
    const yaml = fs.readFileSync(path.join(stagingDir(project.cacheDir, 'sft-ok'), 'georeason_sft.yaml'), 'utf8');
    expect(yaml).toContain('stage: sft');
    expect(yaml).not.toContain('eval_dataset'); // no validation split was asked for
    expect(store.metrics(job.id).filter((m) => m.name === 'loss')).toHaveLength(6);
  }, 60_000);

  it('ms-swift GRPO: the generated ORM plug-in scores, global_step/max_steps gives the steps', async () => {
    useEnv();
    const job = start({ recipe: 'swift-grpo', runName: 'swift-ok', model: 'Qwen/Qwen2.5-VL-7B-Instruct', data: { datasetId: fx.datasetId, valFraction: 0 }, reward: { specId }, hyper: { saveSteps: 3 } });
    const done = await manager.waitFor(project.path, job.id);
    const store = new JobStore(project.db);
    const log = fs.readFileSync(store.detail(job.id).logPath as string, 'utf8');
    expect(done.status, `${done.message}\n${log}`).toBe('done');
    const rewards = /swift stand-in: georeason rewards \[([^\]]+)\]/.exec(log)?.[1]?.split(',').map(Number) ?? [];
    expect(rewards.length).toBeGreaterThan(0);
    for (const r of rewards) expect(r).toBeGreaterThan(0.9);
    expect(store.metrics(job.id).find((m) => m.name === 'memory(GiB)')?.step).toBe(1);
  }, 60_000);

  it('ms-swift GRPO: the installed version is detected at launch and the command written for it', async () => {
    // A Python environment whose installed-package metadata says ms-swift 3.5.3.
    const site = path.join(tmp.dir, 'site-swift3');
    fs.mkdirSync(path.join(site, 'ms_swift-3.5.3.dist-info'), { recursive: true });
    fs.writeFileSync(path.join(site, 'ms_swift-3.5.3.dist-info', 'METADATA'), 'Metadata-Version: 2.1\nName: ms-swift\nVersion: 3.5.3\n');
    useEnv({ PYTHONPATH: site });
    const job = start({ recipe: 'swift-grpo', runName: 'swift-v3', env: { kind: 'interpreter', path: PYTHON }, model: 'Qwen/Qwen2.5-VL-7B-Instruct', data: { datasetId: fx.datasetId, valFraction: 0 }, reward: { specId }, hyper: { saveSteps: 3 } });
    const done = await manager.waitFor(project.path, job.id);
    const log = fs.readFileSync(new JobStore(project.db).detail(job.id).logPath as string, 'utf8');
    expect(done.status, `${done.message}\n${log}`).toBe('done');
    expect(log).toContain('ms-swift 3.5.3 found on this machine');
    const launch = fs.readFileSync(path.join(stagingDir(project.cacheDir, 'swift-v3'), 'launch.sh'), 'utf8');
    expect(launch).toContain('--train_type full');
    expect(launch).toContain('--per_device_eval_batch_size 16');
    // The job's record: the versions its own environment reports, its command and data.
    const record = new ProvenanceStore(project.db).get(job.id)!;
    expect(record.trainer).toMatchObject({ 'ms-swift': '3.5.3', python: expect.stringMatching(/^3\./) });
    expect(record.trainer).toHaveProperty('trl');
    expect(record.command).toContain('swift rlhf');
    expect(record.data).toMatchObject({ datasetId: fx.datasetId, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(record.data!.rows).toBeGreaterThan(0);
  }, 60_000);

  it('a custom command finds the data, reward file and output folder in its environment', async () => {
    useEnv();
    const cmd =
      'test -f "$GEOREASON_DATA_DIR/georeason_train.jsonl" && test -f "$GEOREASON_REWARD_FILE" && echo "out=$GEOREASON_OUTPUT_DIR" && ' +
      `python3 -c "print({'loss': 0.5, 'reward': 0.25}); print({'loss': 0.4, 'reward': float('nan')})"`;
    const job = start({ recipe: 'custom', runName: 'custom-ok', customCommand: cmd, data: { datasetId: fx.datasetId }, reward: { specId } });
    const done = await manager.waitFor(project.path, job.id);
    const store = new JobStore(project.db);
    expect(done.status, done.message ?? '').toBe('done');
    expect(store.metrics(job.id).filter((m) => m.name === 'reward')).toEqual([
      { step: 1, name: 'reward', value: 0.25, wallMs: expect.any(Number) },
      { step: 2, name: 'reward', value: null, wallMs: expect.any(Number) },
    ]);
  }, 60_000);

  it('Slurm: sbatch --parsable submits job.sbatch, its log is followed, squeue ends it; scancel cancels', async () => {
    useEnv({}, true);
    const job = start(grpo('slurm-ok', { slurm: { enabled: true, partition: 'gpu', time: '01:00:00' } }));
    const done = await manager.waitFor(project.path, job.id);
    const store = new JobStore(project.db);
    const log = fs.readFileSync(store.detail(job.id).logPath as string, 'utf8');
    expect(done.status, `${done.message}\n${log}`).toBe('done');
    expect(log).toMatch(/submitted Slurm job 1001 on this machine/);
    expect(store.metrics(job.id).filter((m) => m.name === 'reward')).toHaveLength(6);
    const sbatch = fs.readFileSync(path.join(tmp.dir, 'slurm-state', '1001.sbatch'), 'utf8');
    expect(sbatch).toContain('#SBATCH --partition=gpu');
    expect(sbatch).toContain('#SBATCH --time=01:00:00');

    const termFile = path.join(tmp.dir, 'term-slurm');
    useEnv({ STANDIN_SLEEP: '0.5', STANDIN_STEPS: '200', STANDIN_TERM_FILE: termFile }, true);
    const job2 = start(grpo('slurm-cancel', { slurm: { enabled: true } }));
    await waitUntil('the first metric', () => store.metrics(job2.id).length > 0);
    manager.cancel(project, job2.id);
    const done2 = await manager.waitFor(project.path, job2.id);
    expect(done2.status).toBe('cancelled');
    expect(fs.readFileSync(path.join(tmp.dir, 'slurm-state', 'scancel.log'), 'utf8')).toContain('1002 TERM');
    expect(fs.readFileSync(termFile, 'utf8')).toBe('SIGTERM\n');
  }, 90_000);

  it('the preview of an ms-swift run asks the environment for its version, and says so', async () => {
    const site = path.join(tmp.dir, 'site-swift41');
    fs.mkdirSync(path.join(site, 'ms_swift-4.1.0.dist-info'), { recursive: true });
    fs.writeFileSync(path.join(site, 'ms_swift-4.1.0.dist-info', 'METADATA'), 'Metadata-Version: 2.1\nName: ms-swift\nVersion: 4.1.0\n');
    const projects = new ProjectService(path.join(tmp.dir, 'user'));
    projects.open(project.path);
    try {
      const previewWith = async (env: NodeJS.ProcessEnv, more: Partial<Settings> = {}) => {
        const h = externalHandlers(projects, { manager, env });
        const settings = contract['external.preview'].params.parse({
          settings: { recipe: 'swift-grpo', runName: 'swift-preview', env: { kind: 'interpreter', path: PYTHON }, model: 'Qwen/Qwen2.5-VL-7B-Instruct', data: { datasetId: fx.datasetId }, reward: { specId }, ...more },
        });
        return contract['external.preview'].result.parse(await h['external.preview'](settings, detachedTask()));
      };
      const detected = await previewWith({ ...process.env, PYTHONPATH: site });
      expect(detected.targets).toBe('ms-swift 4.1.0 (--tuner_type), detected on this machine');
      expect(detected.command).toContain('--tuner_type full');
      const set = await previewWith({ ...process.env, PYTHONPATH: site }, { swiftVersion: '3.5.3' });
      expect(set.targets).toBe('ms-swift 3.5.3 (--train_type)');
      const none = await previewWith({ ...process.env, PYTHONPATH: path.join(tmp.dir, 'no-such-site') });
      expect(none.targets).toMatch(/not known yet/);
      expect(none.warnings.join(' ')).toMatch(/ms-swift version not detected: ms-swift is not installed in that Python environment on this machine/);
    } finally {
      projects.close();
    }
  }, 60_000);

  it('through the RPC handlers: preview shows the exact command and files, start queues the same run, checkpoints list and fill metrics', async () => {
    const projects = new ProjectService(path.join(tmp.dir, 'user'));
    projects.open(project.path);
    const env = { ...process.env, PATH: `${path.join(FIX, 'bin')}:${process.env.PATH ?? ''}`, STANDIN_DIR: FIX };
    try {
      const h = externalHandlers(projects, { manager, env });
      const call = async <M extends 'external.preview' | 'external.start' | 'external.checkpoints' | 'external.settings' | 'external.recipes'>(m: M, params: unknown): Promise<ResultOf<M>> =>
        contract[m].result.parse(await (h[m] as (p: unknown, t: unknown) => unknown)(contract[m].params.parse(params), detachedTask())) as ResultOf<M>;
      expect((await call('external.recipes', {})).map((r) => r.id)).toEqual(['vlm-r1-grpo', 'llamafactory-sft', 'swift-grpo', 'custom']);
      const settings = grpo('rpc-run');
      const plan = await call('external.preview', { settings });
      const W = stagingDir(project.cacheDir, 'rpc-run');
      expect(plan.workDir).toBe(W);
      expect(plan.where).toBe('this machine');
      expect(plan.command).toContain('--reward_funcs georeason');
      expect(plan.files.map((f) => path.basename(f.path))).toEqual(
        expect.arrayContaining(['launch.sh', 'georeason_grpo_jsonl.py', 'georeason_reward_vlmr1.py', 'georeason_train.jsonl']),
      );
      expect(fs.existsSync(W)).toBe(false); // a preview writes nothing
      await expect(call('external.preview', { settings: { ...settings, checkout: undefined } })).rejects.toThrow(/checkout is missing/);

      const job = await call('external.start', { settings });
      expect(job).toMatchObject({ recipe: 'vlm-r1-grpo', name: 'rpc-run', specName: 'distance only', datasetName: 'Coloured places' });
      const done = await manager.waitFor(project.path, job.id);
      expect(done.status, done.message ?? '').toBe('done');
      // What ran is what the preview showed.
      expect(fs.readFileSync(path.join(W, 'launch.sh'), 'utf8')).toContain(plan.command);
      const again = await call('external.settings', { id: job.id });
      expect(again.settings.runName).toBe('rpc-run');
      const store = new JobStore(project.db);
      project.db.prepare('DELETE FROM job_metrics WHERE job_id = ?').run(job.id); // as if the log had been lost
      const ck = await call('external.checkpoints', { id: job.id });
      expect(ck.checkpoints.map((c) => c.step)).toEqual([3, 6]);
      expect(ck.metricsRead).toBeGreaterThan(0);
      expect(store.metrics(job.id).filter((m) => m.name === 'reward').map((m) => m.step)).toEqual([1, 2, 3, 4, 5, 6]);
    } finally {
      projects.close();
    }
  }, 60_000);

  it('a Slurm run goes on when the app closes and the next start follows it again', async () => {
    useEnv({ STANDIN_SLEEP: '0.4', STANDIN_STEPS: '8' }, true);
    const job = start(grpo('slurm-detach', { slurm: { enabled: true } }));
    const store = new JobStore(project.db);
    await waitUntil('the first metric', () => store.metrics(job.id).length > 0);
    manager.dispose(); // the app closes: the run is left going
    expect(store.get(job.id).status).toBe('running');
    const slurmDir = path.join(tmp.dir, 'slurm-state');
    const id = fs.readFileSync(path.join(slurmDir, 'next'), 'utf8').trim();
    expect(pidAlive(Number(fs.readFileSync(path.join(slurmDir, `${id}.pid`), 'utf8')))).toBe(true);

    const next = new JobManager({ resourcesDir: tmp.dir, encoderDirs: [], emit: () => undefined, python: () => PYTHON, graceMs: 3000, geo: () => null });
    const env = { ...process.env, PATH: `${path.join(FIX, 'slurm-bin')}:${path.join(FIX, 'bin')}:${process.env.PATH ?? ''}`, STANDIN_DIR: FIX, STANDIN_SLURM_DIR: slurmDir };
    const runner = new ExternalRunner({ env, slurmPollMs: 300 });
    for (const r of RECIPES) next.registerRunner(r.id, runner);
    try {
      next.recover(project);
      const done = await next.waitFor(project.path, job.id);
      const log = fs.readFileSync(store.detail(job.id).logPath as string, 'utf8');
      expect(done.status, `${done.message}\n${log}`).toBe('done');
      expect(store.metrics(job.id).filter((m) => m.name === 'reward').map((m) => m.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(log).toContain('the app closed; the run goes on');
      expect(log).toContain('reattached to the run on Slurm on this machine');
      // Lines logged before the app closed are not written twice.
      expect(log.split('\n').filter((l) => l.includes('reward_funcs:')).length).toBe(1);
    } finally {
      next.dispose();
    }
  }, 60_000);
});
