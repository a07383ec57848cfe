/**
 * What the recipes share: the run folder's file names, the plan types, the defaults
 * every recipe starts from, and the pieces of launch.sh's command more than one
 * recipe writes (the Python environment, data file paths, torchrun's head, TRL's GRPO
 * flags, the user's extra arguments).
 */
import path from 'node:path';
import type { ExternalRecipe, ExternalSettingsParsed, Hyperparameters, LaunchPlan, PlanFile } from '../../../../shared/rpc/external-methods.js';
import { ErrorCode, RpcError } from '../../../../shared/rpc/errors.js';
import type { RewardSpec } from '../../../../shared/reward/spec.js';
import { flag, q } from '../shell.js';

/** The base name of the data export: data/georeason_train.jsonl, data/georeason_val.jsonl. */
export const DATA_BASE = 'georeason';
export const LAUNCH_FILE = 'launch.sh';
export const SBATCH_FILE = 'job.sbatch';
export const LOG_FILE = 'train.log';
export const EXIT_FILE = 'exit_code';
export const PID_FILE = 'run.pid';

export type Hyper = Required<Hyperparameters>;

export interface RecipeDef {
  id: ExternalRecipe;
  title: string;
  description: string;
  defaults: Hyper;
  needs: { checkout: boolean; model: boolean; data: boolean; reward: boolean; customCommand: boolean };
}

/** The defaults a recipe starts from (VLM-R1's GRPO settings). */
export const baseHyper: Hyper = {
  numGenerations: 4,
  beta: 0.04,
  learningRate: 1e-6,
  maxCompletionLength: 256,
  temperature: 1,
  perDeviceBatchSize: 4,
  gradientAccumulationSteps: 1,
  epochs: 1,
  maxSteps: 0,
  loggingSteps: 1,
  saveSteps: 100,
  finetuningType: 'full',
  template: 'qwen2_vl',
};

/** What the plan needs besides the settings (resolved by the caller). */
export interface PlanContext {
  /** The run folder on the training machine. */
  workDir: string;
  /** The photos' folder on the training machine (null: none known). */
  imageFolder: string | null;
  /** The reward spec (parsed), when one was chosen. */
  spec: RewardSpec | null;
  datasetName: string | null;
  /** "this machine", "ssh gpu1"… */
  where: string;
  /** Whether the export has a validation file (null: not exported yet; guessed from valFraction). */
  hasVal: boolean | null;
  /** Written into launch.sh's header. */
  now?: Date;
}

export interface Plan extends LaunchPlan {
  /** Files to write into the run folder (relative name → text); the data export is separate. */
  write: { name: string; content: string }[];
  slurm: boolean;
}

/** How a Python environment is entered, for launch.sh. */
export interface PythonEnv {
  prefix: string[];
  exports: string[];
  python: string;
}

/** What a recipe's part of the plan gets from buildPlan. */
export interface RecipeInput {
  s: ExternalSettingsParsed;
  ctx: PlanContext;
  def: RecipeDef;
  hyper: Hyper;
  outputDir: string;
  hasVal: boolean;
  env: PythonEnv;
  warnings: string[];
  /** Adds a file the launch writes into the run folder. */
  add: (name: string, role: string, content: string, note?: string | null) => void;
  /** Lists the data export's files (written at launch) in the trainer's format. */
  addData: (ext: string, format: string) => void;
  /** Lists a file written at launch by another step (content null). */
  files: PlanFile[];
}

/** A recipe's part of the plan: the command, where it runs, launch.sh's extra exports. */
export interface RecipeCommand {
  command: string;
  /** The working folder (the run folder unless the recipe needs another). */
  cwd?: string;
  exports?: string[];
  /** The trainer version the command is written for, when that matters. */
  targets?: string | null;
}

export function need<T>(value: T | undefined | null, what: string, recipe: string): T {
  if (value === undefined || value === null || value === '') throw new RpcError(ErrorCode.BadInput, `${recipe}: ${what}`);
  return value;
}

/** How the settings' Python environment is entered, for launch.sh. */
export function envLines(s: ExternalSettingsParsed): PythonEnv {
  switch (s.env.kind) {
    case 'conda':
      return { prefix: ['conda', 'run', '-n', q(s.env.name), '--no-capture-output'], exports: [], python: 'python' };
    case 'interpreter':
      return { prefix: [], exports: [`export PATH=${q(path.posix.dirname(s.env.path))}:"$PATH"`], python: q(s.env.path) };
    case 'path':
      return { prefix: [], exports: [], python: 'python' };
  }
}

export function dataFile(workDir: string, split: 'train' | 'val', ext: string): string {
  return path.posix.join(workDir, 'data', `${DATA_BASE}_${split}.${ext}`);
}

/** torchrun's launcher arguments (values from launch.sh's variables). */
export function torchrunHead(python: string, interpreter: boolean): string[] {
  return [
    ...(interpreter ? [python, '-m', 'torch.distributed.run'] : ['torchrun']),
    '--nproc_per_node="$NPROC_PER_NODE"',
    '--nnodes="$NNODES"',
    '--node_rank="$NODE_RANK"',
    '--master_addr="$MASTER_ADDR"',
    '--master_port="$MASTER_PORT"',
  ];
}

/**
 * TRL's GRPO arguments (GRPOConfig / TrainingArguments names), which VLM-R1's
 * grpo_jsonl.py and ms-swift's rlhf both take. ms-swift also gets an eval batch: its
 * default of 1 fails GRPO's rule that num_generations divides eval batch × processes
 * whenever evaluation runs (in 3.x also on the 1% split it takes without --val_dataset);
 * the training batch passed the same rule in resolveHyper.
 */
export function trlGrpoFlags(hyper: Hyper, options: { evalBatch: boolean }): string[][] {
  return [
    flag('num_generations', hyper.numGenerations),
    flag('beta', hyper.beta),
    flag('temperature', hyper.temperature),
    flag('max_completion_length', hyper.maxCompletionLength),
    flag('learning_rate', hyper.learningRate),
    flag('per_device_train_batch_size', hyper.perDeviceBatchSize),
    ...(options.evalBatch ? [flag('per_device_eval_batch_size', hyper.perDeviceBatchSize)] : []),
    flag('gradient_accumulation_steps', hyper.gradientAccumulationSteps),
    flag('num_train_epochs', hyper.epochs),
    ...(hyper.maxSteps > 0 ? [flag('max_steps', hyper.maxSteps)] : []),
    flag('logging_steps', hyper.loggingSteps),
    flag('save_steps', hyper.saveSteps),
  ];
}

/** The user's extra arguments, as one piece of the command line. */
export function extraArgs(s: ExternalSettingsParsed): string[] {
  const t = s.extraArgs.replace(/\s*\n\s*/g, ' ').trim();
  return t ? [t] : [];
}
