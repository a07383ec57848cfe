/**
 * kill -9 during a training job, with the real server host as a child process:
 *
 * - the built-in cor-policy recipe, run by a stand-in interpreter (the Python setting
 *   points at a shell script that speaks the trainer's JSON lines and sleeps): the
 *   server is SIGKILLed while the job runs; its trainer dies with it (its stdout pipe
 *   is gone). A server started again on the same project marks the job failed and
 *   says why; metrics, log and the project (integrity_check) are intact.
 * - an external `custom` run (a stand-in trainer printing TRL-style dicts), which runs
 *   detached from the app so that it outlives a restart: if it survives the kill, the
 *   next start follows it again (still running, metrics still coming, cancel works);
 *   if it died too (the machine went down), the next start marks it failed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectStore } from '../../electron/services/store/project-store.js';
import type { RpcClient } from '../helpers/rpc-client.js';
import { killStartedServers, sigkill, startOnProject } from '../helpers/crash-servers.js';
import { alive } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp.js';
import { GEO_R_PAPER, makeTrainingProject } from '../helpers/trainer-fixture.js';

let dir: string;
let cleanup: () => void;
let project: string;
/** Trainer pids (external runs: process groups) to end after the tests if still there. */
const trainers: { pid: number; group: boolean }[] = [];
/** A server host on this file's project, killed after the tests if still running. */
const start = (): ReturnType<typeof startOnProject> => startOnProject(project, dir);

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('georeason-crash-job-'));
  const fixture = await makeTrainingProject(dir, 3);
  project = fixture.store.path;
  fixture.store.close();
  // The stand-in interpreter: probes (`-c …`) fail fast; a run prints the trainer's events.
  const fake = path.join(dir, 'fake-python.sh');
  fs.writeFileSync(
    fake,
    [
      '#!/bin/sh',
      'if [ "$1" = "-c" ]; then echo "stand-in interpreter" >&2; exit 1; fi',
      'i=0',
      'while [ $i -lt 3000 ]; do',
      '  i=$((i + 1))',
      '  echo "{\\"event\\":\\"progress\\",\\"step\\":$i,\\"total\\":3000}"',
      '  echo "{\\"event\\":\\"metric\\",\\"step\\":$i,\\"name\\":\\"reward\\",\\"value\\":0.5}"',
      '  echo "plain log text $i"',
      '  sleep 0.1',
      'done',
      'echo "{\\"event\\":\\"done\\",\\"status\\":\\"ok\\"}"',
      '',
    ].join('\n'),
  );
  fs.chmodSync(fake, 0o755);
  fs.mkdirSync(path.join(dir, 'user'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'user', 'training-settings.json'), JSON.stringify({ python: fake }));
}, 120_000);

