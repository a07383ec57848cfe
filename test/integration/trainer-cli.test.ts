/** `georeason train`: streams the job's events and exits with its status. */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { trainCommand } from '../../electron/cli/commands/train.js';
import type { CliIo } from '../../electron/cli/command.js';
import { tempDir } from '../helpers/temp.js';
import { makeTrainingProject, torchMissing } from './trainer-fixture.js';

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
});
