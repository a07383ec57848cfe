/**
 * GPU telemetry: nvidia-smi's CSV (with and without units, [N/A] values) parsed, and a
 * running job sampled through a stand-in nvidia-smi on PATH that prints the real
 * format: gpu/<i>/util and gpu/<i>/mem_mib stored on the job's timeline; without
 * nvidia-smi the job's log says so once.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourcesDir } from '../../electron/services/app-paths.js';
import { GPU_QUERY, GpuSampler, parseGpuSamples, type GpuSample } from '../../electron/services/jobs/gpu-telemetry.js';
import { JobManager, type ProjectRef } from '../../electron/services/jobs/job-manager.js';
import { JobStore } from '../../electron/services/jobs/job-store.js';
import { runsTable } from '../../electron/services/jobs/run-records.js';
import { makeTrainingProject, type Fixture } from '../helpers/trainer-fixture.js';
import { repoRoot } from '../helpers/server-process.js';
import { tempDir } from '../helpers/temp.js';

const fixtures = path.join(repoRoot, 'test', 'fixtures', 'nvidia-smi');
const t = tempDir('georeason-gpu-');
let fx: Fixture;
let project: ProjectRef;
let trainer = '';
let smiDir = '';
let emptyDir = '';

beforeAll(async () => {
  fx = await makeTrainingProject(path.join(t.dir, 'p'), 3);
  project = { db: fx.store.db, path: fx.store.path, cacheDir: fx.store.cacheDir };
  trainer = path.join(t.dir, 'slow-trainer.py');
  fs.writeFileSync(
    trainer,
    [
      'import json, sys, time',
      'for s in range(1, 9):',
      '    time.sleep(0.25)',
      '    print(json.dumps({"event": "metric", "step": s, "name": "loss", "value": 1 / s}), flush=True)',
      '    print(json.dumps({"event": "progress", "step": s, "total": 8}), flush=True)',
      'print(json.dumps({"event": "done", "status": "failed", "message": "stand-in"}), flush=True)',
      'sys.exit(1)',
    ].join('\n'),
  );
  smiDir = path.join(t.dir, 'bin');
  emptyDir = path.join(t.dir, 'empty');
  fs.mkdirSync(smiDir);
  fs.mkdirSync(emptyDir);
  // The stand-in answers only the exact query the sampler asks.
  fs.writeFileSync(
    path.join(smiDir, 'nvidia-smi'),
    `#!/bin/sh\n[ "$*" = "${GPU_QUERY.join(' ')}" ] || { echo "unexpected arguments: $*" >&2; exit 2; }\ncat ${JSON.stringify(path.join(fixtures, 'nounits.csv'))}\n`,
    { mode: 0o755 },
  );
});
afterAll(() => {
  fx.store.close();
  t.cleanup();
});

const manager = (pathDir: string): JobManager =>
  new JobManager({
    resourcesDir,
    encoderDirs: [path.join(resourcesDir, 'models')],
    emit: () => undefined,
    python: () => '/usr/bin/python3',
    trainerScript: () => trainer,
    geo: () => null,
    gpuTelemetry: { intervalMs: 150, env: { ...process.env, PATH: `${pathDir}:/usr/bin:/bin` } },
  });

const spec = { name: 'fmt', components: [{ kind: 'format' }] };

describe('GPU telemetry', () => {
  it("reads nvidia-smi's CSV with and without units", () => {
    const plain = parseGpuSamples(fs.readFileSync(path.join(fixtures, 'nounits.csv'), 'utf8'));
    expect(plain).toEqual([
      { index: 0, name: 'NVIDIA H100 80GB HBM3', utilPct: 87, memUsedMiB: 61440, memTotalMiB: 81559 },
      { index: 1, name: 'NVIDIA H100 80GB HBM3', utilPct: null, memUsedMiB: 1024, memTotalMiB: 81559 },
    ]);
    expect(parseGpuSamples(fs.readFileSync(path.join(fixtures, 'units.csv'), 'utf8'))).toEqual(plain);
    expect(parseGpuSamples('0, Tesla T4, [Not Supported], 15, 15360\nNo devices were found\n')).toEqual([
      { index: 0, name: 'Tesla T4', utilPct: null, memUsedMiB: 15, memTotalMiB: 15360 },
    ]);
  });

  it('stores utilisation and memory on the timeline of a running job', async () => {
    const m = manager(smiDir);
    const job = m.start(project, { datasetId: fx.datasetId, spec, config: { sftSteps: 8, grpoSteps: 0 } });
    await m.waitFor(project.path, job.id);
    const points = new JobStore(project.db).metrics(job.id);
    const util = points.filter((p) => p.name === 'gpu/0/util');
    expect(util.length).toBeGreaterThan(2);
    expect(util.every((p) => p.value === 87 && typeof p.wallMs === 'number')).toBe(true);
    expect(points.filter((p) => p.name === 'gpu/1/util').every((p) => p.value === null)).toBe(true);
    expect(points.find((p) => p.name === 'gpu/0/mem_mib')?.value).toBe(61440);
    // Samples carry the step the job had reached: later samples, later steps.
    const steps = util.map((p) => p.step);
    expect(steps.at(-1)!).toBeGreaterThan(steps[0]!);
    // Telemetry is not a run's result.
    expect(Object.keys(runsTable(project.db).find((r) => r.id === job.id)!.final)).toEqual(['loss']);
  });

  it('samples through the command the runner gives (a server over SSH), and says once where nvidia-smi is missing', async () => {
    const sample = (argv: string[]): Promise<{ gpus?: GpuSample[]; note?: string }> =>
      new Promise((resolve) => {
        const s = new GpuSampler({
          intervalMs: 50,
          argv,
          where: 'ssh root@gpu1',
          onSample: (gpus) => {
            s.stop();
            resolve({ gpus });
          },
          onUnavailable: (note) => {
            s.stop();
            resolve({ note });
          },
        });
        s.start();
      });
    expect((await sample(['sh', '-c', `cat ${JSON.stringify(path.join(fixtures, 'units.csv'))}`])).gpus?.map((g) => g.utilPct)).toEqual([87, null]);
    // What `ssh host -- bash -c 'nvidia-smi …'` exits with when the server has none.
    expect(await sample(['sh', '-c', 'echo "bash: line 1: nvidia-smi: command not found" >&2; exit 127'])).toEqual({ note: 'no GPU (nvidia-smi not found on ssh root@gpu1)' });
  });

  it('says once that there is no GPU when nvidia-smi is missing', async () => {
    const m = manager(emptyDir);
    const job = m.start(project, { datasetId: fx.datasetId, spec, config: { sftSteps: 8, grpoSteps: 0 } });
    await m.waitFor(project.path, job.id);
    const log = fs.readFileSync(new JobStore(project.db).detail(job.id).logPath!, 'utf8');
    expect(log.match(/GPU telemetry: no GPU \(nvidia-smi not found\)/g)).toHaveLength(1);
    expect(new JobStore(project.db).metrics(job.id).some((p) => p.name.startsWith('gpu/'))).toBe(false);
  });
});
