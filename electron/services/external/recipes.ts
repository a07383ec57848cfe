/**
 * The external trainer recipes: from the user's settings, the exact files a run needs
 * and the command that runs it (pure: no file is written here, so the same plan is
 * the preview before launch and what the launch writes).
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
import type {
  ExternalRecipe,
  ExternalSettingsParsed,
  Hyperparameters,
  LaunchPlan,
  PlanFile,
} from '../../../shared/rpc/external-methods.js';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import { exportPython, pythonFileName } from '../../../shared/reward/export-python.js';
import type { RewardSpec } from '../../../shared/reward/spec.js';
import { commandLines, flag, q } from './shell.js';
import { NEWEST_SWIFT, swiftDialect } from './swift-version.js';

/** The base name of the data export: data/georeason_train.jsonl, data/georeason_val.jsonl. */
export const DATA_BASE = 'georeason';
export const LAUNCH_FILE = 'launch.sh';
export const SBATCH_FILE = 'job.sbatch';
export const LOG_FILE = 'train.log';
export const EXIT_FILE = 'exit_code';
export const PID_FILE = 'run.pid';
export const VLMR1_WRAPPER = 'georeason_grpo_jsonl.py';
export const LLAMAFACTORY_YAML = 'georeason_sft.yaml';

type Hyper = Required<Hyperparameters>;

export interface RecipeDef {
  id: ExternalRecipe;
  title: string;
  description: string;
  defaults: Hyper;
  needs: { checkout: boolean; model: boolean; data: boolean; reward: boolean; customCommand: boolean };
}

