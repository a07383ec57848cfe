import { describe, expect, it } from 'vitest';
import { ExternalSettings } from '../../shared/rpc/external-methods.js';
import { autoRunName, draftSettings, isAutoRunName, newDraft, stamp } from '../../renderer/src/lib/external-draft.js';
import { formProblems } from '../../renderer/src/lib/external-form.js';
import { RECIPES } from '../../electron/services/external/recipes/index.js';

const at = new Date('2026-12-06T22:18:26Z');
const needsOf = (id: string) => RECIPES.find((r) => r.id === id)?.needs ?? null;

describe('external trainer draft', () => {
  it('names runs by recipe and time, and tells its own names from typed ones', () => {
    expect(stamp(at)).toBe('20261206-2218');
    expect(autoRunName('swift-grpo', at)).toBe('swift-grpo-20261206-2218');
    expect(isAutoRunName(autoRunName('custom', at))).toBe(true);
    expect(isAutoRunName('my-geo-run')).toBe(false);
  });

  it('starts from the schema defaults: launcher, Slurm off, held-out fraction, no hyperparameters of its own', () => {
    const d = newDraft('vlm-r1-grpo', at);
    expect(d.launcher).toEqual({ gpus: '', nprocPerNode: 1, nnodes: 1, nodeRank: 0, masterAddr: '127.0.0.1', masterPort: 12345, deepspeed: '' });
    expect(d.slurm.enabled).toBe(false);
    expect(d.data.valFraction).toBe(0.05);
    expect(d.hyper).toEqual({});
    expect(d.where.kind).toBe('local');
  });

  it('sends trimmed texts, leaves empty ones out and keeps only the chosen kind of env and where', () => {
    const d = newDraft('vlm-r1-grpo', at);
    d.hyper = { ...RECIPES[0]?.defaults };
    d.env = { kind: 'conda', name: ' vlm-r1 ', path: '/left/over' };
    d.where = { kind: 'ssh', host: ' gpu1 ', user: '', port: null, identityFile: ' ', remoteDir: '/scratch/runs', imageFolder: '/data/img', transfer: 'scp' };
    d.slurm = { enabled: true, partition: ' a100 ', account: '', time: '24:00:00', extra: '--qos=high\n\n  --exclusive  ' };
    d.launcher.gpus = '0, 1';
    d.checkout = ' /home/me/VLM-R1 ';
    d.model = 'Qwen/Qwen2.5-VL-3B-Instruct';
    d.data.datasetId = 3;
    d.data.subset = 'hard';
    d.swiftVersion = '3.5.3';
    d.customCommand = 'echo not for this recipe';
    const s = draftSettings(d, needsOf('vlm-r1-grpo'));
    expect(s.env).toEqual({ kind: 'conda', name: 'vlm-r1' });
    expect(s.where).toEqual({ kind: 'ssh', host: 'gpu1', remoteDir: '/scratch/runs', imageFolder: '/data/img', transfer: 'scp' });
    expect(s.slurm).toEqual({ enabled: true, partition: 'a100', time: '24:00:00', extra: ['--qos=high', '--exclusive'] });
    expect(s.launcher?.gpus).toBe('0,1');
    expect(s.checkout).toBe('/home/me/VLM-R1');
    expect(s.data).toEqual({ datasetId: 3, valFraction: 0.05, subset: 'hard' });
    expect(s.reward).toEqual({ preset: 'geo-r-code' });
    // Auto batch: the recipe picks the per-device batch.
    expect(s.hyper).not.toHaveProperty('perDeviceBatchSize');
    expect(s).not.toHaveProperty('swiftVersion');
    expect(s).not.toHaveProperty('customCommand');
    expect(ExternalSettings.safeParse(s).success).toBe(true);
    expect(formProblems(s, needsOf('vlm-r1-grpo'))).toEqual({});
  });

  it('gives data and reward only to recipes that take them, and the typed batch when auto batch is off', () => {
    const d = newDraft('llamafactory-sft', at);
    d.hyper = { ...RECIPES[1]?.defaults, perDeviceBatchSize: 2 };
    d.autoBatch = false;
    d.data.datasetId = 3;
    d.reward = 'saved:7';
    const sft = draftSettings(d, needsOf('llamafactory-sft'));
    expect(sft.data).toEqual({ datasetId: 3, valFraction: 0.05 });
    expect(sft).not.toHaveProperty('reward');
    expect(sft.hyper?.perDeviceBatchSize).toBe(2);
    d.recipe = 'custom';
    d.reward = 'none';
    d.customCommand = 'python train.py';
    const custom = draftSettings(d, needsOf('custom'));
    expect(custom).not.toHaveProperty('reward');
    expect(custom.customCommand).toBe('python train.py');
    d.reward = 'saved:7';
    expect(draftSettings(d, needsOf('custom')).reward).toEqual({ specId: 7 });
  });

  it('keeps a draft the form cannot send visible as problems, not as a crash', () => {
    const d = newDraft('swift-grpo', at);
    d.runName = ' ';
    d.where.kind = 'ssh';
    const p = formProblems(draftSettings(d, needsOf('swift-grpo')), needsOf('swift-grpo'));
    expect(p).toMatchObject({ runName: 'required', condaName: "required: the conda environment's name", host: 'required: a host name or ~/.ssh/config alias' });
  });
});
