/**
 * GRPO group statistics as TRL computes and logs them: per group of G completions for
 * one prompt, the mean and the sample std (÷ G−1, as torch.std; G = 1 gives 0 here
 * rather than torch's NaN), advantage (r − mean)/(std + 1e-4); over a run, mean_reward
 * is the mean of all rewards, reward_std the mean of the groups' std and
 * frac_reward_zero_std the share of groups whose std is (numerically) 0.
 */

export const ADVANTAGE_EPS = 1e-4;
/** A group counts as zero-std (its advantages vanish) when std ≤ this. */
export const ZERO_STD_EPS = 1e-8;

export interface GroupStats {
  mean: number;
  std: number;
  zero_std: boolean;
  advantages: number[];
}

export interface RunStats {
  /** Number of groups. */
  count: number;
  mean_reward: number;
  reward_std: number;
  frac_reward_zero_std: number;
}

/** Stats for one group of rewards. */
export function groupStats(rewards: readonly number[]): GroupStats {
  const g = rewards.length;
  let sum = 0;
  for (const r of rewards) sum += r;
  const mean = g > 0 ? sum / g : NaN;
  let ss = 0;
  for (const r of rewards) ss += (r - mean) * (r - mean);
  const std = g > 1 ? Math.sqrt(ss / (g - 1)) : 0;
  return {
    mean,
    std,
    zero_std: std <= ZERO_STD_EPS,
    advantages: rewards.map((r) => (r - mean) / (std + ADVANTAGE_EPS)),
  };
}

/** Per-group stats and the run-level numbers TRL logs, for an array of groups. */
export function runStats(groups: readonly (readonly number[])[]): { groups: GroupStats[]; run: RunStats } {
  const stats = groups.map(groupStats);
  let total = 0;
  let n = 0;
  for (const g of groups) for (const r of g) {
    total += r;
    n++;
  }
  let stdSum = 0;
  let zero = 0;
  for (const s of stats) {
    stdSum += s.std;
    if (s.zero_std) zero++;
  }
  const count = stats.length;
  return {
    groups: stats,
    run: {
      count,
      mean_reward: n > 0 ? total / n : NaN,
      reward_std: count > 0 ? stdSum / count : NaN,
      frac_reward_zero_std: count > 0 ? zero / count : NaN,
    },
  };
}

export interface ColumnarGroupStats extends RunStats {
  /** Per group. */
  mean: Float64Array;
  std: Float64Array;
  zeroStd: Uint8Array;
  /** Per completion, aligned with the rewards. */
  advantages: Float64Array;
}

/**
 * Columnar form for re-scoring whole runs: group k is rewards[offsets[k] .. offsets[k+1]),
 * so `offsets` has groups + 1 entries, starts at 0 and ends at rewards.length.
 */
export function groupStatsColumnar(rewards: Float64Array, offsets: Int32Array): ColumnarGroupStats {
  const count = Math.max(0, offsets.length - 1);
  if (offsets.length > 0 && (offsets[0] !== 0 || offsets[count] !== rewards.length)) {
    throw new Error(`group offsets must start at 0 and end at ${rewards.length}`);
  }
  const mean = new Float64Array(count);
  const std = new Float64Array(count);
  const zeroStd = new Uint8Array(count);
  const advantages = new Float64Array(rewards.length);
  let total = 0;
  let stdSum = 0;
  let zero = 0;
  for (let k = 0; k < count; k++) {
    const a = offsets[k] as number;
    const b = offsets[k + 1] as number;
    if (b < a) throw new Error(`group offsets must not decrease (group ${k})`);
    const g = b - a;
    let sum = 0;
    for (let i = a; i < b; i++) sum += rewards[i] as number;
    total += sum;
    const m = g > 0 ? sum / g : NaN;
    let ss = 0;
    for (let i = a; i < b; i++) {
      const d = (rewards[i] as number) - m;
      ss += d * d;
    }
    const s = g > 1 ? Math.sqrt(ss / (g - 1)) : 0;
    mean[k] = m;
    std[k] = s;
    stdSum += s;
    if (s <= ZERO_STD_EPS) {
      zeroStd[k] = 1;
      zero++;
    }
    const denom = s + ADVANTAGE_EPS;
    for (let i = a; i < b; i++) advantages[i] = ((rewards[i] as number) - m) / denom;
  }
  return {
    count,
    mean_reward: rewards.length > 0 ? total / rewards.length : NaN,
    reward_std: count > 0 ? stdSum / count : NaN,
    frac_reward_zero_std: count > 0 ? zero / count : NaN,
    mean,
    std,
    zeroStd,
    advantages,
  };
}
