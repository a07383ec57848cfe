/**
 * The machine a run trains on: this one (bash), or a GPU server reached with the
 * system's ssh (BatchMode=yes: keys and ~/.ssh/config only, never a password prompt).
 * Both run bash command lines the same way, so the launcher has one code path;
 * files go to the server with rsync (or scp).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Where } from '../../../shared/rpc/external-methods.js';
import { q } from './shell.js';

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Target {
  /** "this machine", "ssh user@gpu1:2222" */
  label: string;
  remote: boolean;
  /** The argv that runs a bash command line there. */
  argv(command: string): string[];
  /** The commands that copy a local folder's contents into `dir` there (after `mkdir -p dir`). */
  syncArgv(localDir: string, dir: string): string[][];
}

type SshWhere = Extract<Where, { kind: 'ssh' }>;

function sshBase(w: SshWhere): string[] {
  return [
    '-o',
    'BatchMode=yes',
    '-o',
    'ServerAliveInterval=30',
    '-o',
    'ConnectTimeout=20',
    ...(w.port !== undefined ? ['-p', String(w.port)] : []),
    ...(w.identityFile ? ['-i', w.identityFile] : []),
    ...(w.sshOptions ?? []),
  ];
}

export function localTarget(): Target {
  return {
    label: 'this machine',
    remote: false,
    argv: (command) => ['bash', '-c', command],
    syncArgv: () => [],
  };
}

export function sshTarget(w: SshWhere): Target {
  const dest = w.user ? `${w.user}@${w.host}` : w.host;
  const base = sshBase(w);
  return {
    label: `ssh ${dest}${w.port !== undefined ? `:${w.port}` : ''}`,
    remote: true,
    // ssh joins its arguments into one line for the remote login shell: hand it one bash -c word.
    argv: (command) => ['ssh', ...base, dest, '--', `bash -c ${q(command)}`],
    syncArgv: (localDir, dir) => {
      if ((w.transfer ?? 'rsync') === 'rsync') {
        return [['rsync', '-a', '-s', '-e', ['ssh', ...base].map(q).join(' '), `${localDir}${path.sep}`, `${dest}:${dir}/`]];
      }
      const entries = fs.readdirSync(localDir).map((e) => path.join(localDir, e));
      const scpBase = base.map((a, i) => (a === '-p' && i < base.length - 1 ? '-P' : a));
      return entries.length === 0 ? [] : [['scp', '-r', '-q', ...scpBase, ...entries, `${dest}:${q(dir)}/`]];
    },
  };
}

export function targetOf(where: Where): Target {
  return where.kind === 'ssh' ? sshTarget(where) : localTarget();
}

/** Runs argv to the end, with its output (bounded) and exit code. */
export function execArgv(argv: string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; signal?: AbortSignal } = {}): Promise<ExecResult> {
  return new Promise((resolve) => {
    const [cmd, ...args] = argv;
    const child = spawn(cmd as string, args, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env });
    let stdout = '';
    let stderr = '';
    const cap = (s: string, add: string): string => (s.length > 1_000_000 ? s : s + add);
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout = cap(stdout, c)));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr = cap(stderr, c)));
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : null;
    const onAbort = (): void => {
      child.kill('SIGTERM');
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e) => {
      stderr += `${cmd}: ${e.message}`;
    });
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs a bash command line on the target; throws with its stderr when it fails. */
export async function run(target: Target, command: string, what: string, options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; signal?: AbortSignal } = {}): Promise<string> {
  const r = await execArgv(target.argv(command), { timeoutMs: 120_000, ...options });
  if (r.code !== 0) {
    const why = (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ');
    throw new Error(`${what} on ${target.label} failed (exit ${r.code ?? 'killed'})${why ? `: ${why}` : ''}`);
  }
  return r.stdout;
}
