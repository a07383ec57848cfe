/**
 * When GRPO has (almost) nothing to learn from: a group whose G completions all get
 * the same reward has std 0, so every advantage in it is 0 and it adds no policy
 * gradient (only the KL term moves the policy). When nearly every group is like that,
 * training stalls; this says so, with what to change.
 */

/** frac_reward_zero_std at or above this share counts as "no signal". */
export const NO_SIGNAL_FRAC = 0.9;

export interface NoSignalContext {
  /** Completions per group (G), when known. */
  groupSize?: number | null;
  /** Sampling temperature of the completions, when known. */
  temperature?: number | null;
}

export interface NoSignal {
  /** The share of zero-spread groups the warning is about. */
  frac: number;
  /** One sentence: what GRPO does with such groups. */
  summary: string;
  /** What to change, most direct first. */
  advice: string[];
}

/** The mean of the last `window` finite values (NaN when there are none). */
export function recentMean(values: readonly (number | null)[], window = 10): number {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const tail = finite.slice(-Math.max(1, window));
  return tail.length === 0 ? NaN : tail.reduce((s, v) => s + v, 0) / tail.length;
}

/** The warning for a share of zero-spread groups, or null when there is signal (or no figure). */
export function noSignal(fracZeroStd: number, ctx: NoSignalContext = {}): NoSignal | null {
  if (!Number.isFinite(fracZeroStd) || fracZeroStd < NO_SIGNAL_FRAC) return null;
  const g = ctx.groupSize ?? null;
  const t = ctx.temperature ?? null;
  const pct = `${(100 * fracZeroStd).toFixed(1)} %`;
  return {
    frac: fracZeroStd,
    summary:
      `${pct} of the groups have zero reward spread: all their completions score the same, so their advantages are 0 ` +
      'and GRPO learns nothing from them.',
    advice: [
      g !== null && g >= 2
        ? `Sample more completions per group (G = ${g} → ${Math.min(256, g * 2)}): more chances that one of them scores differently.`
        : 'Sample more completions per group (a larger G): more chances that one of them scores differently.',
      t !== null && t > 0
        ? `Sample at a higher temperature (T = ${t} → ${Math.round(t * 1.5 * 100) / 100}) so the completions of one photo differ.`
        : 'Sample at a higher temperature so the completions of one photo differ.',
      'Use a finer, denser reward: more distance knots where the completions land, or a partial-credit component (label_match), ' +
        'so near and far answers score differently instead of all 0 or all 1.',
    ],
  };
}
