/**
 * Methods of the external-trainers group: the field's own trainers —
 * Geo-R / VLM-R1 GRPO (grpo_jsonl.py), LLaMA-Factory SFT, ms-swift GRPO as GLOBE runs
 * it, or a custom command — launched on this machine or on a GPU server over SSH
 * (optionally through Slurm), as jobs of the job manager: the workbench writes their
 * data files (the audit's exports) and reward plug-in (from a Reward Lab spec), shows
 * the exact command and files before launch, and reads their TRL-style logs as
 * metrics. Spread into the one contract in contract.ts.
 */
import { z } from 'zod';
import { JobInfo } from './jobs-methods.js';
import { Id } from './ids.js';
import { method } from './method.js';

/** A path as the machine that runs the trainer sees it. */
const somePath = z.string().trim().min(1).max(4096);
const shellSafeName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'letters, digits, . _ - (no spaces), starting with a letter or digit');

export const ExternalRecipe = z.enum(['vlm-r1-grpo', 'llamafactory-sft', 'swift-grpo', 'custom']);
export type ExternalRecipe = z.infer<typeof ExternalRecipe>;

/** How the trainer's Python environment is entered. */
export const PythonEnv = z.discriminatedUnion('kind', [
  /** `conda run -n <name> --no-capture-output <command>` */
  z.object({ kind: z.literal('conda'), name: shellSafeName }).strict(),
  /** An interpreter path: its folder goes first on PATH (torchrun, llamafactory-cli, swift live there). */
  z.object({ kind: z.literal('interpreter'), path: somePath }).strict(),
  /** Whatever the login shell's PATH finds. */
  z.object({ kind: z.literal('path') }).strict(),
]);
export type PythonEnv = z.infer<typeof PythonEnv>;

export const Where = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('local') }).strict(),
  z
    .object({
      kind: z.literal('ssh'),
      /** A host name or an alias of ~/.ssh/config (user, port, key come from there unless given). */
      host: z.string().regex(/^[A-Za-z0-9._-]{1,255}$/, 'a host name or ~/.ssh/config alias'),
      user: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/).optional(),
      port: z.number().int().min(1).max(65_535).optional(),
      identityFile: somePath.optional(),
      /** Runs go to <remoteDir>/<runName> on the server (absolute path). */
      remoteDir: somePath.refine((p) => p.startsWith('/'), 'the remote folder must be an absolute path'),
      /** The photos' folder on the server (the exported paths are relative to it). */
      imageFolder: somePath.optional(),
      /** rsync (default) or scp when the server has no rsync. */
      transfer: z.enum(['rsync', 'scp']).default('rsync'),
      /** Extra ssh options, e.g. ["-o", "ProxyJump=gateway"]. */
      sshOptions: z.array(z.string().max(500)).max(20).default([]),
    })
    .strict(),
]);
export type Where = z.input<typeof Where>;

/** torchrun / DeepSpeed / the trainers' launch environment. */
export const LauncherSettings = z
  .object({
    /** CUDA_VISIBLE_DEVICES, e.g. "0,1" (empty: all). */
    gpus: z.string().regex(/^(\d+(,\d+)*)?$/, 'GPU indices separated by commas, e.g. 0,1').default(''),
    nprocPerNode: z.number().int().min(1).max(64).default(1),
    nnodes: z.number().int().min(1).max(1024).default(1),
    nodeRank: z.number().int().min(0).max(1023).default(0),
    masterAddr: z.string().regex(/^[A-Za-z0-9.:-]{1,255}$/).default('127.0.0.1'),
    masterPort: z.number().int().min(1).max(65_535).default(12345),
    /** A DeepSpeed config JSON (e.g. local_scripts/zero3.json) or a swift preset (zero2, zero3). */
    deepspeed: somePath.optional(),
  })
  .strict();

