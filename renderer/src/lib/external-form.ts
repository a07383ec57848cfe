/**
 * The external-trainer form's problems, all at once and each under its own field, in
 * plain words: the settings schema's issues (the same schema the main process checks)
 * and what the chosen recipe needs (what the plan would refuse, one at a time).
 */
import type { z } from 'zod';
import { ExternalSettings } from '../../../shared/rpc/external-methods.js';

/** The form's fields, by the name the component shows each problem under. */
export type FormField =
  | 'runName'
  | 'condaName'
  | 'interpreter'
  | 'host'
  | 'user'
  | 'port'
  | 'identityFile'
  | 'remoteDir'
  | 'remoteImages'
  | 'checkout'
  | 'model'
  | 'outputDir'
  | 'dataset'
  | 'valFraction'
  | 'spec'
  | 'gpus'
  | 'nprocPerNode'
  | 'nnodes'
  | 'nodeRank'
  | 'masterAddr'
  | 'masterPort'
  | 'deepspeed'
  | 'partition'
  | 'account'
  | 'wallTime'
  | 'slurmExtra'
  | 'customCommand'
  | 'extraArgs'
  | 'swiftVersion'
  | `hyper.${string}`
  | 'form';

export type FormProblems = Partial<Record<FormField, string>>;

export interface RecipeNeeds {
  checkout: boolean;
  model: boolean;
  data: boolean;
  reward: boolean;
  customCommand: boolean;
}

const SECTION_FIELDS: Record<string, Record<string, FormField>> = {
  env: { name: 'condaName', path: 'interpreter' },
  where: { host: 'host', user: 'user', port: 'port', identityFile: 'identityFile', remoteDir: 'remoteDir', imageFolder: 'remoteImages' },
  data: { valFraction: 'valFraction' },
  slurm: { partition: 'partition', account: 'account', time: 'wallTime', extra: 'slurmExtra' },
};
const TOP_FIELDS = new Set<string>(['runName', 'checkout', 'model', 'outputDir', 'customCommand', 'extraArgs', 'swiftVersion']);
const LAUNCHER_FIELDS = new Set<string>(['gpus', 'nprocPerNode', 'nnodes', 'nodeRank', 'masterAddr', 'masterPort', 'deepspeed']);

/** Which field a schema issue belongs to. */
export function fieldOf(issuePath: readonly PropertyKey[]): FormField {
  const [head, next] = issuePath.map(String);
  if (head === undefined) return 'form';
  if (TOP_FIELDS.has(head)) return head as FormField;
  if (head === 'hyper' && next) return `hyper.${next}`;
  if (head === 'launcher' && next && LAUNCHER_FIELDS.has(next)) return next as FormField;
  if (head === 'reward') return 'spec';
  if (head === 'data') return (next !== undefined ? SECTION_FIELDS.data?.[next] : undefined) ?? 'dataset';
  const section = SECTION_FIELDS[head];
  if (section && next && section[next]) return section[next];
  return 'form';
}

/** A schema issue in plain words (the schema's own wording where it has one). */
export function plainMessage(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'too_small':
      if (issue.origin === 'string') return 'required';
      if (issue.origin === 'array') return `at least ${String(issue.minimum)}`;
      return `${issue.inclusive === false ? 'more than' : 'at least'} ${String(issue.minimum)}`;
    case 'too_big':
      if (issue.origin === 'string') return `too long (at most ${String(issue.maximum)} characters)`;
      return `${issue.inclusive === false ? 'less than' : 'at most'} ${String(issue.maximum)}`;
    case 'invalid_type':
      return issue.expected === 'number' || issue.expected === 'int' ? 'a number is needed' : 'required';
    case 'invalid_format':
      return issue.message.startsWith('Invalid') ? 'not in the expected form' : issue.message;
    case 'unrecognized_keys':
      return `unknown setting${issue.keys.length === 1 ? '' : 's'}: ${issue.keys.join(', ')}`;
    default:
      return issue.message.startsWith('Invalid') ? 'not valid here' : issue.message;
  }
}

/**
 * Every problem of the settings the form would send: schema issues, then what the recipe
 * needs. The first problem of a field is kept (the one to fix first).
 */
export function formProblems(settings: unknown, needs: RecipeNeeds | null): FormProblems {
  const out: FormProblems = {};
  const add = (field: FormField, message: string): void => {
    out[field] ??= message;
  };
  const s = (typeof settings === 'object' && settings !== null ? settings : {}) as Record<string, unknown>;
  const blank = (v: unknown): boolean => typeof v !== 'string' || v.trim() === '';
  // Empty fields first: "required" says more than the rule an empty text breaks.
  const env = (s.env ?? {}) as Record<string, unknown>;
  if (env.kind === 'conda' && blank(env.name)) add('condaName', "required: the conda environment's name");
  if (env.kind === 'interpreter' && blank(env.path)) add('interpreter', "required: the Python interpreter's path");
  const where = (s.where ?? {}) as Record<string, unknown>;
  if (where.kind === 'ssh' && blank(where.host)) add('host', 'required: a host name or ~/.ssh/config alias');
  if (where.kind === 'ssh' && blank(where.remoteDir)) add('remoteDir', 'required: an absolute folder on the server');
  if (blank(s.runName)) add('runName', 'required');
  const parsed = ExternalSettings.safeParse(settings);
  if (!parsed.success) for (const issue of parsed.error.issues) add(fieldOf(issue.path), plainMessage(issue));
  if (needs) {
    if (needs.checkout && blank(s.checkout)) add('checkout', 'required: the folder of your checkout on the training machine');
    if (needs.model && blank(s.model)) add('model', 'required: a model path or hub id');
    if (needs.data && s.data === undefined) add('dataset', 'required: choose the dataset to export');
    if (needs.reward && s.reward === undefined) add('spec', 'required: choose a reward spec');
    if (needs.customCommand && blank(s.customCommand)) add('customCommand', 'required: the command to run');
  }
  const hyper = (s.hyper ?? {}) as Record<string, unknown>;
  if (s.recipe === 'swift-grpo' && hyper.finetuningType === 'freeze') add('hyper.finetuningType', '"freeze" is not an ms-swift tuner: choose full or lora');
  const launcher = (s.launcher ?? {}) as Record<string, unknown>;
  const grpo = s.recipe === 'vlm-r1-grpo' || s.recipe === 'swift-grpo';
  const world = Number(launcher.nprocPerNode ?? 1) * Number(launcher.nnodes ?? 1);
  if (grpo && typeof hyper.perDeviceBatchSize === 'number' && typeof hyper.numGenerations === 'number' && Number.isFinite(world)) {
    if ((hyper.perDeviceBatchSize * world) % hyper.numGenerations !== 0) {
      add('hyper.perDeviceBatchSize', `${hyper.perDeviceBatchSize} × ${world} process${world === 1 ? '' : 'es'} is not a multiple of ${hyper.numGenerations} generations: the trainer would refuse it`);
    }
  }
  return out;
}
