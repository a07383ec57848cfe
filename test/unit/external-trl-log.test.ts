import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePythonDict } from '../../electron/services/external/python-literal.js';
import { listCheckpoints, parseTrainerState } from '../../electron/services/external/trainer-state.js';
import { normaliseMetricName, TrlLogReader, type TrlFailure, type TrlProgress } from '../../electron/services/external/trl-log.js';

const LOGS = path.resolve('test/fixtures/external/logs');

function read(file: string): { metrics: { step: number; values: Record<string, number | null> }[]; progress: TrlProgress[]; failures: TrlFailure[]; reader: TrlLogReader } {
  const reader = new TrlLogReader();
  const metrics: { step: number; values: Record<string, number | null> }[] = [];
  const progress: TrlProgress[] = [];
  const failures: TrlFailure[] = [];
  const text = fs.readFileSync(path.join(LOGS, file), 'utf8');
  const events = [...text.split('\n').flatMap((l) => reader.push(l)), ...reader.end()];
  for (const e of events) {
    if (e.kind === 'metrics') metrics.push({ step: e.step, values: e.values });
    if (e.kind === 'progress') progress.push(e.progress);
    if (e.kind === 'failure') failures.push(e.failure);
  }
  return { metrics, progress, failures, reader };
}

describe('python dict literal', () => {
  it('reads the dict TRL prints: single quotes, nan, inf, exponents, None, nested', () => {
    const d = parsePythonDict("{'loss': 0.0123, 'lr': 1e-06, 'g': nan, 'h': -inf, 'n': None, 'b': True, 's': 'a\\'b', 'l': [1, (2, 3)], 'd': {\"x\": 1}, 'f': float('nan'),}");
    expect(d).not.toBeNull();
    expect(d?.loss).toBe(0.0123);
    expect(d?.lr).toBe(1e-6);
    expect(Number.isNaN(d?.g)).toBe(true);
    expect(d?.h).toBe(Number.NEGATIVE_INFINITY);
    expect(d?.n).toBeNull();
    expect(d?.b).toBe(true);
    expect(d?.s).toBe("a'b");
    expect(d?.l).toEqual([1, [2, 3]]);
    expect(d?.d).toEqual({ x: 1 });
    expect(Number.isNaN(d?.f)).toBe(true);
  });
  it('rejects what is not a whole literal', () => {
    expect(parsePythonDict("{'loss': 0.1} trailing")).toBeNull();
    expect(parsePythonDict("{'loss': foo}")).toBeNull();
    expect(parsePythonDict('{"unterminated: 1}')).toBeNull();
  });
});

describe('metric names', () => {
  it('maps the names of TRL versions and loggers onto one', () => {
    expect(normaliseMetricName('rewards/accuracy_reward/mean')).toBe('rewards/accuracy_reward/mean');
    expect(normaliseMetricName('rewards/accuracy_reward')).toBe('rewards/accuracy_reward/mean');
    expect(normaliseMetricName('reward/accuracy_reward/mean')).toBe('rewards/accuracy_reward/mean');
    expect(normaliseMetricName('rewards/accuracy_reward/std')).toBe('rewards/accuracy_reward/std');
    expect(normaliseMetricName('train/reward')).toBe('reward');
    expect(normaliseMetricName('train/rewards/format_reward')).toBe('rewards/format_reward/mean');
    expect(normaliseMetricName('eval_loss')).toBe('eval/loss');
    expect(normaliseMetricName('eval/reward')).toBe('eval/reward');
    expect(normaliseMetricName('reward_std')).toBe('reward_std');
    expect(normaliseMetricName('frac_reward_zero_std')).toBe('frac_reward_zero_std');
  });
});

