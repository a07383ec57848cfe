/** `georeason train`: streams the job's events and exits with its status. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { trainCommand } from '../../electron/cli/commands/train.js';
import type { CliIo } from '../../electron/cli/command.js';
import { tempDir } from '../helpers/temp.js';
import { makeTrainingProject, torchMissing } from '../helpers/trainer-fixture.js';

const missing = torchMissing();

describe.skipIf(missing !== null)('georeason train', () => {
  const tmp = tempDir('georeason-train-cli-');
  afterAll(() => tmp.cleanup());

  it('trains a dataset by name and exits 0; bad input exits non-zero with a message', async () => {
    const fx = await makeTrainingProject(tmp.dir, 10);
    const file = fx.store.path;
    fx.store.close();
    process.env.GEOREASON_DATA_DIR = path.join(tmp.dir, 'user');
    let out = '';
    let err = '';
    const io: CliIo = { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd: tmp.dir, env: process.env };
    const code = await trainCommand.run(
      ['--project', file, '--dataset', 'Coloured places', '--spec', 'geo-r-code', '--sft-steps', '20', '--grpo-steps', '10', '--python', '/usr/bin/python3'],
      io,
    );
    expect(err).toBe('');
    expect(code, out).toBe(0);
    expect(out).toMatch(/\[job 1\] running/);
    expect(out).toMatch(/torch .* on cpu/);
    expect(out).toMatch(/job 1 done on cpu/);
    expect(out).toMatch(/last metrics: .*acc_2500km=/);

    err = '';
    expect(await trainCommand.run(['--project', file, '--dataset', 'nope'], io)).toBe(1);
    expect(err).toContain('no dataset "nope"');
    err = '';
    expect(await trainCommand.run(['--project', file, '--dataset', '1', '--spec', 'missing.json'], io)).toBe(2);
    expect(err).toContain('neither a preset');
  });

  it('--json streams every metric as it is logged, as {"event":"metric",…} lines, then "done"', async () => {
    const dir = path.join(tmp.dir, 'json');
    fs.mkdirSync(dir);
    const fx = await makeTrainingProject(dir, 6);
    const file = fx.store.path;
    fx.store.close();
    process.env.GEOREASON_DATA_DIR = path.join(tmp.dir, 'user');
    let out = '';
    const io: CliIo = { stdout: (t) => (out += t), stderr: (t) => (out += t), cwd: tmp.dir, env: process.env };
    const code = await trainCommand.run(['--project', file, '--dataset', 'Coloured places', '--sft-steps', '6', '--grpo-steps', '4', '--python', '/usr/bin/python3', '--json'], io);
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(code, out.slice(-2000)).toBe(0);
    const metrics = lines.filter((l) => l.event === 'metric');
    const names = new Set(metrics.map((m) => m.name));
    for (const n of ['reward', 'reward_std', 'frac_reward_zero_std', 'kl', 'loss']) expect(names, n).toContain(n);
    expect([...names].some((n) => /^(val\/)?acc_/.test(String(n)))).toBe(true);
    for (const m of metrics) {
      expect(Object.keys(m).sort()).toEqual(['event', 'jobId', 'name', 'step', 'value']);
      expect(Number.isInteger(m.step)).toBe(true);
      expect(m.value === null || typeof m.value === 'number').toBe(true);
    }
    // Streamed while the job ran: metric lines come before the last progress line.
    const lastProgress = lines.map((l) => l.event).lastIndexOf('progress');
    expect(lines.findIndex((l) => l.event === 'metric')).toBeLessThan(lastProgress);
    expect(lines.at(-1)).toMatchObject({ event: 'done', status: 'ok' });
  }, 120_000);
});

describe('georeason train --settings (an external trainer)', () => {
  const tmp = tempDir('georeason-train-cli-ext-');
  afterAll(() => tmp.cleanup());
  const FIX = path.resolve('test/fixtures/external');

  it('runs ms-swift GRPO through the stand-in and streams the metrics its log prints', async () => {
    const fx = await makeTrainingProject(tmp.dir, 2);
    const file = fx.store.path;
    const datasetId = fx.datasetId;
    fx.store.close();
    const settings = path.join(tmp.dir, 'run.json');
    fs.writeFileSync(
      settings,
      JSON.stringify({ recipe: 'swift-grpo', runName: 'cli-swift', model: 'Qwen/Qwen2.5-VL-3B-Instruct', swiftVersion: '3.5.3', data: { datasetId, valFraction: 0 }, reward: { preset: 'geo-r-code' }, hyper: { numGenerations: 2, saveSteps: 3 } }),
    );
    const env = { ...process.env, PATH: `${path.join(FIX, 'bin')}:${process.env.PATH ?? ''}`, STANDIN_DIR: FIX, GEOREASON_DATA_DIR: path.join(tmp.dir, 'user') };
    let out = '';
    let err = '';
    const io: CliIo = { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd: tmp.dir, env };
    const code = await trainCommand.run(['--project', file, '--settings', settings, '--json'], io);
    expect(code, `${err}\n${out.slice(-2000)}`).toBe(0);
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const metrics = lines.filter((l) => l.event === 'metric');
    expect(metrics.filter((m) => m.name === 'reward').map((m) => m.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(metrics.some((m) => m.name === 'frac_reward_zero_std')).toBe(true);
    expect(lines.some((l) => l.event === 'artifact')).toBe(true);
    expect(lines.at(-1)).toMatchObject({ event: 'done', status: 'ok' });

    await expect(trainCommand.run(['--project', file, '--settings', settings, '--sft-steps', '3'], io)).rejects.toThrow(/--sft-steps is a cor-policy option/);
    err = '';
    fs.writeFileSync(settings, JSON.stringify({ recipe: 'swift-grpo', runName: 'bad name' }));
    await expect(trainCommand.run(['--project', file, '--settings', settings], io)).rejects.toThrow(/runName: letters, digits/);
  }, 60_000);
});
