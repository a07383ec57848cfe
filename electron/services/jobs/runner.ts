/**
 * What the job manager asks of a recipe's runner. The manager owns the queue, the job's
 * status, cancel and the job's own connection to the project file; a runner prepares
 * its job, launches the training process (here or elsewhere), reads it, and writes the
 * job's metrics, progress, artifacts and log itself through the context it is given.
 */
import type Database from 'better-sqlite3';
import type { JobEvent } from '../../../shared/rpc/jobs-methods.js';
import type { JobStore } from './job-store.js';
import type { TrainerFacts } from './provenance.js';

export interface JobRunContext {
  jobId: number;
  jobDir: string;
  logPath: string;
  cacheDir: string;
  /** The job's stored request (config_json.params). */
  params: Record<string, unknown>;
  db: Database.Database;
  jobs: JobStore;
  /** Aborted when the job is cancelled (or the app closes) while the runner prepares. */
  signal: AbortSignal;
  emit: (event: JobEvent) => void;
  /** Shows a message while preparing (status stays 'preparing'). */
  note: (message: string) => void;
}

/** How a launched run ended. */
export interface JobRunEnd {
  ok: boolean;
  exitCode: number | null;
  message: string;
  /** The job's message when it ended because it was stopped (default: "cancelled; " + message). */
  cancelMessage?: string;
}

export interface JobRunHandle {
  /** A pid on this machine (null when the process runs elsewhere). */
  pid: number | null;
  /** The job's message while it runs. */
  message: string;
  /** The exact command line that runs the trainer (for the job's provenance). */
  command?: string;
  /**
   * How the GPUs the run uses are sampled: the argv that prints nvidia-smi's query where
   * the run is (over SSH for a server), or null where that cannot be known (a Slurm
   * job's node). Absent: this machine's nvidia-smi when the run has a local pid.
   */
  gpuQuery?: { argv: string[]; where: string } | null;
  /** Stop: SIGTERM now, SIGKILL after the grace period (or the runner's equivalent). */
  stop(graceMs: number): void;
  /**
   * Set for runs that go on without the app (on a server, under Slurm): when the app
   * closes the manager calls this instead of stop (the runner lets go of the run and
   * `exited` never settles), and the next start reattaches through `reattach`.
   */
  detach?: () => void;
  exited: Promise<JobRunEnd>;
}

export interface JobRunner {
  /** The job's message while `launch` prepares (default: "preparing the launch"). */
  readonly preparingMessage?: string;
  /**
   * Prepares and starts the run. Throws RpcError Cancelled when `ctx.signal` aborts
   * before the process starts; any other throw means the job could not start (the same
   * request would fail again, so it is not resumable).
   */
  launch(ctx: JobRunContext): Promise<JobRunHandle>;
  /**
   * The trainer side's facts for the job's provenance (versions in the run's environment,
   * devices, the rows it was given), asked once the run has launched.
   */
  trainerFacts?(ctx: JobRunContext): Promise<TrainerFacts>;
  /** Follows again a run an earlier app left running (it was detached). */
  reattach?(ctx: JobRunContext): Promise<JobRunHandle>;
}
