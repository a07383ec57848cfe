import { describe, expect, it } from 'vitest';
import { ExternalSettings, type ExternalSettings as Settings } from '../../shared/rpc/external-methods.js';
import { presets } from '../../shared/reward/presets.js';
import { buildPlan, sbatchScript, type PlanContext } from '../../electron/services/external/recipes/index.js';
import { launchSteps, startCommand, stopCommand } from '../../electron/services/external/runner.js';
import { localTarget, sshTarget } from '../../electron/services/external/target.js';
import { detectSwiftVersion, parseSwiftVersion, swiftDialect, swiftVersionCommand } from '../../electron/services/external/swift-version.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const spec = presets['geo-r-code'];
const ctx: PlanContext = { workDir: '/runs/r1', imageFolder: '/data/photos', spec, datasetName: 'MP16 sample', where: 'this machine', hasVal: true };
const plan = (s: Settings, c: Partial<PlanContext> = {}) => buildPlan(ExternalSettings.parse(s), { ...ctx, ...c });
const file = (p: ReturnType<typeof plan>, name: string): string => p.write.find((f) => f.name === name)?.content ?? '';

describe('VLM-R1 GRPO recipe', () => {
  const p = plan({
    recipe: 'vlm-r1-grpo',
    runName: 'r1',
    checkout: '/home/me/VLM-R1',
    env: { kind: 'conda', name: 'vlm-r1' },
    model: 'Qwen/Qwen2.5-VL-3B-Instruct',
    data: { datasetId: 1 },
    reward: { preset: 'geo-r-code' },
    launcher: { gpus: '0,1', nprocPerNode: 2, deepspeed: '/home/me/VLM-R1/src/open-r1-multimodal/local_scripts/zero3.json' },
    extraArgs: '--attn_implementation flash_attention_2',
  });
  it('runs torchrun on the wrapper with the VLM-R1 defaults and the georeason reward', () => {
    expect(p.command.split(' \\\n')[0]).toBe(
      'conda run -n vlm-r1 --no-capture-output torchrun --nproc_per_node="$NPROC_PER_NODE" --nnodes="$NNODES" --node_rank="$NODE_RANK" --master_addr="$MASTER_ADDR" --master_port="$MASTER_PORT"',
    );
    const c = p.command;
    for (const part of [
      '/runs/r1/georeason_grpo_jsonl.py',
      '--data_file_paths /runs/r1/data/georeason_train.jsonl',
      '--image_folders /data/photos',
      '--reward_funcs georeason',
      '--num_generations 4',
      '--beta 0.04',
      '--learning_rate 0.000001',
      '--max_completion_length 256',
      '--per_device_train_batch_size 2', // 2 processes × 2 = a multiple of 4
      '--deepspeed /home/me/VLM-R1/src/open-r1-multimodal/local_scripts/zero3.json',
      '--output_dir /runs/r1/output',
      '--attn_implementation flash_attention_2',
    ]) {
      expect(c).toContain(part);
    }
  });
  it('launch.sh enters the checkout, sets the GPUs and the launcher variables only when unset', () => {
    const launch = file(p, 'launch.sh');
    expect(launch).toContain("cd /home/me/VLM-R1/src/open-r1-multimodal || exit 1");
    expect(launch).toContain('export CUDA_VISIBLE_DEVICES=0,1');
    expect(launch).toContain('export NPROC_PER_NODE="${NPROC_PER_NODE:-2}"');
    expect(launch).toContain(`exec ${p.command}`);
  });
  it('writes the VLM-R1 reward plug-in and a wrapper that registers it without patching the checkout', () => {
    expect(file(p, 'georeason_reward_vlmr1.py')).toContain('reward_funcs_registry = {');
    const wrapper = file(p, 'georeason_grpo_jsonl.py');
    expect(wrapper).toContain('SCRIPT = "/home/me/VLM-R1/src/open-r1-multimodal/src/open_r1/grpo_jsonl.py"');
    expect(wrapper).toContain('from georeason_reward_vlmr1 import reward_funcs_registry as georeason_registry');
    expect(p.files.map((f) => f.path)).toEqual(
      expect.arrayContaining(['/runs/r1/launch.sh', '/runs/r1/data/georeason_train.jsonl', '/runs/r1/data/georeason_val.jsonl']),
    );
    expect(p.files[0]?.path).toBe('/runs/r1/launch.sh');
    expect(p.files.find((f) => f.path.endsWith('_train.jsonl'))?.content).toBeNull();
  });
  it('says what is missing or impossible', () => {
    expect(() => plan({ recipe: 'vlm-r1-grpo', runName: 'x', model: 'm', data: { datasetId: 1 } })).toThrow(/checkout is missing/);
    expect(() => plan({ recipe: 'vlm-r1-grpo', runName: 'x', checkout: '/c', model: 'm', data: { datasetId: 1 } }, { spec: null })).toThrow(/choose a reward spec/);
    expect(() =>
      plan({ recipe: 'vlm-r1-grpo', runName: 'x', checkout: '/c', model: 'm', data: { datasetId: 1 }, hyper: { perDeviceBatchSize: 3 } }),
    ).toThrow(/not a multiple of num_generations 4/);
    expect(() => ExternalSettings.parse({ recipe: 'custom', runName: 'has space' })).toThrow();
  });
});

