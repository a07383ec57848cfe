/**
 * Methods of the jobs group: local training jobs run as child processes by the main
 * process (the built-in cor-policy recipe: SFT then GRPO over image embeddings), their
 * metrics, logs and artifacts, the training environment (Python, torch, CUDA, GPUs),
 * image encoders run with onnxruntime-node, and predictions of a trained policy stored
 * as completions runs. Spread into the one contract in contract.ts.
 *
 * Jobs outlive a reload of the UI: the renderer lists them from the store and follows
 * live `job` events on the event channel.
 */
import { z } from 'zod';
import { MAX_ID_LIST } from './limits.js';
import { Id, TaskId } from './ids.js';
import { JobProvenance, JobRecordFile, ManifestRow, RunComparison, RunRow } from './job-record.js';
import { method } from './method.js';


export const JobStatus = z.enum(['queued', 'preparing', 'running', 'done', 'failed', 'cancelled']);
export type JobStatus = z.infer<typeof JobStatus>;

export const Recipe = z.enum(['cor-policy']);

/**
 * Hyperparameters of cor-policy (GRPO names follow TRL). The trainer's dataclass
 * (resources/trainer/cor_policy_config.py) holds the same settings under snake_case
 * names, with the same defaults and their help texts; valFraction is the main process's
 * own (it splits the photos before the trainer runs).
 */
export const CorPolicyConfig = z
  .object({
    sftSteps: z.number().int().min(0).max(1_000_000).default(300),
    grpoSteps: z.number().int().min(0).max(1_000_000).default(200),
    batchSize: z.number().int().min(1).max(65_536).default(64),
    grpoBatchSize: z.number().int().min(1).max(65_536).default(32),
    hidden: z.number().int().min(8).max(8192).default(256),
    lrSft: z.number().gt(0).max(1).default(3e-3),
    lr: z.number().gt(0).max(1).default(3e-4),
    weightDecay: z.number().min(0).max(1).default(1e-4),
    numGenerations: z.number().int().min(2).max(256).default(8),
    temperature: z.number().gt(0).max(10).default(1),
    epsilon: z.number().min(0).max(10).default(0.2),
    beta: z.number().min(0).max(100).default(0.04),
    numIterations: z.number().int().min(1).max(16).default(1),
    checkpointEvery: z.number().int().min(1).max(1_000_000).default(50),
    evalEvery: z.number().int().min(1).max(1_000_000).default(1),
    /** Held-out photos each accuracy measurement uses (the first ones). */
    evalLimit: z.number().int().min(1).max(10_000_000).default(2000),
    /** Share of labelled photos held out when the dataset has no train/val split column. */
    valFraction: z.number().min(0.01).max(0.9).default(0.2),
    seed: z.number().int().min(0).max(2 ** 31).default(0),
    device: z.enum(['auto', 'cuda', 'cpu']).default('auto'),
    /** Seconds to sleep after each step (tests and demos: makes a run watchable). */
    stepDelayS: z.number().min(0).max(60).default(0),
  })
  .strict();
export type CorPolicyConfig = z.output<typeof CorPolicyConfig>;
export type CorPolicyConfigInput = z.input<typeof CorPolicyConfig>;

export const StartJobParams = z
  .object({
    recipe: Recipe.default('cor-policy'),
    datasetId: Id,
    name: z.string().trim().min(1).max(200).optional(),
    /** Train on the members of this subset only. */
    subsetId: Id.optional(),
    /** GRPO on these photos only (hard samples); a subset id or a list of image ids. */
    hardSubsetId: Id.optional(),
    hardImageIds: z
      .array(Id)
      .max(MAX_ID_LIST, `at most ${MAX_ID_LIST} ids in a list; save a larger set as a subset and pass hardSubsetId`)
      .optional(),
    /** Encoder name (resources/models or the user's models folder); default colour-texture-v1. */
    encoder: z.string().min(1).max(200).optional(),
    /** The reward spec JSON (validated as the Reward Lab's); name kept for the record. */
    spec: z.unknown(),
    specName: z.string().max(200).optional(),
    config: CorPolicyConfig.default(CorPolicyConfig.parse({})),
    /** Samples per photo of the completions run made after training (0: none). */
    rolloutSamples: z.number().int().min(0).max(64).default(8),
  })
  .strict();
export type StartJobParams = z.input<typeof StartJobParams>;