describe('TRL log reader on recorded logs', () => {
  it('VLM-R1 GRPO under torchrun: metrics at the bar step, nan/inf as no value, \\r-redrawn bars', () => {
    const { metrics, progress, failures, reader } = read('vlm-r1-grpo.log');
    expect(failures).toEqual([]);
    expect(metrics.map((m) => m.step)).toEqual([2, 4, 6]);
    const first = metrics[0]!.values;
    expect(first.reward).toBe(0.41);
    expect(first['rewards/georeason/mean']).toBe(0.41);
    expect(first.frac_reward_zero_std).toBe(0.25);
    expect(first.kl).toBe(0);
    expect(first.epoch).toBe(0.01);
    expect(metrics[1]!.values.grad_norm).toBeNull();
    expect(metrics[2]!.values.frac_reward_zero_std).toBeNull();
    // The "Loading checkpoint shards" bar is not training progress.
    expect(progress.every((p) => p.total === 400)).toBe(true);
    expect(progress.at(-1)).toEqual({ step: 6, total: 400, text: '6/400, 00:52 elapsed, 57:31 left, 8.76s/it' });
    expect(reader.step).toBe(6);
  });

  it('older TRL names, train/ and eval_ prefixes, the final summary', () => {
    const { metrics } = read('trl-old.log');
    expect(metrics[0]!.values['rewards/accuracy_reward/mean']).toBe(0.125);
    expect(metrics[0]!.values.completion_length).toBe(201.4);
    expect(metrics[1]!.values).toMatchObject({ loss: 0.01, reward: 1.1, 'rewards/accuracy_reward/mean': 0.25, 'rewards/format_reward/mean': 0.85 });
    expect(metrics[2]!.values).toMatchObject({ 'eval/loss': 0.2, 'eval/reward': 0.9 });
    expect(metrics[2]!.step).toBe(2);
    expect(metrics[3]!.values.train_loss).toBe(0.005);
  });

  it('LLaMA-Factory SFT: the eval bar does not move training progress', () => {
    const { metrics, progress } = read('llamafactory-sft.log');
    expect(metrics.map((m) => [m.step, Object.keys(m.values).includes('eval/loss') ? 'eval' : 'train'])).toEqual([
      [5, 'train'],
      [10, 'train'],
      [10, 'eval'],
      [15, 'train'],
    ]);
    expect(progress.every((p) => p.total === 30)).toBe(true);
    expect(progress.at(-1)?.step).toBe(15);
  });

  it("ms-swift GRPO: global_step/max_steps names the step, the 'Train:' bar is progress", () => {
    const { metrics, progress } = read('swift-grpo.log');
    expect(metrics.map((m) => m.step)).toEqual([1, 2]);
    expect(metrics[1]!.values['memory(GiB)']).toBe(61.4);
    expect(metrics[1]!.values['rewards/georeason_distance/mean']).toBe(0.48);
    expect(metrics[1]!.values.percentage).toBeUndefined();
    expect(progress.at(-1)).toMatchObject({ step: 2, total: 100 });
  });

  it('a torchrun crash: the rank-0 exception with its innermost frame, not the ChildFailedError summary', () => {
    const { failures, reader } = read('torchrun-oom.log');
    expect(failures).toHaveLength(2);
    expect(reader.failure?.exception).toMatch(/^torch\.OutOfMemoryError: CUDA out of memory/);
    expect(reader.failure?.location).toBe('/home/user/VLM-R1/src/open-r1-multimodal/src/open_r1/trainer/grpo_trainer.py:712 in _generate_and_score_completions');
    expect(reader.failure?.message).toContain('(at /home/user/VLM-R1/');
  });

  it('a chained exception: the last of the chain', () => {
    const { reader } = read('chained-traceback.log');
    expect(reader.failure?.exception).toBe('ValueError: georeason_train.jsonl is not JSONL');
    expect(reader.failure?.location).toBe('/work/run/data.py:12 in load');
  });
});

