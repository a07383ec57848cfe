import { describe, expect, it } from 'vitest';
import { groupStats, groupStatsColumnar, runStats } from '../../shared/grpo/group-stats.js';
import { readGrpoGroups } from '../helpers/vectors.js';

const v = readGrpoGroups();
const close = (a: number, b: number): void => expect(Math.abs(a - b)).toBeLessThanOrEqual(v.tolerance);

describe('GRPO group stats (vectors/grpo_groups.json)', () => {
  it.each(v.groups.map((g, i) => [i, g] as const))('group %i', (_i, g) => {
    const s = groupStats(g.rewards);
    close(s.mean, g.mean);
    close(s.std, g.std);
    expect(s.zero_std).toBe(g.zero_std);
    s.advantages.forEach((a, j) => close(a, g.advantages[j] as number));
  });

  it('run-level numbers, array API', () => {
    const { run } = runStats(v.groups.map((g) => g.rewards));
    expect(run.count).toBe(v.groups.length);
    close(run.mean_reward, v.mean_reward);
    close(run.reward_std, v.reward_std);
    close(run.frac_reward_zero_std, v.frac_reward_zero_std);
  });

  it('columnar API agrees', () => {
    const rewards = Float64Array.from(v.groups.flatMap((g) => g.rewards));
    const offsets = new Int32Array(v.groups.length + 1);
    v.groups.forEach((g, i) => (offsets[i + 1] = (offsets[i] as number) + g.rewards.length));
    const s = groupStatsColumnar(rewards, offsets);
    expect(s.count).toBe(v.groups.length);
    close(s.mean_reward, v.mean_reward);
    close(s.reward_std, v.reward_std);
    close(s.frac_reward_zero_std, v.frac_reward_zero_std);
    v.groups.forEach((g, k) => {
      close(s.mean[k] as number, g.mean);
      close(s.std[k] as number, g.std);
      expect(s.zeroStd[k] === 1).toBe(g.zero_std);
    });
    const adv = v.groups.flatMap((g) => g.advantages);
    adv.forEach((a, i) => close(s.advantages[i] as number, a));
  });

  it('a group of one has std 0 and counts as zero-std', () => {
    expect(groupStats([0.3])).toEqual({ mean: 0.3, std: 0, zero_std: true, advantages: [0] });
    const s = groupStatsColumnar(Float64Array.of(0.3), Int32Array.of(0, 1));
    expect(s.frac_reward_zero_std).toBe(1);
  });

  it('rejects offsets that do not cover the rewards', () => {
    expect(() => groupStatsColumnar(Float64Array.of(1, 2), Int32Array.of(0, 1))).toThrow(/offsets/);
  });
});