describe('ms-swift GRPO and LLaMA-Factory recipes', () => {
  it('swift rlhf with GLOBE settings and the generated plug-in', () => {
    const p = plan({ recipe: 'swift-grpo', runName: 'g', model: 'Qwen/Qwen2.5-VL-7B-Instruct', data: { datasetId: 1 }, reward: { preset: 'globe' }, launcher: { nprocPerNode: 8 } });
    for (const part of ['swift rlhf', '--rlhf_type grpo', '--external_plugins /runs/r1/georeason_reward_swift.py', '--reward_funcs georeason', '--num_generations 16', '--beta 0.001', '--temperature 1', '--max_completion_length 1024', '--per_device_train_batch_size 2']) {
      expect(p.command).toContain(part);
    }
    expect(file(p, 'georeason_reward_swift.py')).toContain('orms["georeason"] = GeoReasonORM');
    expect(file(p, 'launch.sh')).toContain('cd /data/photos');
  });
  it('VLM-R1 and ms-swift take the same TRL GRPO flag block, ms-swift with its eval batch added', () => {
    const hyper = { numGenerations: 4, beta: 0.02, temperature: 0.9, maxCompletionLength: 512, learningRate: 2e-6, perDeviceBatchSize: 4, gradientAccumulationSteps: 2, epochs: 3, maxSteps: 7, loggingSteps: 2, saveSteps: 50 };
    const common = { runName: 'same', model: 'Qwen/Qwen2.5-VL-3B-Instruct', data: { datasetId: 1 }, hyper } as const;
    const grpoLines = (command: string): string[] =>
      command.split(' \\\n').map((l) => l.trim()).filter((l) => /^--(num_generations|beta|temperature|max_completion_length|learning_rate|per_device_(train|eval)_batch_size|gradient_accumulation_steps|num_train_epochs|max_steps|logging_steps|save_steps) /.test(l));
    const vlmr1 = grpoLines(plan({ ...common, recipe: 'vlm-r1-grpo', checkout: '/home/me/VLM-R1', reward: { preset: 'geo-r-code' } }).command);
    const swift = grpoLines(plan({ ...common, recipe: 'swift-grpo', reward: { preset: 'globe' } }).command);
    expect(vlmr1).toEqual([
      '--num_generations 4',
      '--beta 0.02',
      '--temperature 0.9',
      '--max_completion_length 512',
      '--learning_rate 0.000002',
      '--per_device_train_batch_size 4',
      '--gradient_accumulation_steps 2',
      '--num_train_epochs 3',
      '--max_steps 7',
      '--logging_steps 2',
      '--save_steps 50',
    ]);
    expect(swift).toEqual([...vlmr1.slice(0, 6), '--per_device_eval_batch_size 4', ...vlmr1.slice(6)]);
  });
  it('llamafactory-cli train with a YAML naming the ShareGPT export', () => {
    const p = plan({ recipe: 'llamafactory-sft', runName: 's', checkout: '/home/me/LLaMA-Factory', env: { kind: 'interpreter', path: '/opt/envs/lf/bin/python' }, model: '/models/q', data: { datasetId: 1 }, hyper: { finetuningType: 'lora' } });
    expect(p.command).toBe('llamafactory-cli train /runs/r1/georeason_sft.yaml');
    const launch = file(p, 'launch.sh');
    expect(launch).toContain('export PATH=/opt/envs/lf/bin:"$PATH"');
    expect(launch).toContain('export FORCE_TORCHRUN=1');
    const yaml = file(p, 'georeason_sft.yaml');
    for (const line of ['model_name_or_path: /models/q', 'stage: sft', 'do_train: true', 'finetuning_type: lora', 'dataset: georeason_train', 'dataset_dir: /runs/r1/data', 'media_dir: /data/photos', 'template: qwen2_vl', 'output_dir: /runs/r1/output', 'eval_dataset: georeason_val', 'learning_rate: 0.00001']) {
      expect(yaml).toContain(`\n${line}\n`);
    }
    expect(p.files.some((f) => f.path === '/runs/r1/data/dataset_info.json')).toBe(true);
  });
});