describe('every trainer version as it prints (fixtures labelled in logs/sources.json)', () => {
  it('labels every log fixture with its trainer version and where its source prints the line', () => {
    const sources = JSON.parse(fs.readFileSync(path.join(LOGS, 'sources.json'), 'utf8')) as { files: Record<string, { trainer: string; printedBy: string }> };
    const logs = fs.readdirSync(LOGS).filter((f) => f.endsWith('.log'));
    for (const f of logs) {
      expect(sources.files[f], f).toBeDefined();
      expect(sources.files[f]!.trainer.length, f).toBeGreaterThan(10);
      expect(sources.files[f]!.printedBy.length, f).toBeGreaterThan(10);
    }
  });

  it('VLM-R1 pinned (transformers 4.49, TRL 0.17): completion_length, rewards/<function>, kl, clip_ratio', () => {
    const { metrics, progress } = read('vlm-r1-pinned.log');
    expect(metrics.map((m) => m.step)).toEqual([1, 2]);
    expect(metrics[1]!.values).toMatchObject({
      completion_length: 176.5,
      'rewards/georeason_reward/mean': 0.4402,
      reward: 0.4402,
      reward_std: 0.2511,
      kl: 0.0021,
      clip_ratio: 0,
    });
    expect(metrics[1]!.values.frac_reward_zero_std).toBeUndefined();
    expect(progress.at(-1)).toMatchObject({ step: 2, total: 200 });
  });

  it("current TRL: None is kept as no value, not 0 and not dropped", () => {
    const { metrics, failures } = read('trl-current-grpo.log');
    expect(failures).toEqual([]);
    expect(metrics).toHaveLength(2);
    expect(metrics[0]!.values['completions/mean_terminated_length']).toBe(170.3);
    expect(metrics[1]!.values).toHaveProperty('completions/mean_terminated_length', null);
    expect(metrics[1]!.values.frac_reward_zero_std).toBe(0.25);
  });

  it('a dict with no number (e.g. a printed config of Nones) is not a logging step', () => {
    const reader = new TrlLogReader();
    expect(reader.push("{'bos_token_id': None, 'pad_token_id': None, 'model_type': 'qwen2_5_vl'}")).toEqual([]);
    expect(reader.push("{'loss': '0.5', 'kl': None}")).toEqual([{ kind: 'metrics', step: 1, values: { loss: 0.5, kl: null } }]);
  });

  it('transformers 5 prints floats as strings: read as numbers, nan/inf/None as no value', () => {
    const { metrics } = read('trl-transformers5.log');
    expect(metrics.map((m) => m.step)).toEqual([1, 2, 2]);
    expect(metrics[0]!.values).toMatchObject({ loss: 0.0123, learning_rate: 1e-6, num_tokens: 4096, reward: 0.41, reward_std: 0.31, frac_reward_zero_std: 0.25, kl: 0.0021, 'rewards/georeason/mean': 0.41, epoch: 0.02 });
    expect(metrics[0]!.values).toHaveProperty('entropy', null);
    expect(metrics[0]!.values).toHaveProperty('completions/mean_terminated_length', null);
    expect(metrics[1]!.values).toHaveProperty('grad_norm', null);
    expect(metrics[1]!.values.kl).toBe(1.235e-5);
    expect(metrics[2]!.values).toMatchObject({ 'eval/loss': 0.2201, 'eval/reward': 0.47 });
  });

  it('ms-swift 3.x: memory(GiB), train_speed(iter/s); percentage and times are text, not metrics', () => {
    const { metrics } = read('swift-grpo.log');
    expect(metrics[0]!.values['train_speed(iter/s)']).toBe(0.033);
    expect(metrics[0]!.values.elapsed_time).toBeUndefined();
    expect(metrics[0]!.values.remaining_time).toBeUndefined();
  });

  it('ms-swift 4.x: rewards/<ClassName>/mean, train_speed(s/it), the step from global_step/max_steps', () => {
    const { metrics, progress } = read('swift4-grpo.log');
    expect(metrics[0]!.step).toBe(1);
    expect(metrics[0]!.values).toMatchObject({ 'rewards/GeoReasonORM/mean': 0.31, 'memory(GiB)': 61.2, 'train_speed(s/it)': 31.004112 });
    expect(progress.at(-1)).toMatchObject({ step: 1, total: 100 });
  });

  it('ms-swift 4.x on transformers 5: every metric and the step progress read from strings', () => {
    const { metrics, progress } = read('swift4-grpo-transformers5.log');
    expect(metrics.map((m) => m.step)).toEqual([1, 2]);
    expect(metrics[1]!.values).toMatchObject({
      loss: 0.0002,
      reward: 0.36,
      reward_std: 0.24,
      frac_reward_zero_std: 0.0625,
      kl: 0.0004,
      'rewards/GeoReasonORM/mean': 0.36,
      'memory(GiB)': 61.4,
      'train_speed(s/it)': 30.5,
    });
    expect(metrics[1]!.values.elapsed_time).toBeUndefined();
    expect(progress.filter((p) => p.text === '2/100')).toHaveLength(1);
    expect(progress.at(-1)).toMatchObject({ step: 2, total: 100 });
  });
});

describe('trainer_state.json and checkpoints', () => {
  it('reads log_history (NaN as no value) and lists checkpoints', () => {
    const s = parseTrainerState(fs.readFileSync(path.join(LOGS, 'ckpt/checkpoint-10/trainer_state.json'), 'utf8'));
    expect(s.globalStep).toBe(10);
    expect(s.maxSteps).toBe(200);
    expect(s.points.map((p) => p.step)).toEqual([5, 10]);
    expect(s.points[1]!.values.grad_norm).toBeNull();
    expect(s.points[1]!.values['rewards/georeason/mean']).toBe(0.5);
    const cks = listCheckpoints(path.join(LOGS, 'ckpt'));
    expect(cks).toHaveLength(1);
    expect(cks[0]).toMatchObject({ step: 10, loadable: true, vlm: true });
    expect(cks[0]!.state?.points).toHaveLength(2);
  });
  it('says what is wrong with a file that is not a trainer state', () => {
    expect(() => parseTrainerState('not json')).toThrow(/not a trainer_state.json/);
  });
});
