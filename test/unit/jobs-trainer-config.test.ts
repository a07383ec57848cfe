/**
 * The cor-policy settings exist twice: the app's zod schema (what jobs.start accepts)
 * and the trainer's dataclass (resources/trainer/cor_policy_config.py, what the trainer
 * reads from config.json and its command line). These tests hold them to the same
 * names (camelCase ↔ snake_case), defaults and integer-ness, and the trainer's usage
 * text to its argparse options. They run /usr/bin/python3; the config module needs no
 * third-party package.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appRoot } from '../../electron/services/app-paths.js';
import { tempDir } from '../helpers/temp.js';
import { trainerConfig, trainerName } from '../../electron/services/jobs/prepare-inputs.js';
import { CorPolicyConfig } from '../../shared/rpc/jobs-methods.js';

const PYTHON = '/usr/bin/python3';
const trainerDir = path.join(appRoot, 'resources', 'trainer');

interface TrainerField {
  name: string;
  type: string;
  default: unknown;
  help: string;
  choices?: string[];
}

/** Settings the main process uses itself (it splits the photos before the trainer runs). */
const APP_ONLY = ['valFraction'];
/** Settings the trainer gets from the request rather than the config (the hard-sample subset). */
const FROM_REQUEST = ['hard_image_ids'];

function trainerFields(): TrainerField[] {
  return JSON.parse(execFileSync(PYTHON, [path.join(trainerDir, 'cor_policy_config.py')], { encoding: 'utf8' })) as TrainerField[];
}

describe.skipIf(!fs.existsSync(PYTHON))('one cor-policy config: the zod schema and the trainer dataclass', () => {
  const fields = trainerFields();
  const byName = new Map(fields.map((f) => [f.name, f]));
  const defaults = CorPolicyConfig.parse({});

  it('name the same settings (camelCase ↔ snake_case)', () => {
    const fromSchema = Object.keys(CorPolicyConfig.shape)
      .filter((k) => !APP_ONLY.includes(k))
      .map(trainerName)
      .sort();
    const fromTrainer = fields
      .map((f) => f.name)
      .filter((n) => !FROM_REQUEST.includes(n))
      .sort();
    expect(fromSchema).toEqual(fromTrainer);
  });

  it('give every setting the same default, and the same integer-ness', () => {
    for (const [setting, value] of Object.entries(defaults)) {
      if (APP_ONLY.includes(setting)) continue;
      const f = byName.get(trainerName(setting))!;
      expect(value, setting).toEqual(f.default);
      const schema = CorPolicyConfig.shape[setting as keyof typeof CorPolicyConfig.shape];
      if (f.type === 'int') expect(schema.safeParse((value as number) + 0.5).success, `${setting} takes only integers`).toBe(false);
      if (f.type === 'float') expect(schema.safeParse((value as number) + 0.5).success, `${setting} takes fractions`).toBe(true);
      if (f.choices) expect(f.choices.every((c) => schema.safeParse(c).success), `${setting} takes ${f.choices.join(', ')}`).toBe(true);
    }
  });

  it('documents every trainer setting', () => {
    for (const f of fields) expect(f.help.length, f.name).toBeGreaterThan(10);
  });

  it('writes config.json with exactly the trainer’s names', () => {
    const written = trainerConfig(defaults, [3, 5]);
    expect(Object.keys(written).sort()).toEqual(fields.map((f) => f.name).sort());
    expect(written.hard_image_ids).toEqual([3, 5]);
    expect(written.eval_limit).toBe(2000);
  });

  it('reads config.json, lets an option override it, and names an unknown setting', () => {
    const tmp = tempDir('georeason-trainer-config-');
    try {
      const config = path.join(tmp.dir, 'config.json');
      const load = (overrides: Record<string, unknown>): string =>
        execFileSync(
          PYTHON,
          ['-c', 'import dataclasses, json, sys; import cor_policy_config as c; print(json.dumps(dataclasses.asdict(c.load(sys.argv[1], json.loads(sys.argv[2])))))', config, JSON.stringify(overrides)],
          { cwd: trainerDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
        );
      fs.writeFileSync(config, JSON.stringify({ sft_steps: 7, grpo_steps: 3, hard_image_ids: null }));
      const read = JSON.parse(load({ grpo_steps: 5, lr: null })) as Record<string, unknown>;
      expect(read).toMatchObject({ sft_steps: 7, grpo_steps: 5, lr: 3e-4, eval_limit: 2000, hard_image_ids: null });
      fs.writeFileSync(config, JSON.stringify({ sft_steps: 7, warmup: 3 }));
      expect(() => load({})).toThrow(/config\.json: unknown setting warmup/);
    } finally {
      tmp.cleanup();
    }
  });

  it('has a usage text whose options argparse knows', () => {
    const source = fs.readFileSync(path.join(trainerDir, 'cor_policy.py'), 'utf8');
    const usage = /^Usage: (.*)$/m.exec(source)?.[1] ?? '';
    expect(usage).toContain('--job-dir');
    const help = execFileSync(PYTHON, [path.join(trainerDir, 'cor_policy.py'), '--help'], { encoding: 'utf8' });
    for (const option of usage.match(/--[a-z][a-z-]*/g) ?? []) expect(help, option).toContain(option);
    for (const f of fields) expect(help).toContain(`--${f.name.replace(/_/g, '-')}`);
  });
});