export const JobInfo = z.object({
  id: z.number().int(),
  recipe: z.string(),
  name: z.string(),
  status: JobStatus,
  datasetId: z.number().int().nullable(),
  datasetName: z.string().nullable(),
  pid: z.number().int().nullable(),
  createdAt: z.string().nullable(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  exitCode: z.number().int().nullable(),
  device: z.string().nullable(),
  step: z.number().int().nullable(),
  total: z.number().int().nullable(),
  message: z.string().nullable(),
  /** Completions runs made from the trained policy. */
  runIds: z.array(z.number().int()),
  /** The run of G sampled chains per photo among runIds (GRPO groups for the Reward Lab), or null. */
  sampledRunId: z.number().int().nullable(),
  specName: z.string().nullable(),
  /**
   * Whether jobs.resume can run it again: a failed or cancelled job that got as far as
   * launching its trainer (or was interrupted by the app closing). A job whose inputs
   * could not be made, or whose trainer could not be launched, is not: the same request
   * would fail the same way.
   */
  resumable: z.boolean(),
  /** Imported from a run record: read-only (no resume, cancel or predict). */
  imported: z.boolean().optional(),
});
export type JobInfo = z.infer<typeof JobInfo>;

export const Artifact = z.object({ id: z.number().int(), kind: z.string(), path: z.string() });

export const JobDetail = JobInfo.extend({
  config: z.record(z.string(), z.unknown()),
  artifacts: z.array(Artifact),
  logPath: z.string().nullable(),
  jobDir: z.string().nullable(),
  prepare: z.record(z.string(), z.unknown()),
});
export type JobDetail = z.infer<typeof JobDetail>;

export const MetricPoint = z.object({
  step: z.number().int(),
  name: z.string(),
  value: z.number().nullable(),
  /** When it was logged (ms since the epoch; absent in older projects). */
  wallMs: z.number().int().nullable().optional(),
});
export type MetricPoint = z.infer<typeof MetricPoint>;

export const GpuInfo = z.object({
  index: z.number().int(),
  name: z.string(),
  memoryTotalMiB: z.number().nullable(),
  memoryUsedMiB: z.number().nullable(),
  utilizationPct: z.number().nullable(),
});
export type GpuInfo = z.infer<typeof GpuInfo>;

export const Environment = z.object({
  python: z.object({
    path: z.string(),
    /** Where the setting lives (the user data dir). */
    settingFile: z.string(),
    version: z.string().nullable(),
    torch: z.string().nullable(),
    cuda: z.boolean(),
    cudaDevices: z.array(z.string()),
    error: z.string().nullable(),
  }),
  gpus: z.array(GpuInfo),
  /** 'ok', or why no GPU list: nvidia-smi missing or failing. */
  gpuNote: z.string(),
  onnx: z.object({
    version: z.string(),
    backends: z.array(z.object({ name: z.string(), bundled: z.boolean() })),
  }),
});
export type Environment = z.infer<typeof Environment>;

export const EncoderInfo = z.object({
  name: z.string(),
  description: z.string(),
  path: z.string(),
  inputSize: z.tuple([z.number().int(), z.number().int()]),
  resize: z.string(),
  dims: z.number().int().nullable(),
});
export type EncoderInfo = z.infer<typeof EncoderInfo>;

export const PredictSummary = z.object({
  predictRunId: z.number().int(),
  samplesRunId: z.number().int().nullable(),
  photos: z.number().int(),
  skipped: z.number().int(),
  provider: z.string(),
  durationMs: z.number(),
});
export type PredictSummary = z.infer<typeof PredictSummary>;

/** Live news of a job on the event channel (status changes, progress, metrics, log lines). */
export const JobEvent = z.object({
  type: z.literal('job'),
  jobId: z.number().int(),
  kind: z.enum(['status', 'progress', 'metric', 'log', 'artifact']),
  status: JobStatus.optional(),
  step: z.number().int().optional(),
  total: z.number().int().optional(),
  name: z.string().optional(),
  value: z.number().nullable().optional(),
  text: z.string().optional(),
});
export type JobEvent = z.infer<typeof JobEvent>;

export const jobsMethods = {
  'jobs.environment': method({
    summary: 'The training environment: Python interpreter, torch, CUDA, GPUs (nvidia-smi), onnxruntime backends.',
    params: z.object({}).strict(),
    result: Environment,
  }),
  'jobs.setPython': method({
    summary: 'Set the Python interpreter training jobs run with (kept in the user data dir).',
    params: z.object({ path: z.string().min(1).max(4096) }).strict(),
    result: Environment,
  }),
  'jobs.encoders': method({
    summary: 'Image encoders available to embed photos (ONNX models with a JSON description).',
    params: z.object({}).strict(),
    result: z.array(EncoderInfo),
  }),
  'jobs.start': method({
    summary: 'Queue a training job; one runs at a time, the others wait.',
    params: StartJobParams,
    result: JobInfo,
  }),
  'jobs.list': method({
    summary: 'Training jobs of the open project, newest first.',
    params: z.object({}).strict(),
    result: z.array(JobInfo),
  }),
  'jobs.get': method({
    summary: 'One job with its settings, artifacts and folder.',
    params: z.object({ id: Id }).strict(),
    result: JobDetail,
  }),
  'jobs.metrics': method({
    summary: "A job's logged metrics (optionally only steps after `afterStep`).",
    params: z.object({ id: Id, afterStep: z.number().int().min(-1).optional() }).strict(),
    result: z.array(MetricPoint),
  }),
  'jobs.log': method({
    summary: "The last lines of a job's log.",
    params: z.object({ id: Id, lines: z.number().int().min(1).max(10_000).default(200) }).strict(),
    result: z.object({ path: z.string().nullable(), lines: z.array(z.string()) }),
  }),
  'jobs.cancel': method({
    summary: 'Cancel a queued or running job (SIGTERM, then SIGKILL after a grace period).',
    params: z.object({ id: Id }).strict(),
    result: z.object({ cancelled: z.boolean() }),
  }),
  'jobs.resume': method({
    summary: 'Run a cancelled or failed job again from its last checkpoint.',
    params: z.object({ id: Id }).strict(),
    result: JobInfo,
  }),
  'jobs.delete': method({
    summary: 'Delete a finished job with its metrics, artifacts and folder (an imported record only with importedRecord: true).',
    params: z.object({ id: Id, importedRecord: z.boolean().optional() }).strict(),
    result: z.object({ deleted: z.boolean() }),
  }),
  'jobs.predict': method({
    summary: "Run a job's exported policy (onnxruntime-node) on a dataset: top chains and G sampled chains as completions runs.",
    long: true,
    params: z
      .object({
        id: Id,
        datasetId: Id.optional(),
        samples: z.number().int().min(0).max(64).default(8),
        temperature: z.number().gt(0).max(10).optional(),
        taskId: TaskId.optional(),
      })
      .strict(),
    result: PredictSummary,
  }),
  'jobs.provenance': method({
    summary: 'What a job was started from: data hash and manifest size, reward spec and hash, versions, devices, seed, command.',
    params: z.object({ id: Id }).strict(),
    result: z.object({ provenance: JobProvenance.nullable(), imported: z.object({ source: z.string(), importedAt: z.string(), originalId: z.number().int().nullable(), project: z.string().nullable() }).nullable() }),
  }),
  'jobs.manifest': method({
    summary: 'The rows a job trained on, a page at a time: image id, split, country, region, city (labels after review).',
    params: z.object({ id: Id, offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(100_000).default(1000) }).strict(),
    result: z.object({ total: z.number().int(), rows: z.array(ManifestRow) }).nullable(),
  }),
  'jobs.runs': method({
    summary: 'The runs table: every job with its final metrics, key settings and data hash.',
    params: z.object({}).strict(),
    result: z.array(RunRow),
  }),
  'jobs.compare': method({
    summary: 'Two or more jobs side by side: only the settings and provenance that differ.',
    params: z.object({ ids: z.array(Id).min(2).max(20) }).strict(),
    result: RunComparison,
  }),
  'jobs.export': method({
    summary: 'A job as one portable run record (settings, provenance, metrics, command, reward spec, data manifest).',
    params: z.object({ id: Id }).strict(),
    result: JobRecordFile,
  }),
  'jobs.import': method({
    summary: 'Add a run record (from jobs.export or a record file) as a read-only job of the open project.',
    params: z
      .object({
        /** The record as an object. */
        record: z.unknown().optional(),
        /** Or the record file's text, parsed where the record is checked (the desktop window sends this: a copy, not an object to clone). */
        recordText: z.string().optional(),
        source: z.string().max(4096).default('record'),
      })
      .strict()
      .superRefine((p, ctx) => {
        if ((p.record === undefined) === (p.recordText === undefined)) {
          ctx.addIssue({ code: 'custom', path: ['record'], message: 'give the record (an object) or recordText (the text of its file), one of the two' });
        }
      }),
    result: JobInfo,
  }),
  'jobs.rerun': method({
    summary: 'Queue a new job with the exact request of a built-in job (its record says whether the data still hashes the same).',
    params: z.object({ id: Id }).strict(),
    result: JobInfo,
  }),
} as const;
