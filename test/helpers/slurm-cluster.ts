/**
 * A one-node Slurm cluster for tests, run as root from Debian's packages (slurmctld,
 * slurmd, slurm-client, munge; Slurm 22.05 on bookworm): its own munge key and socket,
 * a slurm.conf with one node holding two GPU slots (gres files /dev/null and /dev/zero,
 * so no GPU is needed) in a `gpu` partition, its own ports, state and spool folders,
 * all in a temporary folder. Commands reach it through SLURM_CONF, so a cluster
 * already running on the machine is left alone. stop() cancels its jobs and ends the
 * three daemons.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports.js';
import { alive } from './processes.js';

const DAEMONS = { munged: '/usr/sbin/munged', slurmctld: '/usr/sbin/slurmctld', slurmd: '/usr/sbin/slurmd' } as const;
const CLIENTS = ['sbatch', 'squeue', 'scancel', 'scontrol', 'sinfo'] as const;

/** Why a Slurm cluster cannot start here (what to install), or null. */
export function slurmMissing(): string | null {
  for (const [name, bin] of Object.entries(DAEMONS)) {
    if (!fs.existsSync(bin)) return `${name} is not installed (apt-get install slurmctld slurmd slurm-client munge)`;
  }
  for (const bin of CLIENTS) {
    if (spawnSync('bash', ['-c', `command -v ${bin}`]).status !== 0) return `${bin} is not installed (apt-get install slurm-client)`;
  }
  if (process.getuid?.() !== 0) return 'the test cluster runs its daemons as root';
  return null;
}

export interface SlurmCluster {
  /** The folder holding slurm.conf, state, spool and logs. */
  dir: string;
  conf: string;
  /** process.env plus SLURM_CONF: the environment for Slurm commands. */
  env: NodeJS.ProcessEnv;
  node: string;
  /** Runs a Slurm command (scontrol, squeue...) against this cluster; stdout. */
  cmd(args: string[]): string;
  /** The daemons' logs, for a failing test's message. */
  logs(): string;
  stop(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function pidIn(file: string): number | null {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

async function until(what: string, ok: () => boolean, ms: number, why: () => string = () => ''): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`test Slurm cluster: timed out waiting for ${what}\n${why()}`);
    await sleep(100);
  }
}