export const SlurmSettings = z
  .object({
    enabled: z.boolean().default(false),
    partition: z.string().regex(/^[A-Za-z0-9._,-]{1,100}$/).optional(),
    account: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/).optional(),
    /** Wall time, e.g. 24:00:00 or 2-00:00:00. */
    time: z.string().regex(/^(\d+-)?\d{1,3}(:\d{2}){0,2}$/, 'e.g. 24:00:00 or 2-00:00:00').optional(),
    gpusPerNode: z.number().int().min(0).max(64).optional(),
    cpusPerTask: z.number().int().min(1).max(1024).optional(),
    memory: z.string().regex(/^\d+[KMGT]?$/).optional(),
    /** More #SBATCH options, one each, e.g. "--qos=high". */
    extra: z.array(z.string().regex(/^--?[A-Za-z][^\n]*$/, 'an sbatch option such as --qos=high')).max(30).default([]),
  })
  .strict();

export const DataSettings = z
  .object({
    datasetId: Id,
    /** A subset name of the dataset (the audit's subsets). */
    subset: z.string().trim().min(1).max(200).optional(),
    valFraction: z.number().min(0).max(0.9).default(0.05),
    seed: z.number().int().min(0).max(2 ** 31).default(0),
    onlyPresent: z.boolean().default(true),
    /** The answer template and prompt of the export (defaults: the audit's). */
    template: z.string().max(2000).optional(),
    prompt: z.string().max(20_000).optional(),
    /** The photos' folder on this machine (default: the dataset's image folder). */
    imageFolder: somePath.optional(),
  })
  .strict();

export const RewardChoice = z.union([
  z.object({ specId: Id }).strict(),
  z.object({ preset: z.string().min(1).max(100) }).strict(),
]);

/** Hyperparameters; what is left out takes the recipe's default (see external.recipes). */
export const Hyperparameters = z
  .object({
    numGenerations: z.number().int().min(2).max(256),
    beta: z.number().min(0).max(100),
    learningRate: z.number().gt(0).max(1),
    maxCompletionLength: z.number().int().min(1).max(65_536),
    temperature: z.number().gt(0).max(10),
    perDeviceBatchSize: z.number().int().min(1).max(4096),
    gradientAccumulationSteps: z.number().int().min(1).max(4096),
    epochs: z.number().gt(0).max(1000),
    /** Stops after this many optimiser steps (0: epochs decide). */
    maxSteps: z.number().int().min(0).max(10_000_000),
    loggingSteps: z.number().int().min(1).max(100_000),
    saveSteps: z.number().int().min(1).max(10_000_000),
    finetuningType: z.enum(['full', 'lora', 'freeze']),
    /** LLaMA-Factory chat template. */
    template: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
  })
  .partial()
  .strict();
export type Hyperparameters = z.infer<typeof Hyperparameters>;

export const ExternalSettings = z
  .object({
    recipe: ExternalRecipe,
    /** Names the run's folder (locally and on the server) and the job. */
    runName: shellSafeName,
    /** The trainer's checkout: VLM-R1/Geo-R repository root, LLaMA-Factory folder; the custom command's folder. */
    checkout: somePath.optional(),
    env: PythonEnv.default({ kind: 'path' }),
    /** Model path or hub id, as the trainer's machine sees it. */
    model: somePath.optional(),
    /** Default: <run folder>/output. */
    outputDir: somePath.optional(),
    /** The data files to write (required by all recipes but custom). */
    data: DataSettings.optional(),
    /** The reward plug-in (GRPO recipes; custom: optional, TRL target). */
    reward: RewardChoice.optional(),
    hyper: Hyperparameters.default({}),
    launcher: LauncherSettings.default(LauncherSettings.parse({})),
    where: Where.default({ kind: 'local' }),
    slurm: SlurmSettings.default(SlurmSettings.parse({})),
    /** Appended to the trainer's command line (shell words; quotes allowed). */
    extraArgs: z.string().max(10_000).default(''),
    /** The custom recipe's command (a bash command line). */
    customCommand: z.string().max(20_000).optional(),
    /**
     * The ms-swift version the swift-grpo command is written for (detected in the run's
     * environment by external.detectVersion, or set by the user); left out, it is
     * detected at launch.
     */
    swiftVersion: z
      .string()
      .trim()
      .regex(/^\d+\.\d+(\.\d+)?([.+-]?[A-Za-z0-9]+)*$/, 'a version such as 3.5.3 or 4.1.0')
      .optional(),
  })
  .strict();
