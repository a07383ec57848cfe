/**
 * The external-trainer form's draft: every field as the form edits it (texts may be
 * empty, a choice keeps the values of the options not chosen), and the
 * ExternalSettings the draft stands for — the one object previewed and started.
 */
import type { z } from 'zod';
import {
  DataSettings,
  LauncherSettings,
  SlurmSettings,
  type ExternalRecipe,
  type ExternalSettings,
  type Hyperparameters,
  type PythonEnv,
  type Where,
} from '../../../shared/rpc/external-methods.js';
import type { RecipeNeeds } from './external-form.js';

type SshWhere = Extract<Where, { kind: 'ssh' }>;

export interface ExternalDraft {
  recipe: ExternalRecipe;
  runName: string;
  checkout: string;
  model: string;
  outputDir: string;
  /** The chosen kind, with the texts of every kind (switching back keeps them). */
  env: { kind: PythonEnv['kind']; name: string; path: string };
  data: { datasetId: number | null; subset: string; valFraction: number };
  /** "preset:<name>", "saved:<id>" or "none". */
  reward: string;
  /** Filled from the chosen recipe's defaults (external.recipes). */
  hyper: Hyperparameters;
  /** Per-device batch left to the recipe (GRPO: the smallest that fits num_generations). */
  autoBatch: boolean;
  launcher: Omit<z.output<typeof LauncherSettings>, 'deepspeed'> & { deepspeed: string };
  where: { kind: Where['kind']; host: string; user: string; port: number | null; identityFile: string; remoteDir: string; imageFolder: string; transfer: NonNullable<SshWhere['transfer']> };
  /** `extra`: one #SBATCH option a line. */
  slurm: { enabled: boolean; partition: string; account: string; time: string; extra: string };
  extraArgs: string;
  customCommand: string;
  /** The ms-swift version the command is written for (detected, or typed over). */
  swiftVersion: string;
}

/** The reward spec a new draft offers (the preset Geo-R's code trains with). */
export const DEFAULT_REWARD = 'preset:geo-r-code';

/** A run name's time stamp, e.g. 20261206-2218 (UTC). */
export function stamp(now: Date = new Date()): string {
  return now.toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
}

export function autoRunName(recipe: ExternalRecipe, now: Date = new Date()): string {
  return `${recipe}-${stamp(now)}`;
}

/** Whether a run name is one the form made (and may remake for another recipe), not one typed. */
export function isAutoRunName(name: string): boolean {
  return /^(vlm-r1-grpo|llamafactory-sft|swift-grpo|custom)-\d{8}-\d{4}$/.test(name);
}

/** A new draft: the schema's defaults; hyperparameters come with the recipe's defaults. */
export function newDraft(recipe: ExternalRecipe, now: Date = new Date()): ExternalDraft {
  const slurm = SlurmSettings.parse({});
  return {
    recipe,
    runName: autoRunName(recipe, now),
    checkout: '',
    model: '',
    outputDir: '',
    env: { kind: 'conda', name: '', path: '' },
    data: { datasetId: null, subset: '', valFraction: DataSettings.shape.valFraction.parse(undefined) },
    reward: DEFAULT_REWARD,
    hyper: {},
    autoBatch: true,
    launcher: { ...LauncherSettings.parse({}), deepspeed: '' },
    where: { kind: 'local', host: '', user: '', port: null, identityFile: '', remoteDir: '', imageFolder: '', transfer: 'rsync' },
    slurm: { enabled: slurm.enabled, partition: '', account: '', time: '', extra: '' },
    extraArgs: '',
    customCommand: '',
    swiftVersion: '',
  };
}

/** A text field: trimmed, and left out when empty. */
function opt<K extends string>(key: K, text: string): Partial<Record<K, string>> {
  const t = text.trim();
  return t ? ({ [key]: t } as Record<K, string>) : {};
}

function rewardOf(key: string): ExternalSettings['reward'] | null {
  if (key.startsWith('preset:')) return { preset: key.slice('preset:'.length) };
  if (key.startsWith('saved:')) return { specId: Number(key.slice('saved:'.length)) };
  return null;
}

/**
 * The settings the draft stands for. Data and reward go only to recipes that take them
 * (custom takes both, optionally); texts are trimmed and empty ones left out.
 */
export function draftSettings(d: ExternalDraft, needs: RecipeNeeds | null): ExternalSettings {
  const custom = d.recipe === 'custom';
  const reward = rewardOf(d.reward);
  const { perDeviceBatchSize, ...hyper } = d.hyper;
  const w = d.where;
  const l = d.launcher;
  return {
    recipe: d.recipe,
    runName: d.runName.trim(),
    ...opt('checkout', d.checkout),
    env: d.env.kind === 'conda' ? { kind: 'conda', name: d.env.name.trim() } : d.env.kind === 'interpreter' ? { kind: 'interpreter', path: d.env.path.trim() } : { kind: 'path' },
    ...opt('model', d.model),
    ...opt('outputDir', d.outputDir),
    ...(d.data.datasetId !== null && (needs?.data || custom)
      ? { data: { datasetId: d.data.datasetId, valFraction: d.data.valFraction, ...(d.data.subset ? { subset: d.data.subset } : {}) } }
      : {}),
    ...(reward && (needs?.reward || custom) ? { reward } : {}),
    hyper: d.autoBatch || perDeviceBatchSize === undefined ? hyper : { ...hyper, perDeviceBatchSize },
    launcher: { gpus: l.gpus.replace(/\s+/g, ''), nprocPerNode: l.nprocPerNode, nnodes: l.nnodes, nodeRank: l.nodeRank, masterAddr: l.masterAddr, masterPort: l.masterPort, ...opt('deepspeed', l.deepspeed) },
    where:
      w.kind === 'local'
        ? { kind: 'local' }
        : {
            kind: 'ssh',
            host: w.host.trim(),
            ...opt('user', w.user),
            ...(w.port ? { port: w.port } : {}),
            ...opt('identityFile', w.identityFile),
            remoteDir: w.remoteDir.trim(),
            ...opt('imageFolder', w.imageFolder),
            transfer: w.transfer,
          },
    slurm: {
      enabled: d.slurm.enabled,
      ...opt('partition', d.slurm.partition),
      ...opt('account', d.slurm.account),
      ...opt('time', d.slurm.time),
      extra: d.slurm.extra.split('\n').map((line) => line.trim()).filter((line) => line.length > 0),
    },
    extraArgs: d.extraArgs,
    ...(custom ? { customCommand: d.customCommand } : {}),
    ...(d.recipe === 'swift-grpo' ? opt('swiftVersion', d.swiftVersion) : {}),
  };
}
