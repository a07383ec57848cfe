/**
 * Which completions runs hold a training job's sampled rollouts (G chains per photo,
 * the groups GRPO sees), so the Reward Lab can list them by job.
 */
export interface JobRollouts {
  id: number;
  name: string;
  sampledRunId: number | null;
}

/** Run id → the job that sampled it. */
export function sampledRunsByJob(jobs: readonly JobRollouts[]): Map<number, { jobId: number; jobName: string }> {
  const out = new Map<number, { jobId: number; jobName: string }>();
  for (const j of jobs) if (j.sampledRunId !== null) out.set(j.sampledRunId, { jobId: j.id, jobName: j.name });
  return out;
}