afterAll(() => {
  killStartedServers();
  for (const t of trainers) {
    try {
      process.kill(t.group ? -t.pid : t.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  cleanup?.();
});

interface Job {
  id: number;
  status: string;
  pid: number | null;
  step: number | null;
  message: string | null;
  endedAt: string | null;
  logPath?: string | null;
}

async function getJob(rpc: RpcClient, id: number): Promise<Job> {
  const got = (await rpc.call('jobs.get', { id })) as { result?: Job; error?: { message: string } };
  expect(got.error, got.error?.message).toBeUndefined();
  return got.result as Job;
}

/** Polls the job until `ok` says so (or fails with the last state seen). */
async function until(rpc: RpcClient, id: number, ok: (j: Job) => boolean, what: string, ms = 60_000): Promise<Job> {
  const deadline = Date.now() + ms;
  let last: Job | null = null;
  while (Date.now() < deadline) {
    last = await getJob(rpc, id);
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`job ${id} never ${what}; last seen: ${JSON.stringify(last)}`);
}

function storedState(id: number): { status: string; metrics: number } {
  const store = ProjectStore.open(project);
  try {
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    return {
      status: store.db.prepare('SELECT status FROM jobs WHERE id = ?').pluck().get(id) as string,
      metrics: store.db.prepare('SELECT COUNT(*) FROM job_metrics WHERE job_id = ?').pluck().get(id) as number,
    };
  } finally {
    store.close();
  }
}

describe('kill -9 during a job', () => {
  it('built-in recipe: the trainer dies with the app; the next start marks the job failed', async () => {
    const { server, rpc } = await start();
    const started = (await rpc.call('jobs.start', { datasetId: 1, spec: GEO_R_PAPER, config: { sftSteps: 10, grpoSteps: 10 }, rolloutSamples: 0 })) as {
      result?: Job;
      error?: { message: string };
    };
    expect(started.error?.message).toBeUndefined();
    const jobId = (started.result as Job).id;
    const running = await until(rpc, jobId, (j) => j.status === 'running' && j.pid !== null && (j.step ?? 0) >= 3, 'ran', 90_000).catch((err: Error) => {
      throw new Error(`${err.message}\nserver output:\n${server.output()}`);
    });
    trainers.push({ pid: running.pid as number, group: false });

    await sigkill(server);
    expect(server.child.signalCode).toBe('SIGKILL');
    const left = storedState(jobId);
    expect(left.status).toBe('running'); // as the killed app left it
    expect(left.metrics).toBeGreaterThan(0);
    // Its stdout gone, the stand-in trainer dies at its next line.
    await expect.poll(() => alive(running.pid as number), { timeout: 10_000 }).toBe(false);

    const again = await start();
    try {
      const failed = await getJob(again.rpc, jobId);
      expect(failed.status).toBe('failed');
      expect(failed.endedAt).not.toBeNull();
      expect(failed.message ?? '').toMatch(/app closed while this job was running/);
      const kept = (await again.rpc.call('jobs.metrics', { id: jobId })) as { result: unknown[] };
      expect(kept.result.length).toBeGreaterThanOrEqual(left.metrics);
      const log = (await again.rpc.call('jobs.log', { id: jobId })) as { result?: unknown; error?: unknown };
      expect(log.error).toBeUndefined();
      expect(JSON.stringify(log.result)).toContain('plain log text');
    } finally {
      again.rpc.close();
      await again.server.stop();
    }
    expect(storedState(jobId).status).toBe('failed');
  }, 180_000);

  /** Starts an external custom run and waits until it runs with a few steps logged. */
  async function startExternal(rpc: RpcClient, runName: string): Promise<Job> {
    const customCommand = `for i in $(seq 1 3000); do echo "{'loss': 0.5, 'reward': 0.25, 'epoch': $i}"; sleep 0.1; done`;
    const started = (await rpc.call('external.start', { settings: { recipe: 'custom', runName, customCommand } })) as { result?: Job; error?: { message: string } };
    expect(started.error?.message).toBeUndefined();
    const job = await until(rpc, (started.result as Job).id, (j) => j.status === 'running' && j.pid !== null && (j.step ?? 0) >= 3, 'ran');
    trainers.push({ pid: job.pid as number, group: true });
    return job;
  }

  it('external run that survives the app: the next start follows it again, and cancel stops it', async () => {
    const { server, rpc } = await start();
    const job = await startExternal(rpc, 'survives');
    await sigkill(server);
    expect(alive(job.pid as number)).toBe(true); // detached in its own session, so the kill did not reach it
    const left = storedState(job.id);
    expect(left.status).toBe('running');

    const again = await start();
    try {
      const followed = await until(again.rpc, job.id, (j) => j.status === 'running' && (j.step ?? 0) > (job.step ?? 0) + 5, 'was followed again');
      expect(followed.status).toBe('running');
      expect(((await again.rpc.call('jobs.cancel', { id: job.id })) as { error?: unknown }).error).toBeUndefined();
      await until(again.rpc, job.id, (j) => j.status === 'cancelled', 'cancelled', 30_000);
      await expect.poll(() => alive(job.pid as number), { timeout: 15_000 }).toBe(false);
    } finally {
      again.rpc.close();
      await again.server.stop();
    }
  }, 180_000);

  it('external run that dies with the app: the next start marks it failed', async () => {
    const { server, rpc } = await start();
    const job = await startExternal(rpc, 'dies');
    await sigkill(server);
    process.kill(-(job.pid as number), 'SIGKILL'); // the machine went down with it
    await expect.poll(() => alive(job.pid as number), { timeout: 10_000 }).toBe(false);
    const left = storedState(job.id);
    expect(left.metrics).toBeGreaterThan(0);

    const again = await start();
    try {
      const failed = await until(again.rpc, job.id, (j) => j.status === 'failed', 'was marked failed', 30_000);
      expect(failed.endedAt).not.toBeNull();
      expect((failed.message ?? '').length).toBeGreaterThan(0);
      const kept = (await again.rpc.call('jobs.metrics', { id: job.id })) as { result: unknown[] };
      expect(kept.result.length).toBeGreaterThanOrEqual(left.metrics);
    } finally {
      again.rpc.close();
      await again.server.stop();
    }
    const reopened = ProjectStore.open(project);
    try {
      expect(reopened.db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(reopened.db.prepare("SELECT COUNT(*) FROM jobs WHERE status IN ('queued', 'preparing', 'running')").pluck().get()).toBe(0);
    } finally {
      reopened.close();
    }
  }, 180_000);
});