describe('the swift rlhf command per ms-swift version (argument dataclasses read at v3.5.3, v4.0.0, v4.1.0)', () => {
  const swift = (more: Partial<Settings> = {}, c: Partial<PlanContext> = {}) =>
    plan({ recipe: 'swift-grpo', runName: 'g', model: 'Qwen/Qwen2.5-VL-7B-Instruct', data: { datasetId: 1 }, reward: { preset: 'globe' }, ...more }, c);

  it('3.x: --train_type (swift/llm/argument/base_args/base_args.py @ v3.5.3 has no tuner_type)', () => {
    const p = swift({ swiftVersion: '3.5.3' });
    expect(p.command).toContain('--train_type full');
    expect(p.command).not.toContain('--tuner_type');
    expect(p.targets).toBe('ms-swift 3.5.3 (--train_type)');
    expect(p.warnings.join(' ')).not.toMatch(/version is not known/);
  });

  it('4.0 and 4.1+: --tuner_type (4.0 keeps train_type as a deprecated alias; 4.1 rejects it as remaining_argv)', () => {
    for (const v of ['4.0.2', '4.1.0', '4.5.1']) {
      const p = swift({ swiftVersion: v, hyper: { finetuningType: 'lora' } });
      expect(p.command, v).toContain('--tuner_type lora');
      expect(p.command, v).not.toContain('--train_type');
      expect(p.targets).toBe(`ms-swift ${v} (--tuner_type)`);
    }
  });

  it('an unknown version: written for the newest, and the preview says so', () => {
    const p = swift();
    expect(p.command).toContain('--tuner_type');
    expect(p.targets).toMatch(/ms-swift 4\.1 or newer.*not known/);
    expect(p.warnings.join(' ')).toMatch(/version is not known/);
  });

  it('"freeze" is refused: ms-swift has no such tuner (get_supported_tuners)', () => {
    expect(() => swift({ swiftVersion: '3.5.3', hyper: { finetuningType: 'freeze' } })).toThrow(/"freeze" is not an ms-swift tuner.*choose full or lora/);
  });

  it('--per_device_eval_batch_size is always set, and num_generations divides eval batch × processes', () => {
    for (const [nproc, hasVal] of [[8, true], [1, false], [3, true]] as const) {
      const p = swift({ swiftVersion: '4.1.0', launcher: { nprocPerNode: nproc } }, { hasVal });
      const m = /--per_device_eval_batch_size (\d+)/.exec(p.command);
      expect(m, `nproc ${nproc}`).not.toBeNull();
      expect((Number(m![1]) * nproc) % 16).toBe(0);
    }
  });

  it('other recipes do not depend on the ms-swift version', () => {
    expect(plan({ recipe: 'llamafactory-sft', runName: 's', model: '/m', data: { datasetId: 1 } }).targets).toBeNull();
  });
});

describe('detecting the installed ms-swift', () => {
  it('reads the version among other output, and dialects by version', () => {
    expect(parseSwiftVersion('some conda noise\nms-swift 3.5.3\n')).toBe('3.5.3');
    expect(parseSwiftVersion('ms-swift 4.1.0.dev0')).toBe('4.1.0.dev0');
    expect(parseSwiftVersion('nothing')).toBeNull();
    expect(swiftDialect('3.12.6').tunerFlag).toBe('train_type');
    expect(swiftDialect('4.0.0').tunerFlag).toBe('tuner_type');
    expect(swiftDialect(null)).toEqual({ version: null, tunerFlag: 'tuner_type' });
  });

  it('asks the run\'s Python environment (installed package metadata), through the same target commands as a launch', async () => {
    const site = fs.mkdtempSync(path.join(os.tmpdir(), 'georeason-swift-'));
    try {
      const s = ExternalSettings.parse({ recipe: 'swift-grpo', runName: 'g', env: { kind: 'interpreter', path: '/usr/bin/python3' } });
      expect(swiftVersionCommand(s)).toContain('/usr/bin/python3 -c');
      const env = { ...process.env, PYTHONPATH: site };
      await expect(detectSwiftVersion(localTarget(), s, env)).rejects.toThrow(/ms-swift is not installed in that Python environment on this machine/);
      const dist = path.join(site, 'ms_swift-3.5.3.dist-info');
      fs.mkdirSync(dist);
      fs.writeFileSync(path.join(dist, 'METADATA'), 'Metadata-Version: 2.1\nName: ms-swift\nVersion: 3.5.3\n');
      await expect(detectSwiftVersion(localTarget(), s, env)).resolves.toBe('3.5.3');
    } finally {
      fs.rmSync(site, { recursive: true, force: true });
    }
  });
});

