import { describe, expect, it } from 'vitest';
import { fieldOf, formProblems } from '../../renderer/src/lib/external-form.js';

const needsAll = { checkout: true, model: true, data: true, reward: true, customCommand: false };

describe('external trainer form problems', () => {
  it('lists every problem at once, each under its field, in plain words', () => {
    const p = formProblems(
      {
        recipe: 'vlm-r1-grpo',
        runName: 'my run',
        env: { kind: 'conda', name: '' },
        hyper: { numGenerations: 1, learningRate: Number.NaN },
        launcher: { gpus: '0;1' },
        where: { kind: 'ssh', host: 'gpu1', remoteDir: 'relative/dir' },
        slurm: { enabled: true, time: 'tomorrow' },
        extraArgs: '',
      },
      needsAll,
    );
    expect(p).toMatchObject({
      runName: 'letters, digits, . _ - (no spaces), starting with a letter or digit',
      condaName: "required: the conda environment's name",
      'hyper.numGenerations': 'at least 2',
      'hyper.learningRate': 'a number is needed',
      gpus: 'GPU indices separated by commas, e.g. 0,1',
      remoteDir: 'the remote folder must be an absolute path',
      wallTime: 'e.g. 24:00:00 or 2-00:00:00',
      checkout: 'required: the folder of your checkout on the training machine',
      model: 'required: a model path or hub id',
      dataset: 'required: choose the dataset to export',
      spec: 'required: choose a reward spec',
    });
    for (const message of Object.values(p)) expect(message).not.toMatch(/expected|received|Invalid|pattern/);
  });

  it('no problems for complete settings; ms-swift refuses freeze and a batch the generations do not divide', () => {
    const ok = { recipe: 'swift-grpo', runName: 'g', model: 'Qwen/Qwen2.5-VL-7B-Instruct', data: { datasetId: 1 }, reward: { preset: 'globe' }, swiftVersion: '4.1.0' };
    expect(formProblems(ok, needsAll)).toEqual({ checkout: 'required: the folder of your checkout on the training machine' });
    const swiftNeeds = { ...needsAll, checkout: false };
    expect(formProblems(ok, swiftNeeds)).toEqual({});
    expect(formProblems({ ...ok, swiftVersion: 'latest' }, swiftNeeds)).toEqual({ swiftVersion: 'a version such as 3.5.3 or 4.1.0' });
    expect(formProblems({ ...ok, hyper: { finetuningType: 'freeze', numGenerations: 16, perDeviceBatchSize: 3 } }, swiftNeeds)).toEqual({
      'hyper.finetuningType': '"freeze" is not an ms-swift tuner: choose full or lora',
      'hyper.perDeviceBatchSize': '3 × 1 process is not a multiple of 16 generations: the trainer would refuse it',
    });
  });

  it('maps schema paths to the form fields', () => {
    expect(fieldOf(['env', 'path'])).toBe('interpreter');
    expect(fieldOf(['where', 'imageFolder'])).toBe('remoteImages');
    expect(fieldOf(['data', 'datasetId'])).toBe('dataset');
    expect(fieldOf(['launcher', 'masterPort'])).toBe('masterPort');
    expect(fieldOf(['slurm', 'extra', 0])).toBe('slurmExtra');
    expect(fieldOf(['reward', 'specId'])).toBe('spec');
    expect(fieldOf(['nonsense'])).toBe('form');
  });
});
