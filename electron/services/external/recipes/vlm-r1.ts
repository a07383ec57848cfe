/**
 * Geo-R / VLM-R1 GRPO: torchrun on a wrapper that runs the checkout's grpo_jsonl.py
 * with the reward spec's plug-in registered as "georeason" (the checkout is not modified).
 */
import path from 'node:path';
import type { RewardSpec } from '../../../../shared/reward/spec.js';
import { pythonFileName } from '../../../../shared/reward/export-python.js';
import { rewardPlugin, vlmr1Wrapper } from '../../reward/python-sources.js';
import { commandLines, flag, q } from '../shell.js';
import { baseHyper, dataFile, extraArgs, need, torchrunHead, trlGrpoFlags, type RecipeCommand, type RecipeDef, type RecipeInput } from './shared.js';

export const VLMR1_WRAPPER = 'georeason_grpo_jsonl.py';

export const vlmr1Recipe: RecipeDef = {
  id: 'vlm-r1-grpo',
  title: 'Geo-R / VLM-R1 GRPO',
  description:
    'torchrun … src/open_r1/grpo_jsonl.py on VLM-R1 JSONL, with the reward spec registered as "georeason" by a wrapper script (your checkout is not modified). VLM-R1 defaults: 4 generations, β 0.04, lr 1e-6, 256 completion tokens.',
  defaults: { ...baseHyper },
  needs: { checkout: true, model: true, data: true, reward: true, customCommand: false },
};

export function vlmr1Command({ s, ctx, def, hyper, outputDir, env, warnings, add, addData }: RecipeInput): RecipeCommand {
  const W = ctx.workDir;
  const checkout = need(s.checkout, 'the path of your VLM-R1 / Geo-R checkout is missing', def.title);
  const script = path.posix.join(checkout, 'src', 'open-r1-multimodal', 'src', 'open_r1', 'grpo_jsonl.py');
  // grpo_jsonl.py picks its model module from the model path's name and refuses others.
  if (!/qwen|internvl/i.test(s.model ?? '')) warnings.push('grpo_jsonl.py accepts models whose path names Qwen or InternVL only ("Unsupported model" otherwise)');
  const reward = pythonFileName('vlm-r1');
  add(reward, 'reward plug-in (VLM-R1 registry)', rewardPlugin(ctx.spec as RewardSpec, 'vlm-r1'), `from the reward spec "${ctx.spec?.name ?? 'unnamed'}"`);
  add(VLMR1_WRAPPER, 'wrapper: registers "georeason" and runs grpo_jsonl.py', vlmr1Wrapper(script, reward.replace(/\.py$/, '')), `runs ${script} unmodified`);
  addData('jsonl', 'VLM-R1 JSONL');
  const command = commandLines(env.prefix.concat(torchrunHead(env.python, s.env.kind === 'interpreter')), [
    q(path.posix.join(W, VLMR1_WRAPPER)),
    flag('output_dir', outputDir),
    flag('model_name_or_path', s.model as string),
    ...(s.launcher.deepspeed ? [flag('deepspeed', s.launcher.deepspeed)] : []),
    flag('dataset_name', 'this_is_not_used'),
    flag('data_file_paths', dataFile(W, 'train', 'jsonl')),
    flag('image_folders', ctx.imageFolder ?? '.'),
    flag('reward_funcs', 'georeason'),
    ...trlGrpoFlags(hyper, { evalBatch: false }),
    flag('save_only_model', true),
    flag('bf16', true),
    flag('gradient_checkpointing', true),
    flag('report_to', 'none'),
    flag('run_name', s.runName),
    ...extraArgs(s),
  ]);
  return { command, cwd: path.posix.join(checkout, 'src', 'open-r1-multimodal') };
}
