/**
 * ms-swift GRPO (GLOBE): `swift rlhf --rlhf_type grpo` with the reward spec as an
 * external plug-in, written for the installed ms-swift's flags (3.x or 4.x).
 */
import path from 'node:path';
import { ErrorCode, RpcError } from '../../../../shared/rpc/errors.js';
import type { RewardSpec } from '../../../../shared/reward/spec.js';
import { pythonFileName } from '../../../../shared/reward/export-python.js';
import { rewardPlugin } from '../../reward/python-sources.js';
import { commandLines, flag } from '../shell.js';
import { NEWEST_SWIFT, swiftDialect } from '../swift-version.js';
import { baseHyper, dataFile, extraArgs, trlGrpoFlags, type RecipeCommand, type RecipeDef, type RecipeInput } from './shared.js';

export const swiftRecipe: RecipeDef = {
  id: 'swift-grpo',
  title: 'ms-swift GRPO (GLOBE)',
  description:
    'swift rlhf --rlhf_type grpo with the reward spec as an external plug-in (--reward_funcs georeason). GLOBE settings: 16 generations, β 0.001, temperature 1.0, 1024 completion tokens, lr 1e-6. The command follows the installed ms-swift (3.x: --train_type; 4.x: --tuner_type), detected in your environment or set here.',
  defaults: { ...baseHyper, numGenerations: 16, beta: 0.001, maxCompletionLength: 1024, perDeviceBatchSize: 16 },
  needs: { checkout: false, model: true, data: true, reward: true, customCommand: false },
};

export function swiftCommand({ s, ctx, def, hyper, outputDir, hasVal, env, warnings, add, addData }: RecipeInput): RecipeCommand {
  const W = ctx.workDir;
  if (hyper.finetuningType === 'freeze') {
    // LLaMA-Factory's "freeze" has no ms-swift counterpart: 3.x would run and train nothing.
    throw new RpcError(ErrorCode.BadInput, `${def.title}: "freeze" is not an ms-swift tuner (it has lora, full, longlora, adalora, …); choose full or lora`);
  }
  const dialect = swiftDialect(s.swiftVersion ?? null);
  const targets = dialect.version
    ? `ms-swift ${dialect.version} (--${dialect.tunerFlag})`
    : `ms-swift ${NEWEST_SWIFT} or newer (--${dialect.tunerFlag}): the installed version is not known yet`;
  if (!dialect.version) warnings.push(`the ms-swift version is not known: the command is written for ${NEWEST_SWIFT}+ (--tuner_type; 3.x needs --train_type); detect it or set it, else it is detected at launch`);
  const reward = pythonFileName('swift');
  add(reward, 'reward plug-in (ms-swift ORM)', rewardPlugin(ctx.spec as RewardSpec, 'swift'), `from the reward spec "${ctx.spec?.name ?? 'unnamed'}"`);
  addData('jsonl', 'ms-swift JSONL (messages, images; solution = country<TAB>city as GLOBE reads it; answer, lat, lon, country, region, city)');
  const command = commandLines(env.prefix.concat(['swift', 'rlhf']), [
    flag('rlhf_type', 'grpo'),
    flag('model', s.model as string),
    flag('external_plugins', path.posix.join(W, reward)),
    flag('reward_funcs', 'georeason'),
    flag('dataset', dataFile(W, 'train', 'jsonl')),
    ...(hasVal ? [flag('val_dataset', dataFile(W, 'val', 'jsonl'))] : []),
    flag(dialect.tunerFlag, hyper.finetuningType),
    flag('torch_dtype', 'bfloat16'),
    ...trlGrpoFlags(hyper, { evalBatch: true }),
    flag('output_dir', outputDir),
    flag('report_to', 'none'),
    ...(s.launcher.deepspeed ? [flag('deepspeed', s.launcher.deepspeed)] : []),
    ...extraArgs(s),
  ]);
  // swift opens relative image paths from the working folder.
  return { command, targets, ...(ctx.imageFolder ? { cwd: ctx.imageFolder } : {}) };
}