const base: Hyper = {
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

export const RECIPES: readonly RecipeDef[] = [
  {
    id: 'vlm-r1-grpo',
    title: 'Geo-R / VLM-R1 GRPO',
    description:
      'torchrun … src/open_r1/grpo_jsonl.py on VLM-R1 JSONL, with the reward spec registered as "georeason" by a wrapper script (your checkout is not modified). VLM-R1 defaults: 4 generations, β 0.04, lr 1e-6, 256 completion tokens.',
    defaults: { ...base },
    needs: { checkout: true, model: true, data: true, reward: true, customCommand: false },
  },
  {
    id: 'llamafactory-sft',
    title: 'LLaMA-Factory SFT',
    description: 'llamafactory-cli train <yaml> on the ShareGPT export and its dataset_info.json (Geo-R does its SFT this way).',
    defaults: { ...base, learningRate: 1e-5, perDeviceBatchSize: 1, gradientAccumulationSteps: 8, epochs: 2, loggingSteps: 5 },
    needs: { checkout: false, model: true, data: true, reward: false, customCommand: false },
  },
  {
    id: 'swift-grpo',
    title: 'ms-swift GRPO (GLOBE)',
    description:
      'swift rlhf --rlhf_type grpo with the reward spec as an external plug-in (--reward_funcs georeason). GLOBE settings: 16 generations, β 0.001, temperature 1.0, 1024 completion tokens, lr 1e-6. The command follows the installed ms-swift (3.x: --train_type; 4.x: --tuner_type), detected in your environment or set here.',
    defaults: { ...base, numGenerations: 16, beta: 0.001, maxCompletionLength: 1024, perDeviceBatchSize: 16 },
    needs: { checkout: false, model: true, data: true, reward: true, customCommand: false },
  },
  {
    id: 'custom',
    title: 'Custom command',
    description:
      'Any command that prints TRL-style logs. The data export and a TRL reward file are written when chosen; the command finds them in $GEOREASON_DATA_DIR, $GEOREASON_REWARD_FILE and writes to $GEOREASON_OUTPUT_DIR.',
    defaults: { ...base },
    needs: { checkout: false, model: false, data: false, reward: false, customCommand: true },
  },
];

export function recipeDef(id: ExternalRecipe): RecipeDef {
  const r = RECIPES.find((x) => x.id === id);
  if (!r) throw new RpcError(ErrorCode.BadInput, `unknown recipe ${id}`);
  return r;
}

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

function need<T>(value: T | undefined | null, what: string, recipe: string): T {
  if (value === undefined || value === null || value === '') throw new RpcError(ErrorCode.BadInput, `${recipe}: ${what}`);
  return value;
}

/** How a Python environment is entered, for launch.sh. */
function envLines(s: ExternalSettingsParsed): { prefix: string[]; exports: string[]; python: string } {
  switch (s.env.kind) {
    case 'conda':
      return { prefix: ['conda', 'run', '-n', q(s.env.name), '--no-capture-output'], exports: [], python: 'python' };
    case 'interpreter':
      return { prefix: [], exports: [`export PATH=${q(path.posix.dirname(s.env.path))}:"$PATH"`], python: q(s.env.path) };
    case 'path':
      return { prefix: [], exports: [], python: 'python' };
  }
}

function dataFile(workDir: string, split: 'train' | 'val', ext: string): string {
  return path.posix.join(workDir, 'data', `${DATA_BASE}_${split}.${ext}`);
}

/** The VLM-R1 wrapper: runs grpo_jsonl.py's own __main__ block with the spec's reward registered. */
export function vlmr1Wrapper(scriptPath: string, rewardModule: string): string {
  return `# GeoReason Workbench: runs VLM-R1's grpo_jsonl.py with the reward spec registered as
# "georeason", without touching the checkout. The script's top level runs as a module
# (its "if __name__ == '__main__':" block left out), the generated reward plug-in is
# added to its reward_funcs_registry, then that block runs, as "python grpo_jsonl.py" would.
import ast
import os
import sys
import types

SCRIPT = ${JSON.stringify(scriptPath)}
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(SCRIPT))
sys.argv[0] = SCRIPT


def _is_main_test(node):
    return (
        isinstance(node, ast.Compare)
        and isinstance(node.left, ast.Name)
        and node.left.id == "__name__"
        and len(node.comparators) == 1
        and isinstance(node.comparators[0], ast.Constant)
        and node.comparators[0].value == "__main__"
    )


with open(SCRIPT, encoding="utf-8") as f:
    tree = ast.parse(f.read(), SCRIPT)
main_blocks = [n for n in tree.body if isinstance(n, ast.If) and _is_main_test(n.test)]
tree.body = [n for n in tree.body if n not in main_blocks]
if not main_blocks:
    sys.exit("georeason: %s has no 'if __name__ == \\"__main__\\":' block to run" % SCRIPT)

module = types.ModuleType("grpo_jsonl")
module.__file__ = SCRIPT
sys.modules["grpo_jsonl"] = module
exec(compile(tree, SCRIPT, "exec"), module.__dict__)
registry = module.__dict__.get("reward_funcs_registry")
if not isinstance(registry, dict):
    sys.exit("georeason: %s defines no reward_funcs_registry dict; this VLM-R1 version is not supported" % SCRIPT)

from ${rewardModule} import reward_funcs_registry as georeason_registry  # noqa: E402

registry.update(georeason_registry)
print("georeason: reward functions registered: %s" % ", ".join(sorted(georeason_registry)), flush=True)
for block in main_blocks:
    exec(compile(ast.Module(body=block.body, type_ignores=[]), SCRIPT, "exec"), module.__dict__)
`;
}

function yamlValue(v: string | number | boolean): string {
  if (typeof v !== 'string') return String(v);
  return /^[A-Za-z0-9_./-]+$/.test(v) && !/^(true|false|null|yes|no|on|off|[-+.\d].*)$/i.test(v) ? v : JSON.stringify(v);
}

/** LLaMA-Factory's training YAML (keys as its examples/train_full/qwen2_5vl_full_sft.yaml). */
export function llamaFactoryYaml(s: ExternalSettingsParsed, hyper: Hyper, ctx: PlanContext, outputDir: string, hasVal: boolean): string {
  const model = need(s.model, 'the model path (model_name_or_path) is missing', 'LLaMA-Factory SFT');
  const sections: [string, [string, string | number | boolean][]][] = [
    ['model', [['model_name_or_path', model], ['image_max_pixels', 262144], ['trust_remote_code', true]]],
    [
      'method',
      [
        ['stage', 'sft'],
        ['do_train', true],
        ['finetuning_type', hyper.finetuningType],
        ...(hyper.finetuningType === 'lora' ? ([['lora_rank', 8], ['lora_target', 'all']] as [string, number | string][]) : []),
        ['freeze_vision_tower', true],
        ...(s.launcher.deepspeed ? ([['deepspeed', s.launcher.deepspeed]] as [string, string][]) : []),
      ],
    ],
    [
      'dataset',
      [
        ['dataset', `${DATA_BASE}_train`],
        ['dataset_dir', path.posix.join(ctx.workDir, 'data')],
        ...(ctx.imageFolder ? ([['media_dir', ctx.imageFolder]] as [string, string][]) : []),
        ['template', hyper.template],
        ['cutoff_len', 2048],
        ['overwrite_cache', true],
        ['preprocessing_num_workers', 4],
      ],
    ],
    [
      'output',
      [
        ['output_dir', outputDir],
        ['logging_steps', hyper.loggingSteps],
        ['save_steps', hyper.saveSteps],
        ['plot_loss', true],
        ['overwrite_output_dir', true],
        ['report_to', 'none'],
      ],
    ],
    [
      'train',
      [
        ['per_device_train_batch_size', hyper.perDeviceBatchSize],
        ['gradient_accumulation_steps', hyper.gradientAccumulationSteps],
        ['learning_rate', hyper.learningRate],
        ['num_train_epochs', hyper.epochs],
        ...(hyper.maxSteps > 0 ? ([['max_steps', hyper.maxSteps]] as [string, number][]) : []),
        ['lr_scheduler_type', 'cosine'],
        ['warmup_ratio', 0.1],
        ['bf16', true],
      ],
    ],
    ...(hasVal
      ? ([
          [
            'eval',
            [
              ['eval_dataset', `${DATA_BASE}_val`],
              ['per_device_eval_batch_size', 1],
              ['eval_strategy', 'steps'],
              ['eval_steps', hyper.saveSteps],
            ],
          ],
        ] as [string, [string, string | number | boolean][]][])
      : []),
  ];
  const lines = [`# GeoReason Workbench: LLaMA-Factory SFT for run ${s.runName}${ctx.datasetName ? ` on ${ctx.datasetName}` : ''}`];
  for (const [name, entries] of sections) {
    lines.push('', `### ${name}`);
    for (const [k, v] of entries) lines.push(`${k}: ${yamlValue(v)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** torchrun's launcher arguments (values from launch.sh's variables). */
function torchrunHead(python: string, interpreter: boolean): string[] {
  return [
    ...(interpreter ? [python, '-m', 'torch.distributed.run'] : ['torchrun']),
    '--nproc_per_node="$NPROC_PER_NODE"',
    '--nnodes="$NNODES"',
    '--node_rank="$NODE_RANK"',
    '--master_addr="$MASTER_ADDR"',
    '--master_port="$MASTER_PORT"',
  ];
}

function extra(s: ExternalSettingsParsed): string[] {
  const t = s.extraArgs.replace(/\s*\n\s*/g, ' ').trim();
  return t ? [t] : [];
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

  const cudaExport = s.launcher.gpus ? [`export CUDA_VISIBLE_DEVICES=${q(s.launcher.gpus)}`] : [];
  let cwd = W;
  let command: string;
  let targets: string | null = null;
  const recipeExports: string[] = [];
  switch (s.recipe) {
    case 'vlm-r1-grpo': {
      const checkout = need(s.checkout, 'the path of your VLM-R1 / Geo-R checkout is missing', def.title);
      const script = path.posix.join(checkout, 'src', 'open-r1-multimodal', 'src', 'open_r1', 'grpo_jsonl.py');
      // grpo_jsonl.py picks its model module from the model path's name and refuses others.
      if (!/qwen|internvl/i.test(s.model ?? '')) warnings.push('grpo_jsonl.py accepts models whose path names Qwen or InternVL only ("Unsupported model" otherwise)');
      const reward = pythonFileName('vlm-r1');
      add(reward, 'reward plug-in (VLM-R1 registry)', exportPython(ctx.spec as RewardSpec, 'vlm-r1'), `from the reward spec "${ctx.spec?.name ?? 'unnamed'}"`);
      add(VLMR1_WRAPPER, 'wrapper: registers "georeason" and runs grpo_jsonl.py', vlmr1Wrapper(script, reward.replace(/\.py$/, '')), `runs ${script} unmodified`);
      addData('jsonl', 'VLM-R1 JSONL');
      cwd = path.posix.join(checkout, 'src', 'open-r1-multimodal');
      command = commandLines(env.prefix.concat(torchrunHead(env.python, s.env.kind === 'interpreter')), [
        q(path.posix.join(W, VLMR1_WRAPPER)),
        flag('output_dir', outputDir),
        flag('model_name_or_path', s.model as string),
        ...(s.launcher.deepspeed ? [flag('deepspeed', s.launcher.deepspeed)] : []),
        flag('dataset_name', 'this_is_not_used'),
        flag('data_file_paths', dataFile(W, 'train', 'jsonl')),
        flag('image_folders', ctx.imageFolder ?? '.'),
        flag('reward_funcs', 'georeason'),
        flag('num_generations', hyper.numGenerations),
        flag('beta', hyper.beta),
        flag('learning_rate', hyper.learningRate),
        flag('max_completion_length', hyper.maxCompletionLength),
        flag('temperature', hyper.temperature),
        flag('per_device_train_batch_size', hyper.perDeviceBatchSize),
        flag('gradient_accumulation_steps', hyper.gradientAccumulationSteps),
        flag('num_train_epochs', hyper.epochs),
        ...(hyper.maxSteps > 0 ? [flag('max_steps', hyper.maxSteps)] : []),
        flag('logging_steps', hyper.loggingSteps),
        flag('save_steps', hyper.saveSteps),
        flag('save_only_model', true),
        flag('bf16', true),
        flag('gradient_checkpointing', true),
        flag('report_to', 'none'),
        flag('run_name', s.runName),
        ...extra(s),
      ]);
      break;
    }
    case 'llamafactory-sft': {
      addData('json', 'ShareGPT JSON');
      files.push({ path: path.posix.join(W, 'data', 'dataset_info.json'), role: 'LLaMA-Factory dataset_info.json', content: null, note: `entries ${DATA_BASE}_train${hasVal ? ` and ${DATA_BASE}_val` : ''}, written with the export` });
      add(LLAMAFACTORY_YAML, 'LLaMA-Factory training YAML', llamaFactoryYaml(s, hyper, ctx, outputDir, hasVal));
      if (s.checkout) cwd = s.checkout;
      // llamafactory-cli starts torchrun itself with these set (multi-GPU, multi-node).
      recipeExports.push('export FORCE_TORCHRUN=1');
      command = commandLines(env.prefix.concat(['llamafactory-cli', 'train', q(path.posix.join(W, LLAMAFACTORY_YAML))]), extra(s));
      break;
    }
    case 'swift-grpo': {
      if (hyper.finetuningType === 'freeze') {
        // LLaMA-Factory's "freeze" has no ms-swift counterpart: 3.x would run and train nothing.
        throw new RpcError(ErrorCode.BadInput, `${def.title}: "freeze" is not an ms-swift tuner (it has lora, full, longlora, adalora, …); choose full or lora`);
      }
      const dialect = swiftDialect(s.swiftVersion ?? null);
      targets = dialect.version
        ? `ms-swift ${dialect.version} (--${dialect.tunerFlag})`
        : `ms-swift ${NEWEST_SWIFT} or newer (--${dialect.tunerFlag}): the installed version is not known yet`;
      if (!dialect.version) warnings.push(`the ms-swift version is not known: the command is written for ${NEWEST_SWIFT}+ (--tuner_type; 3.x needs --train_type); detect it or set it, else it is detected at launch`);
      const reward = pythonFileName('swift');
      add(reward, 'reward plug-in (ms-swift ORM)', exportPython(ctx.spec as RewardSpec, 'swift'), `from the reward spec "${ctx.spec?.name ?? 'unnamed'}"`);
      addData('jsonl', 'ms-swift JSONL (messages, images; solution = country<TAB>city as GLOBE reads it; answer, lat, lon, country, region, city)');
      // swift opens relative image paths from the working folder.
      if (ctx.imageFolder) cwd = ctx.imageFolder;
      command = commandLines(env.prefix.concat(['swift', 'rlhf']), [
        flag('rlhf_type', 'grpo'),
        flag('model', s.model as string),
        flag('external_plugins', path.posix.join(W, reward)),
        flag('reward_funcs', 'georeason'),
        flag('dataset', dataFile(W, 'train', 'jsonl')),
        ...(hasVal ? [flag('val_dataset', dataFile(W, 'val', 'jsonl'))] : []),
        flag(dialect.tunerFlag, hyper.finetuningType),
        flag('torch_dtype', 'bfloat16'),
        flag('num_generations', hyper.numGenerations),
        flag('beta', hyper.beta),
        flag('temperature', hyper.temperature),
        flag('max_completion_length', hyper.maxCompletionLength),
        flag('learning_rate', hyper.learningRate),
        flag('per_device_train_batch_size', hyper.perDeviceBatchSize),
        // Its default is 1, and GRPO refuses an eval batch (× processes) that num_generations
        // does not divide whenever evaluation runs — in 3.x also on the 1% split it takes
        // when no --val_dataset is given. The training batch passed the same rule above.
        flag('per_device_eval_batch_size', hyper.perDeviceBatchSize),
        flag('gradient_accumulation_steps', hyper.gradientAccumulationSteps),
        flag('num_train_epochs', hyper.epochs),
        ...(hyper.maxSteps > 0 ? [flag('max_steps', hyper.maxSteps)] : []),
        flag('logging_steps', hyper.loggingSteps),
        flag('save_steps', hyper.saveSteps),
        flag('output_dir', outputDir),
        flag('report_to', 'none'),
        ...(s.launcher.deepspeed ? [flag('deepspeed', s.launcher.deepspeed)] : []),
        ...extra(s),
      ]);
      break;
    }
    case 'custom': {
      const cmd = need(s.customCommand?.trim(), 'the command to run is missing', def.title);
      if (s.data) {
        addData('jsonl', 'VLM-R1 JSONL');
        recipeExports.push(`export GEOREASON_DATA_DIR=${q(path.posix.join(W, 'data'))}`);
      }
      if (ctx.spec) {
        const reward = pythonFileName('trl');
        add(reward, 'reward plug-in (TRL reward functions)', exportPython(ctx.spec, 'trl'), `from the reward spec "${ctx.spec.name ?? 'unnamed'}"`);
        recipeExports.push(`export GEOREASON_REWARD_FILE=${q(path.posix.join(W, reward))}`);
      }
      recipeExports.push(`export GEOREASON_OUTPUT_DIR=${q(outputDir)}`);
      if (s.model) recipeExports.push(`export GEOREASON_MODEL=${q(s.model)}`);
      if (s.checkout) cwd = s.checkout;
      command = [env.prefix.join(' '), cmd, ...extra(s)].filter((x) => x.length > 0).join(' ');
      break;
    }
  }

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