export type ExternalSettings = z.input<typeof ExternalSettings>;
export type ExternalSettingsParsed = z.output<typeof ExternalSettings>;

export const PlanFile = z.object({
  /** Where it lands on the machine that runs the trainer. */
  path: z.string(),
  role: z.string(),
  /** The text written (null: made at launch, e.g. the data export). */
  content: z.string().nullable(),
  note: z.string().nullable(),
});
export type PlanFile = z.infer<typeof PlanFile>;

export const LaunchPlan = z.object({
  recipe: ExternalRecipe,
  runName: z.string(),
  /** The run folder on the machine that runs the trainer. */
  workDir: z.string(),
  outputDir: z.string(),
  /** "this machine", "ssh gpu1", "Slurm via ssh gpu1"… */
  where: z.string(),
  /** The trainer's command line, exactly as launch.sh runs it. */
  command: z.string(),
  files: z.array(PlanFile),
  /** What launching does, in order (export, sync, submit…), with the exact commands. */
  steps: z.array(z.string()),
  warnings: z.array(z.string()),
  /** The trainer version the command is written for, in words (null: the command does not depend on it). */
  targets: z.string().nullable(),
});
export type LaunchPlan = z.infer<typeof LaunchPlan>;

export const RecipeInfo = z.object({
  id: ExternalRecipe,
  title: z.string(),
  description: z.string(),
  defaults: Hyperparameters,
  /** Which settings the recipe needs. */
  needs: z.object({ checkout: z.boolean(), model: z.boolean(), data: z.boolean(), reward: z.boolean(), customCommand: z.boolean() }),
});

export const CheckpointEntry = z.object({
  path: z.string(),
  step: z.number().int(),
  /** A vision-language model's weights (evaluate it behind an OpenAI-compatible server). */
  vlm: z.boolean(),
  loadable: z.boolean(),
});

export const externalMethods = {
  'external.recipes': method({
    summary: 'The external trainer recipes with their defaults (VLM-R1 GRPO, LLaMA-Factory SFT, ms-swift GRPO, custom).',
    params: z.object({}).strict(),
    result: z.array(RecipeInfo),
  }),
  'external.preview': method({
    summary: 'The exact command, files and steps a launch would run, without running anything.',
    params: z.object({ settings: ExternalSettings }).strict(),
    result: LaunchPlan,
  }),
  'external.start': method({
    summary: 'Queue an external trainer run as a job: writes data and reward plug-in, syncs, launches, reads its log as metrics.',
    params: z.object({ settings: ExternalSettings, specName: z.string().max(200).optional() }).strict(),
    result: JobInfo,
  }),
  'external.settings': method({
    summary: 'The settings an external job was started with (to start a similar run).',
    params: z.object({ id: Id }).strict(),
    result: z.object({ settings: ExternalSettings, plan: LaunchPlan.nullable() }),
  }),
  'external.detectVersion': method({
    summary: "The ms-swift version installed in the run's Python environment, on this machine or the server (what the swift-grpo command is written for).",
    params: z.object({ settings: ExternalSettings }).strict(),
    result: z.object({
      trainer: z.literal('ms-swift'),
      /** null: it could not be told (the message says why). */
      version: z.string().nullable(),
      where: z.string(),
      message: z.string(),
    }),
  }),
  'external.checkpoints': method({
    summary: "The checkpoint-* folders an external job's trainer wrote (listed as artifacts; trainer_state.json log_history read into metrics).",
    params: z.object({ id: Id }).strict(),
    result: z.object({ outputDir: z.string(), checkpoints: z.array(CheckpointEntry), metricsRead: z.number().int() }),
  }),
} as const;