describe('where it runs', () => {
  const ssh = { kind: 'ssh' as const, host: 'gpu1', user: 'me', port: 2222, identityFile: '/home/me/.ssh/id_ed25519', remoteDir: '/scratch/runs' };
  it('ssh steps: BatchMode, rsync of the run folder, setsid start, tail -F, kill of the process group', () => {
    const p = plan({ recipe: 'custom', runName: 'c', customCommand: 'python train.py', where: ssh });
    const steps = launchSteps(p, sshTarget({ ...ssh, transfer: 'rsync', sshOptions: [] }), '/cache/external/c');
    expect(steps.join('\n')).toContain("ssh -o BatchMode=yes -o ServerAliveInterval=30 -o ConnectTimeout=20 -p 2222 -i /home/me/.ssh/id_ed25519 me@gpu1 -- 'bash -c");
    expect(steps.some((s) => s.startsWith("rsync -a -s -e 'ssh -o BatchMode=yes") && s.endsWith('/cache/external/c/ me@gpu1:/runs/r1/'))).toBe(true);
    expect(startCommand('/w', false)).toContain("setsid bash -c 'bash launch.sh > train.log 2>&1 < /dev/null; echo $? > exit_code'");
    expect(stopCommand({ pgid: 4242 }, 'TERM')).toBe('kill -TERM -- -4242 2>/dev/null || true');
    expect(stopCommand({ slurmJob: '77' }, 'TERM')).toBe('scancel 77');
  });
  it('sbatch script: one task per node, srun with the node rank for several nodes', () => {
    const s = ExternalSettings.parse({
      recipe: 'vlm-r1-grpo',
      runName: 'big',
      launcher: { nprocPerNode: 8, nnodes: 2, masterPort: 29500 },
      slurm: { enabled: true, partition: 'a100', account: 'geo', time: '2-00:00:00', extra: ['--qos=high'] },
    });
    const text = sbatchScript(s, '/scratch/runs/big');
    for (const line of ['#SBATCH --job-name=big', '#SBATCH --output=/scratch/runs/big/train.log', '#SBATCH --nodes=2', '#SBATCH --ntasks-per-node=1', '#SBATCH --gpus-per-node=8', '#SBATCH --partition=a100', '#SBATCH --account=geo', '#SBATCH --time=2-00:00:00', '#SBATCH --qos=high', 'export MASTER_PORT=29500', `srun --kill-on-bad-exit=1 bash -c 'NODE_RANK="$SLURM_NODEID" bash launch.sh'`, 'echo $? > exit_code']) {
      expect(text).toContain(line);
    }
    expect(startCommand('/scratch/runs/big', true)).toBe('cd /scratch/runs/big && rm -f exit_code && sbatch --parsable job.sbatch');
  });
  it('under Slurm the allocation picks the GPUs: launch.sh sets no CUDA_VISIBLE_DEVICES, and the plan says so', () => {
    const p = plan({ recipe: 'custom', runName: 's', customCommand: 'python train.py', launcher: { gpus: '0,1' }, slurm: { enabled: true } });
    expect(file(p, 'launch.sh')).not.toContain('CUDA_VISIBLE_DEVICES');
    expect(p.warnings.some((w) => w.startsWith('GPUs 0,1: not set under Slurm'))).toBe(true);
    const local = plan({ recipe: 'custom', runName: 's', customCommand: 'python train.py', launcher: { gpus: '0,1' } });
    expect(file(local, 'launch.sh')).toContain('export CUDA_VISIBLE_DEVICES=0,1');
  });
});
