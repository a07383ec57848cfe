/**
 * The external trainer recipes: from the user's settings, the exact files a run needs
 * and the command that runs it (no file is written here, so the same plan is the
 * preview before launch and what the launch writes). One module per recipe
 * (vlm-r1.ts, llamafactory.ts, swift.ts, custom.ts) writes its files and command;
 * shared.ts holds what several use; this one puts launch.sh and job.sbatch around them.
 *
 * Every run lives in one folder W on the machine that trains (this one, or the server):
 *   W/launch.sh       enters the Python env, sets the GPUs, runs the trainer's own
 *                     launcher (torchrun / llamafactory-cli / swift) — the command shown
 *   W/data/…          the audit's export in the trainer's format (written at launch)
 *   W/<reward>.py     the reward plug-in generated from the Reward Lab spec
 *   W/…               the recipe's own files (VLM-R1 wrapper, LLaMA-Factory YAML)
 *   W/job.sbatch      with Slurm
 *   W/train.log, W/exit_code, W/run.pid   written while it runs
 * Multi-node settings go through the launchers' usual variables (NNODES, NODE_RANK,
 * MASTER_ADDR, MASTER_PORT, NPROC_PER_NODE), which launch.sh sets only when unset, so
 * an sbatch script (or the user) can set them per node.
 */
import path from 'node:path';
import type { ExternalRecipe, ExternalSettingsParsed, PlanFile } from '../../../../shared/rpc/external-methods.js';
import { ErrorCode, RpcError } from '../../../../shared/rpc/errors.js';
import { q } from '../shell.js';
import { customCommand, customRecipe } from './custom.js';
import { llamaFactoryCommand, llamaFactoryRecipe } from './llamafactory.js';
import { dataFile, envLines, EXIT_FILE, LAUNCH_FILE, LOG_FILE, need, SBATCH_FILE, type Hyper, type Plan, type PlanContext, type RecipeCommand, type RecipeDef, type RecipeInput } from './shared.js';
import { swiftCommand, swiftRecipe } from './swift.js';
import { vlmr1Command, vlmr1Recipe } from './vlm-r1.js';

export { DATA_BASE, EXIT_FILE, LAUNCH_FILE, LOG_FILE, PID_FILE, SBATCH_FILE, type Plan, type PlanContext, type RecipeDef } from './shared.js';
export { LLAMAFACTORY_YAML, llamaFactoryYaml } from './llamafactory.js';
export { VLMR1_WRAPPER } from './vlm-r1.js';

export const RECIPES: readonly RecipeDef[] = [vlmr1Recipe, llamaFactoryRecipe, swiftRecipe, customRecipe];

/** Each recipe's part of the plan: its files and the command launch.sh runs. */
const commands: Record<ExternalRecipe, (input: RecipeInput) => RecipeCommand> = {
  'vlm-r1-grpo': vlmr1Command,
  'llamafactory-sft': llamaFactoryCommand,
  'swift-grpo': swiftCommand,
  custom: customCommand,
};

