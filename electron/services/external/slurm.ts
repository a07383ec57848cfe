/**
 * What Slurm says about a submitted job: whether it is still queued or running
 * (squeue), and how it ended (scontrol show job while the controller still holds the
 * job, MinJobAge after its end; sacct where accounting storage keeps it longer).
 * Each question is one bash command line, so it runs the same on this machine and
 * over ssh.
 */
import { q } from './shell.js';

/** States a job leaves the queue in (squeue/scontrol/sacct spell them the same). */
const ENDED = /^(COMPLETED|FAILED|CANCELLED|TIMEOUT|OUT_OF_MEMORY|NODE_FAIL|BOOT_FAIL|DEADLINE|PREEMPTED|SPECIAL_EXIT|REVOKED)\b/;

/** The command that prints the job's state while Slurm lists it (nothing once it is gone). */
export function queueStateCommand(jobId: string): string {
  return `squeue -h -j ${q(jobId)} -o %T`;
}

/**
 * Reads squeue's answer: true while the job waits or runs, false once it ended or the
 * controller no longer knows it, null when squeue itself failed (controller unreachable,
 * a dropped connection): the job may well go on, so the caller asks again later.
 */
export function stillQueued(code: number | null, stdout: string, stderr: string): boolean | null {
  if (code !== 0) return /invalid job id/i.test(stderr) ? false : null;
  const state = stdout.trim();
  return state.length > 0 && !ENDED.test(state);
}

export interface SlurmEnd {
  /** COMPLETED, TIMEOUT, CANCELLED, FAILED, OUT_OF_MEMORY, NODE_FAIL... */
  state: string;
  /** Slurm's reason (TimeLimit, NonZeroExitCode...), when it gives one. */
  reason: string | null;
  /** "exit:signal" of the batch script, e.g. 0:15 when a signal ended it. */
  exitCode: string | null;
}

/**
 * The command that prints how the job ended: `scontrol show job -o` (one line of
 * Key=Value) while the controller keeps the job, else sacct's State|ExitCode.
 */
export function endStateCommand(jobId: string): string {
  const id = q(jobId);
  return `scontrol show job -o ${id} 2>/dev/null || sacct -n -P -X -j ${id} -o JobID,State,ExitCode 2>/dev/null || true`;
}

/** Parses endStateCommand's output; null when neither scontrol nor sacct knew the job. */
export function parseEndState(out: string): SlurmEnd | null {
  const text = out.trim();
  if (!text) return null;
  const state = /(?:^|\s)JobState=(\S+)/.exec(text)?.[1];
  if (state) {
    const reason = /(?:^|\s)Reason=(\S+)/.exec(text)?.[1];
    return {
      state,
      reason: reason && reason !== 'None' ? reason : null,
      exitCode: /(?:^|\s)ExitCode=(\S+)/.exec(text)?.[1] ?? null,
    };
  }
  // sacct: "12|TIMEOUT|0:0"; "CANCELLED by 0" names who cancelled.
  const row = text.split('\n').map((l) => l.split('|')).find((c) => c.length >= 3 && (c[1] ?? '').length > 0);
  if (!row) return null;
  const [st, ...by] = (row[1] ?? '').split(' ');
  return { state: st ?? '', reason: by.length > 0 ? by.join(' ') : null, exitCode: row[2] || null };
}

/** True when Slurm ended the job itself (time limit, memory, node failure, scancel...). */
export function endedBySlurm(end: SlurmEnd): boolean {
  return end.state !== 'COMPLETED';
}

/** "Slurm ended job 12: TIMEOUT (TimeLimit)". */
export function describeEnd(jobId: string, end: SlurmEnd): string {
  return `Slurm ended job ${jobId}: ${end.state}${end.reason ? ` (${end.reason})` : ''}`;
}
