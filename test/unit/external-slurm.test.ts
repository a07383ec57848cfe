/**
 * Reading Slurm's answers about a job. The scontrol line is what Slurm 22.05.8
 * (Debian bookworm) printed for a batch job its time limit ended, on a cluster
 * without accounting storage; the sacct rows follow `sacct -n -P -X -o
 * JobID,State,ExitCode` ('|' between fields; State is "CANCELLED by <uid>" when someone
 * cancelled the job: PRINT_STATE in SchedMD/slurm src/sacct/print.c).
 */
import { describe, expect, it } from 'vitest';
import { describeEnd, endedBySlurm, endStateCommand, parseEndState, queueStateCommand, stillQueued } from '../../electron/services/external/slurm.js';

const SCONTROL_TIMEOUT =
  'JobId=1 JobName=t1 UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=4294901759 Nice=0 Account=(null) QOS=(null) ' +
  'JobState=TIMEOUT Reason=TimeLimit Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:15 ' +
  'RunTime=00:00:14 TimeLimit=00:00:00 TimeMin=N/A Partition=gpu NodeList=vm BatchHost=vm NumNodes=1 TresPerNode=gres:gpu:2\n';

describe('Slurm job state', () => {
  it('squeue: listed and not ended is still queued; empty or ended is over; a failing squeue is unknown', () => {
    expect(stillQueued(0, 'PENDING\n', '')).toBe(true);
    expect(stillQueued(0, 'RUNNING\n', '')).toBe(true);
    expect(stillQueued(0, 'COMPLETING\n', '')).toBe(true);
    expect(stillQueued(0, '', '')).toBe(false);
    expect(stillQueued(0, 'TIMEOUT\n', '')).toBe(false);
    expect(stillQueued(1, '', 'slurm_load_jobs error: Invalid job id specified\n')).toBe(false);
    expect(stillQueued(1, '', 'slurm_load_jobs error: Unable to contact slurm controller (connect failure)\n')).toBeNull();
    expect(stillQueued(255, '', 'ssh: connect to host gpu1 port 22: Connection refused\n')).toBeNull();
  });

  it("scontrol show job -o: state, reason and the batch script's exit:signal", () => {
    const end = parseEndState(SCONTROL_TIMEOUT);
    expect(end).toEqual({ state: 'TIMEOUT', reason: 'TimeLimit', exitCode: '0:15' });
    expect(end && endedBySlurm(end)).toBe(true);
    expect(end && describeEnd('1', end)).toBe('Slurm ended job 1: TIMEOUT (TimeLimit)');
    const ok = parseEndState(SCONTROL_TIMEOUT.replace('JobState=TIMEOUT Reason=TimeLimit', 'JobState=COMPLETED Reason=None').replace('ExitCode=0:15', 'ExitCode=0:0'));
    expect(ok).toEqual({ state: 'COMPLETED', reason: null, exitCode: '0:0' });
    expect(ok && endedBySlurm(ok)).toBe(false);
  });

  it('sacct rows when the controller has forgotten the job; nothing known gives null', () => {
    expect(parseEndState('4711|OUT_OF_MEMORY|0:125\n')).toEqual({ state: 'OUT_OF_MEMORY', reason: null, exitCode: '0:125' });
    expect(parseEndState('4712|CANCELLED by 1000|0:15\n')).toEqual({ state: 'CANCELLED', reason: 'by 1000', exitCode: '0:15' });
    expect(parseEndState('')).toBeNull();
    expect(parseEndState('Slurm accounting storage is disabled\n')).toBeNull();
  });

  it('the commands quote the job id and fall back from scontrol to sacct', () => {
    expect(queueStateCommand('12')).toBe('squeue -h -j 12 -o %T');
    expect(endStateCommand('12')).toBe('scontrol show job -o 12 2>/dev/null || sacct -n -P -X -j 12 -o JobID,State,ExitCode 2>/dev/null || true');
    expect(endStateCommand("1; rm -rf ~")).toContain("'1; rm -rf ~'");
  });
});
