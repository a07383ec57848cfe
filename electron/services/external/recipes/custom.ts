/**
 * Custom command: any command that prints TRL-style logs, with the data export and a
 * TRL reward plug-in written when chosen and named to it by environment variables.
 */
import path from 'node:path';
import { pythonFileName } from '../../../../shared/reward/export-python.js';
import { rewardPlugin } from '../../reward/python-sources.js';
import { q } from '../shell.js';
import { baseHyper, extraArgs, need, type RecipeCommand, type RecipeDef, type RecipeInput } from './shared.js';

export const customRecipe: RecipeDef = {
  id: 'custom',
  title: 'Custom command',
  description:
    'Any command that prints TRL-style logs. The data export and a TRL reward file are written when chosen; the command finds them in $GEOREASON_DATA_DIR, $GEOREASON_REWARD_FILE and writes to $GEOREASON_OUTPUT_DIR.',
  defaults: { ...baseHyper },
  needs: { checkout: false, model: false, data: false, reward: false, customCommand: true },
};

export function customCommand({ s, ctx, def, outputDir, env, add, addData }: RecipeInput): RecipeCommand {
  const W = ctx.workDir;
  const cmd = need(s.customCommand?.trim(), 'the command to run is missing', def.title);
  const exports: string[] = [];
  if (s.data) {
    addData('jsonl', 'VLM-R1 JSONL');
    exports.push(`export GEOREASON_DATA_DIR=${q(path.posix.join(W, 'data'))}`);
  }
  if (ctx.spec) {
    const reward = pythonFileName('trl');
    add(reward, 'reward plug-in (TRL reward functions)', rewardPlugin(ctx.spec, 'trl'), `from the reward spec "${ctx.spec.name ?? 'unnamed'}"`);
    exports.push(`export GEOREASON_REWARD_FILE=${q(path.posix.join(W, reward))}`);
  }
  exports.push(`export GEOREASON_OUTPUT_DIR=${q(outputDir)}`);
  if (s.model) exports.push(`export GEOREASON_MODEL=${q(s.model)}`);
  const command = [env.prefix.join(' '), cmd, ...extraArgs(s)].filter((x) => x.length > 0).join(' ');
  return { command, exports, ...(s.checkout ? { cwd: s.checkout } : {}) };
}
