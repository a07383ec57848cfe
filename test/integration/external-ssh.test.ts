/**
 * The SSH path of the external trainers against an sshd on loopback started by the
 * test (Debian's openssh-server, as root): the run folder copied with rsync and with
 * scp, launch.sh started under setsid on the "server", its log streamed back over
 * ssh, metrics read, checkpoints listed over ssh, cancel reaching the remote process
 * group. Skipped, saying why, when sshd, rsync or root are missing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExternalSettings, type ExternalSettings as Settings } from '../../shared/rpc/external-methods.js';
import { JobManager, type ProjectRef } from '../../electron/services/jobs/job-manager.js';
import { JobStore } from '../../electron/services/jobs/job-store.js';
import { specOf } from '../../electron/services/external/context.js';
import { RECIPES } from '../../electron/services/external/recipes/index.js';
import { ExternalRunner, listCheckpointsOn } from '../../electron/services/external/runner.js';
import { sshTarget } from '../../electron/services/external/target.js';
import { pidAlive } from '../../electron/services/jobs/job-process.js';
import { externalHandlers } from '../../electron/services/external/rpc-handlers.js';
import { ProjectService } from '../../electron/services/project/project-service.js';
import { detachedTask } from '../../electron/services/rpc/task-context.js';
import { contract } from '../../shared/rpc/contract.js';
import { sshdMissing, startSshd, type LoopbackSshd } from '../helpers/sshd.js';
import { tempDir } from '../helpers/temp.js';
import { PYTHON, makeTrainingProject, type Fixture } from '../helpers/trainer-fixture.js';

const FIX = path.resolve('test/fixtures/external');

const missing = sshdMissing();
if (missing) console.warn(`external SSH tests skipped: ${missing}`);

describe.skipIf(missing !== null)('external trainers over SSH (loopback sshd)', () => {
  const tmp = tempDir('georeason-external-ssh-');
  let sshd: LoopbackSshd | null = null;
  let port = 0;
  let fx: Fixture;
  let project: ProjectRef;
  const key = path.join(tmp.dir, 'client_key');
  const remoteDir = path.join(tmp.dir, 'server-runs');
  const manager = new JobManager({ resourcesDir: tmp.dir, encoderDirs: [], emit: () => undefined, python: () => PYTHON, graceMs: 3000, geo: () => null });

  beforeAll(async () => {
    sshd = await startSshd(tmp.dir);
    port = sshd.port;
    fx = await makeTrainingProject(tmp.dir, 2);
    project = { db: fx.store.db, path: fx.store.path, cacheDir: fx.store.cacheDir };
    const runner = new ExternalRunner({ env: { ...process.env, STANDIN_SLEEP: '0.2' } });
    for (const r of RECIPES) manager.registerRunner(r.id, runner);
  }, 60_000);

  afterAll(() => {
    manager.dispose();
    sshd?.stop();
    fx?.store.close();
    tmp.cleanup();
  });

  const where = (transfer: 'rsync' | 'scp') => ({
    kind: 'ssh' as const,
    host: '127.0.0.1',
    user: 'root',
    port,
    identityFile: key,
    remoteDir,
    imageFolder: path.join(tmp.dir, 'photos'),
    transfer,
    sshOptions: ['-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR'],
  });

  const start = (settings: Settings) => {
    const s = ExternalSettings.parse(settings);
    return manager.startWith(project, s.recipe, { name: s.runName, datasetId: s.data?.datasetId ?? null, specName: null, external: s, spec: specOf(project.db, s) });
  };

  it.each(['rsync', 'scp'] as const)('LLaMA-Factory SFT on the server (files by %s): log streamed back, checkpoints listed over ssh', async (transfer) => {
    // The server's PATH does not hold the stand-ins: the interpreter setting puts its folder
    // first (the file itself need not exist: only its folder is used by this recipe).
    const job = start({
      recipe: 'llamafactory-sft',
      runName: `sft-${transfer}`,
      env: { kind: 'interpreter', path: path.join(FIX, 'bin', 'python3') },
      model: '/models/Qwen2.5-VL-3B-Instruct',
      data: { datasetId: fx.datasetId, valFraction: 0 },
      hyper: { saveSteps: 3 },
      where: where(transfer),
    });
    const done = await manager.waitFor(project.path, job.id);
    const store = new JobStore(project.db);
    const log = fs.readFileSync(store.detail(job.id).logPath as string, 'utf8');
    expect(done.status, `${done.message}\n${log}`).toBe('done');
    expect(log).toContain(`files copied to ssh root@127.0.0.1:${port}:${remoteDir}/sft-${transfer}`);
    expect(store.metrics(job.id).filter((m) => m.name === 'loss')).toHaveLength(6);
    expect(done.pid).toBeNull(); // the process runs on the server
    // GPU telemetry asks the server's nvidia-smi, which this one has not.
    expect(log.match(new RegExp(`GPU telemetry: no GPU \\(nvidia-smi not found on ssh root@127\\.0\\.0\\.1:${port}\\)`, 'g'))).toHaveLength(1);
    const W = path.join(remoteDir, `sft-${transfer}`);
    expect(fs.existsSync(path.join(W, 'data', 'dataset_info.json'))).toBe(true);
    const arts = store.artifacts(job.id).map((a) => a.path);
    expect(arts).toContain(`ssh root@127.0.0.1:${port}:${W}/output/checkpoint-6`);
    const listed = await listCheckpointsOn(sshTarget(where(transfer)), path.join(W, 'output'));
    expect(listed.map((c) => [c.step, c.vlm, c.loadable])).toEqual([
      [3, true, true],
      [6, true, true],
    ]);
    // external.checkpoints reads the last trainer_state.json over ssh into the metrics.
    const projects = new ProjectService(path.join(tmp.dir, 'user'));
    projects.open(project.path);
    try {
      const h = externalHandlers(projects, { manager, env: { ...process.env, STANDIN_SLEEP: '0.2' } });
      project.db.prepare('DELETE FROM job_metrics WHERE job_id = ?').run(job.id);
      const r = contract['external.checkpoints'].result.parse(await h['external.checkpoints']({ id: job.id }, detachedTask()));
      expect(r.checkpoints.map((c) => c.step)).toEqual([3, 6]);
      expect(r.metricsRead).toBeGreaterThan(0);
      expect(store.metrics(job.id).filter((m) => m.name === 'loss')).toHaveLength(6);
    } finally {
      projects.close();
    }
  }, 60_000);

  it("external.detectVersion asks the server's Python environment for its ms-swift, over ssh", async () => {
    // A server-side interpreter whose installed-package metadata says ms-swift 4.0.2.
    const site = path.join(tmp.dir, 'remote-site');
    fs.mkdirSync(path.join(site, 'ms_swift-4.0.2.dist-info'), { recursive: true });
    fs.writeFileSync(path.join(site, 'ms_swift-4.0.2.dist-info', 'METADATA'), 'Metadata-Version: 2.1\nName: ms-swift\nVersion: 4.0.2\n');
    const python = path.join(tmp.dir, 'remote-python');
    fs.writeFileSync(python, `#!/bin/sh\nPYTHONPATH=${site} exec ${PYTHON} "$@"\n`, { mode: 0o755 });
    const projects = new ProjectService(path.join(tmp.dir, 'user'));
    projects.open(project.path);
    try {
      const h = externalHandlers(projects, { manager });
      const ask = async (interpreter: string) =>
        contract['external.detectVersion'].result.parse(
          await h['external.detectVersion']({ settings: ExternalSettings.parse({ recipe: 'swift-grpo', runName: 'probe', env: { kind: 'interpreter', path: interpreter }, where: where('rsync') }) }, detachedTask()),
        );
      expect(await ask(python)).toEqual({ trainer: 'ms-swift', version: '4.0.2', where: `ssh root@127.0.0.1:${port}`, message: `ms-swift 4.0.2 on ssh root@127.0.0.1:${port}` });
      const none = await ask(PYTHON);
      expect(none.version).toBeNull();
      expect(none.message).toBe(`ms-swift is not installed in that Python environment on ssh root@127.0.0.1:${port}`);
    } finally {
      projects.close();
    }
  }, 60_000);

  it('cancel reaches the remote process group (kill -TERM -<pgid> over ssh)', async () => {
    const cmd = `trap 'echo SIGTERM > ${tmp.dir}/remote-term; exit 143' TERM; for i in $(seq 1 200); do echo "{'loss': $i}"; sleep 0.3; done`;
    const job = start({ recipe: 'custom', runName: 'remote-cancel', customCommand: cmd, where: where('rsync') });
    const store = new JobStore(project.db);
    const end = Date.now() + 20_000;
    while (store.metrics(job.id).length < 2) {
      if (Date.now() > end) throw new Error(`no metric arrived: ${store.get(job.id).message}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const pgid = Number(fs.readFileSync(path.join(remoteDir, 'remote-cancel', 'run.pid'), 'utf8'));
    expect(pidAlive(pgid)).toBe(true);
    manager.cancel(project, job.id);
    const done = await manager.waitFor(project.path, job.id);
    expect(done.status).toBe('cancelled');
    expect(fs.readFileSync(path.join(tmp.dir, 'remote-term'), 'utf8').trim()).toBe('SIGTERM');
    const gone = Date.now() + 5000;
    while (pidAlive(pgid) && Date.now() < gone) await new Promise((r) => setTimeout(r, 50));
    expect(pidAlive(pgid)).toBe(false);
  }, 60_000);
});
