import { describe, expect, it } from 'vitest';
import { runStats } from '../../shared/grpo/group-stats.js';
import { NO_SIGNAL_FRAC, noSignal, recentMean } from '../../shared/grpo/no-signal.js';

describe('GRPO without signal', () => {
  it('speaks up from 90 % zero-spread groups on, and not below', () => {
    expect(NO_SIGNAL_FRAC).toBe(0.9);
    expect(noSignal(0.89)).toBeNull();
    expect(noSignal(Number.NaN)).toBeNull();
    const w = noSignal(0.9);
    expect(w?.summary).toMatch(/^90\.0 % of the groups have zero reward spread.*GRPO learns nothing from them/);
    expect(w?.advice).toHaveLength(3);
    expect(noSignal(1)?.summary).toMatch(/^100\.0 %/);
  });

  it('names the knobs with the run’s own G and temperature when known', () => {
    const w = noSignal(0.95, { groupSize: 8, temperature: 1 });
    expect(w?.advice[0]).toContain('G = 8 → 16');
    expect(w?.advice[1]).toContain('T = 1 → 1.5');
    expect(w?.advice[2]).toMatch(/finer, denser reward/);
    expect(noSignal(0.95)?.advice[0]).toContain('a larger G');
  });

  it('fires on a run where nearly every group scores alike', () => {
    // 9 groups of 4 all-zero rewards, 1 group with spread: frac_reward_zero_std = 0.9
    const groups = [...Array.from({ length: 9 }, () => [0, 0, 0, 0]), [0, 0.5, 1, 0]];
    const { run } = runStats(groups);
    expect(run.frac_reward_zero_std).toBeCloseTo(0.9, 12);
    expect(noSignal(run.frac_reward_zero_std)).not.toBeNull();
  });

  it('averages the last steps of a logged metric, skipping gaps', () => {
    expect(recentMean([0, 0, 1, null, 1, Number.NaN, 1], 3)).toBe(1);
    expect(recentMean([0.5, 1], 10)).toBe(0.75);
    expect(recentMean([null])).toBeNaN();
  });
});