export function recipeDef(id: ExternalRecipe): RecipeDef {
  const r = RECIPES.find((x) => x.id === id);
  if (!r) throw new RpcError(ErrorCode.BadInput, `unknown recipe ${id}`);
  return r;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** The recipe's defaults, the user's values over them, and GRPO's batch rule. */
export function resolveHyper(s: ExternalSettingsParsed): { hyper: Hyper; warnings: string[] } {
  const def = recipeDef(s.recipe).defaults;
  const world = s.launcher.nprocPerNode * s.launcher.nnodes;
  const hyper: Hyper = { ...def, ...s.hyper };
  const warnings: string[] = [];
  if (s.recipe === 'vlm-r1-grpo' || s.recipe === 'swift-grpo') {
    // TRL/swift: the global batch (per device × processes) must be a multiple of num_generations.
    if (s.hyper.perDeviceBatchSize === undefined) hyper.perDeviceBatchSize = hyper.numGenerations / gcd(hyper.numGenerations, world);
    if ((hyper.perDeviceBatchSize * world) % hyper.numGenerations !== 0) {
      throw new RpcError(
        ErrorCode.BadInput,
        `per-device batch ${hyper.perDeviceBatchSize} × ${world} process${world === 1 ? '' : 'es'} = ${hyper.perDeviceBatchSize * world} is not a multiple of num_generations ${hyper.numGenerations}; the trainer would refuse it`,
      );
    }
  }
  if (hyper.saveSteps < hyper.loggingSteps) warnings.push('checkpoints are saved more often than metrics are logged');
  return { hyper, warnings };
}

/** Builds the plan of a run. Throws BadInput naming what is missing or wrong. */
export function buildPlan(s: ExternalSettingsParsed, ctx: PlanContext): Plan {
  const def = recipeDef(s.recipe);
  const { hyper, warnings } = resolveHyper(s);
  const W = ctx.workDir;
  const outputDir = s.outputDir ?? path.posix.join(W, 'output');
  const files: PlanFile[] = [];
  const write: { name: string; content: string }[] = [];
  const env = envLines(s);
  const hasVal = ctx.hasVal ?? ((s.data?.valFraction ?? 0) > 0);
  const add = (name: string, role: string, content: string, note: string | null = null): void => {
    write.push({ name, content });
    files.push({ path: path.posix.join(W, name), role, content, note });
  };
  const addData = (ext: string, format: string): void => {
    const where = ctx.imageFolder ? `image paths relative to ${ctx.imageFolder}` : 'image paths relative to the dataset folder';
    files.push({ path: dataFile(W, 'train', ext), role: `training data (${format})`, content: null, note: `exported at launch from ${ctx.datasetName ?? 'the dataset'}${s.data?.subset ? ` subset "${s.data.subset}"` : ''}; ${where}` });
    if (hasVal) files.push({ path: dataFile(W, 'val', ext), role: `validation data (${format})`, content: null, note: `${Math.round((s.data?.valFraction ?? 0) * 100)}% held out (seed ${s.data?.seed ?? 0})` });
  };
  if (def.needs.data) need(s.data, 'choose the dataset to export', def.title);
  if (def.needs.model) need(s.model, 'the model path or hub id is missing', def.title);
  if (def.needs.reward && !ctx.spec) throw new RpcError(ErrorCode.BadInput, `${def.title}: choose a reward spec`);
  if (def.needs.data && ctx.imageFolder === null) warnings.push('no image folder is known for the photos: image paths in the data files will not resolve');

  // Under Slurm the allocation decides which GPUs a job sees (it sets CUDA_VISIBLE_DEVICES
  // for the GPUs it granted); indices chosen here would name GPUs of someone else's job.
  const cudaExport = s.launcher.gpus && !s.slurm.enabled ? [`export CUDA_VISIBLE_DEVICES=${q(s.launcher.gpus)}`] : [];
  if (s.launcher.gpus && s.slurm.enabled) {
    warnings.push(`GPUs ${s.launcher.gpus}: not set under Slurm; the job uses the GPUs its allocation grants (--gpus-per-node)`);
  }
  const recipe = commands[s.recipe]({ s, ctx, def, hyper, outputDir, hasVal, env, warnings, add, addData, files });
  const command = recipe.command;
  const cwd = recipe.cwd ?? W;
  const targets = recipe.targets ?? null;
  const recipeExports = recipe.exports ?? [];

  const L = s.launcher;
  const launch = [
    '#!/usr/bin/env bash',
    `# GeoReason Workbench: run ${s.runName} (${def.title})${ctx.now ? `, written ${ctx.now.toISOString()}` : ''}.`,
    `# Started as: setsid bash ${LAUNCH_FILE} > ${LOG_FILE} 2>&1${s.slurm.enabled ? ` (inside ${SBATCH_FILE})` : ''}`,
    'set -uo pipefail',
    `cd ${q(cwd)} || exit 1`,
    'export PYTHONUNBUFFERED=1',
    ...env.exports,
    ...cudaExport,
    // Only when unset: an sbatch script sets NODE_RANK / MASTER_ADDR per node.
    `export NPROC_PER_NODE="\${NPROC_PER_NODE:-${L.nprocPerNode}}"`,
    `export NNODES="\${NNODES:-${L.nnodes}}"`,
    `export NODE_RANK="\${NODE_RANK:-${L.nodeRank}}"`,
    `export MASTER_ADDR="\${MASTER_ADDR:-${L.masterAddr}}"`,
    `export MASTER_PORT="\${MASTER_PORT:-${L.masterPort}}"`,
    ...recipeExports,
    `mkdir -p ${q(outputDir)}`,
    // exec: the trainer's launcher takes launch.sh's pid (a custom command line may be compound).
    s.recipe === 'custom' ? command : `exec ${command}`,
    '',
  ].join('\n');
  add(LAUNCH_FILE, 'launch script (the command below, with its environment)', launch);

  if (s.slurm.enabled) add(SBATCH_FILE, 'Slurm batch script', sbatchScript(s, W));
  return {
    recipe: s.recipe,
    runName: s.runName,
    workDir: W,
    outputDir,
    where: s.slurm.enabled ? `Slurm on ${ctx.where}` : ctx.where,
    command,
    files: files.sort((a, b) => (a.path === path.posix.join(W, LAUNCH_FILE) ? -1 : b.path === path.posix.join(W, LAUNCH_FILE) ? 1 : 0)),
    steps: [],
    warnings,
    targets,
    write,
    slurm: s.slurm.enabled,
  };
}

/** The sbatch script: one task per node, each running launch.sh with its node rank. */
export function sbatchScript(s: ExternalSettingsParsed, workDir: string): string {
  const sl = s.slurm;
  const L = s.launcher;
  const gpus = sl.gpusPerNode ?? L.nprocPerNode;
  const lines = [
    '#!/usr/bin/env bash',
    `#SBATCH --job-name=${s.runName}`,
    `#SBATCH --output=${path.posix.join(workDir, LOG_FILE)}`,
    `#SBATCH --open-mode=append`,
    `#SBATCH --nodes=${L.nnodes}`,
    '#SBATCH --ntasks-per-node=1',
    ...(gpus > 0 ? [`#SBATCH --gpus-per-node=${gpus}`] : []),
    ...(sl.partition ? [`#SBATCH --partition=${sl.partition}`] : []),
    ...(sl.account ? [`#SBATCH --account=${sl.account}`] : []),
    ...(sl.time ? [`#SBATCH --time=${sl.time}`] : []),
    ...(sl.cpusPerTask ? [`#SBATCH --cpus-per-task=${sl.cpusPerTask}`] : []),
    ...(sl.memory ? [`#SBATCH --mem=${sl.memory}`] : []),
    ...sl.extra.map((e) => `#SBATCH ${e}`),
    '# GeoReason Workbench: the trainer\'s launcher (torchrun, llamafactory-cli, swift) starts the GPU processes of each node.',
    `cd ${q(workDir)} || exit 1`,
    'export NNODES="$SLURM_JOB_NUM_NODES"',
    ...(L.nnodes > 1
      ? [
          'export MASTER_ADDR="$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n 1)"',
          `export MASTER_PORT=${L.masterPort}`,
          `srun --kill-on-bad-exit=1 bash -c 'NODE_RANK="$SLURM_NODEID" bash ${LAUNCH_FILE}'`,
        ]
      : [`bash ${LAUNCH_FILE}`]),
    `echo $? > ${EXIT_FILE}`,
    '',
  ];
  return lines.join('\n');
}