/** Starts munged, slurmctld and slurmd in `dir` (an empty folder); resolves once the node is idle. */
export async function startSlurmCluster(dir: string): Promise<SlurmCluster> {
  const node = os.hostname().split('.')[0] ?? 'localhost';
  const munge = path.join(dir, 'munge');
  fs.mkdirSync(munge, { mode: 0o700 });
  for (const d of ['state', 'spool']) fs.mkdirSync(path.join(dir, d));
  const key = path.join(munge, 'munge.key');
  fs.writeFileSync(key, randomBytes(1024), { mode: 0o400 });
  const socket = path.join(munge, 'munge.socket');
  const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
  const conf = path.join(dir, 'slurm.conf');
  const f = (name: string): string => path.join(dir, name);
  fs.writeFileSync(
    conf,
    [
      'ClusterName=georeason-test',
      `SlurmctldHost=${node}(127.0.0.1)`,
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${slurmdPort}`,
      'SlurmUser=root',
      'SlurmdUser=root',
      'AuthType=auth/munge',
      `AuthInfo=socket=${socket}`,
      `StateSaveLocation=${f('state')}`,
      `SlurmdSpoolDir=${f('spool')}`,
      `SlurmctldPidFile=${f('slurmctld.pid')}`,
      `SlurmdPidFile=${f('slurmd.pid')}`,
      `SlurmctldLogFile=${f('slurmctld.log')}`,
      `SlurmdLogFile=${f('slurmd.log')}`,
      // No cgroups in containers: track processes by parent pid, no task binding.
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'JobAcctGatherType=jobacct_gather/none',
      // Like many small clusters: no slurmdbd, so sacct has nothing; scontrol keeps ended jobs MinJobAge seconds.
      'AccountingStorageType=accounting_storage/none',
      'JobCompType=jobcomp/none',
      'MpiDefault=none',
      'SchedulerType=sched/backfill',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_Core',
      'ReturnToService=2',
      'KillWait=2',
      'MinJobAge=300',
      'GresTypes=gpu',
      `NodeName=${node} NodeAddr=127.0.0.1 CPUs=${Math.max(1, Math.min(os.cpus().length, 4))} RealMemory=1000 Gres=gpu:2 State=UNKNOWN`,
      `PartitionName=gpu Nodes=${node} Default=YES MaxTime=INFINITE State=UP`,
      '',
    ].join('\n'),
  );
  fs.writeFileSync(path.join(dir, 'gres.conf'), `NodeName=${node} Name=gpu File=/dev/null\nNodeName=${node} Name=gpu File=/dev/zero\n`);
  const env: NodeJS.ProcessEnv = { ...process.env, SLURM_CONF: conf };

  const logs = (): string =>
    ['munge/munged.log', 'slurmctld.log', 'slurmd.log']
      .map((n) => {
        const p = path.join(dir, n);
        const text = fs.existsSync(p) ? fs.readFileSync(p, 'utf8').trim().split('\n').slice(-15).join('\n') : '(none)';
        return `--- ${n}\n${text}`;
      })
      .join('\n');
  const cmd = (args: string[]): string => {
    const r = spawnSync(args[0] as string, args.slice(1), { env, encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0) throw new Error(`${args.join(' ')} failed (exit ${r.status ?? 'killed'}): ${(r.stderr || r.stdout).trim()}`);
    return r.stdout;
  };
  const pids = { munged: path.join(munge, 'munged.pid'), slurmctld: f('slurmctld.pid'), slurmd: f('slurmd.pid') };

  const stop = async (): Promise<void> => {
    // Jobs first (their slurmstepd outlive slurmd), then the daemons, newest first.
    if (pidIn(pids.slurmctld) !== null) {
      spawnSync('scancel', ['--full', '--user=root'], { env, timeout: 10_000 });
      const end = Date.now() + 15_000;
      while (Date.now() < end) {
        const r = spawnSync('squeue', ['-h', '-o', '%i'], { env, encoding: 'utf8', timeout: 10_000 });
        if (r.status !== 0 || r.stdout.trim() === '') break;
        await sleep(200);
      }
    }
    for (const name of ['slurmd', 'slurmctld', 'munged'] as const) {
      const pid = pidIn(pids[name]);
      if (pid === null || !alive(pid)) continue;
      process.kill(pid, 'SIGTERM');
      const end = Date.now() + 10_000;
      while (alive(pid) && Date.now() < end) await sleep(100);
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  };

  const daemon = (bin: string, args: string[]): void => {
    const r = spawnSync(bin, args, { env, encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0) throw new Error(`${bin} ${args.join(' ')} did not start (exit ${r.status ?? 'killed'}): ${(r.stderr || r.stdout).trim()}\n${logs()}`);
  };
  try {
    // Each daemon forks into the background and writes its pid file.
    daemon(DAEMONS.munged, ['--force', `--key-file=${key}`, `--socket=${socket}`, `--pid-file=${pids.munged}`, `--log-file=${path.join(munge, 'munged.log')}`, `--seed-file=${path.join(munge, 'seed')}`]);
    await until('munged', () => fs.existsSync(socket), 10_000, logs);
    daemon(DAEMONS.slurmctld, ['-i']);
    daemon(DAEMONS.slurmd, ['-N', node]);
    await until(
      'the node to be idle',
      () => {
        const r = spawnSync('sinfo', ['-h', '-N', '-o', '%T'], { env, encoding: 'utf8', timeout: 10_000 });
        return r.status === 0 && r.stdout.trim() === 'idle';
      },
      30_000,
      logs,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { dir, conf, env, node, cmd, logs, stop };
}
