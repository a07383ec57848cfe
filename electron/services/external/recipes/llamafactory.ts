/**
 * LLaMA-Factory SFT: `llamafactory-cli train <yaml>` on the ShareGPT export and its
 * dataset_info.json (Geo-R does its SFT this way).
 */
import path from 'node:path';
import type { ExternalSettingsParsed } from '../../../../shared/rpc/external-methods.js';
import { commandLines, q } from '../shell.js';
import { baseHyper, DATA_BASE, extraArgs, need, type Hyper, type PlanContext, type RecipeCommand, type RecipeDef, type RecipeInput } from './shared.js';

export const LLAMAFACTORY_YAML = 'georeason_sft.yaml';

export const llamaFactoryRecipe: RecipeDef = {
  id: 'llamafactory-sft',
  title: 'LLaMA-Factory SFT',
  description: 'llamafactory-cli train <yaml> on the ShareGPT export and its dataset_info.json (Geo-R does its SFT this way).',
  defaults: { ...baseHyper, learningRate: 1e-5, perDeviceBatchSize: 1, gradientAccumulationSteps: 8, epochs: 2, loggingSteps: 5 },
  needs: { checkout: false, model: true, data: true, reward: false, customCommand: false },
};

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

export function llamaFactoryCommand({ s, ctx, hyper, outputDir, hasVal, env, add, addData, files }: RecipeInput): RecipeCommand {
  const W = ctx.workDir;
  addData('json', 'ShareGPT JSON');
  files.push({ path: path.posix.join(W, 'data', 'dataset_info.json'), role: 'LLaMA-Factory dataset_info.json', content: null, note: `entries ${DATA_BASE}_train${hasVal ? ` and ${DATA_BASE}_val` : ''}, written with the export` });
  add(LLAMAFACTORY_YAML, 'LLaMA-Factory training YAML', llamaFactoryYaml(s, hyper, ctx, outputDir, hasVal));
  const command = commandLines(env.prefix.concat(['llamafactory-cli', 'train', q(path.posix.join(W, LLAMAFACTORY_YAML))]), extraArgs(s));
  // llamafactory-cli starts torchrun itself with FORCE_TORCHRUN set (multi-GPU, multi-node).
  return { command, exports: ['export FORCE_TORCHRUN=1'], ...(s.checkout ? { cwd: s.checkout } : {}) };
}
