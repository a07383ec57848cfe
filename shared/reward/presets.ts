/**
 * Reward presets that ship with the workbench: the Geo-R and GLOBE rewards as their
 * papers print them and as their released code computes them, so a run can be scored
 * the way the published models were trained.
 */
import { parseRewardSpec, type RewardSpec } from './spec.js';

const presetJson = {
  /** Geo-R paper (AAAI 2026): knots as printed, no rounding, × format. */
  'geo-r-paper': {
    name: 'geo-r-paper',
    description: 'Geo-R paper: distance 0/750/2500/20000 km -> 1/0.5/0.2/0, times the format reward',
    components: [
      { kind: 'distance', knots_km: [0, 750, 2500, 20000], values: [1, 0.5, 0.2, 0] },
      { kind: 'format' },
    ],
    combine: 'product',
  },
  /**
   * The released distance curve (qwen_module.py distance_to_reward: 3000 km knot,
   * round(x, 4)) times the workbench's Geo-R format check; not the released reward as
   * a whole (that is `geo-r-released`).
   */
  'geo-r-code': {
    name: 'geo-r-code',
    description:
      "The released distance curve × the workbench's Geo-R format check: distance 0/750/3000/20000 km -> 1/0.5/0.2/0 rounded to 4 decimals, times one (lat, lon) in the answer",
    components: [
      { kind: 'distance', knots_km: [0, 750, 3000, 20000], values: [1, 0.5, 0.2, 0], round: 4 },
      { kind: 'format' },
    ],
    combine: 'product',
  },
  /**
   * Geo-R as released (aialt/geo-r qwen_module.py; VLM-R1's trainer sums the reward
   * functions): loc_reward (the whole completion as a Python dict with key LOC, the
   * 750/3000 km curve rounded to 4) + VLM-R1's bounding-box format_reward_rec. A
   * completion cannot satisfy both, so the two never score together.
   */
  'geo-r-released': {
    name: 'geo-r-released',
    description:
      "Geo-R as released: loc_reward ({'LOC': [lat, lon]} read as a Python literal, 750/3000 km curve rounded to 4) + VLM-R1's bounding-box format_reward_rec, summed; the two never score on the same completion",
    components: [
      { kind: 'loc_dict', knots_km: [0, 750, 3000, 20000], values: [1, 0.5, 0.2, 0], round: 4, weight: 1 },
      { kind: 'format', style: 'vlm-r1-bbox', weight: 1 },
    ],
    combine: 'weighted_sum',
  },
  /**
   * GLOBE as released (ms-swift sums its reward functions): globe_accuracy (first
   * <answer>, case-sensitive labels) + the think/answer format. The visual-match and
   * locatability rewards need annotations and a judge model, so they are not here.
   */
  globe: {
    name: 'globe',
    description:
      'GLOBE as released: globe_accuracy (first answer, case-sensitive country:/city:, Python string rules; 1.0 both, 0.2 country only) + its think/answer format, summed',
    components: [
      { kind: 'label_match', strict: true, weight: 1 },
      { kind: 'format', style: 'globe', weight: 1 },
    ],
    combine: 'weighted_sum',
  },
  /** GLOBE with the workbench parser: any label case or form, last answer block. */
  'globe-lenient': {
    name: 'globe-lenient',
    description: 'GLOBE reward with lenient label parsing (any case, any label form, last answer block)',
    components: [
      { kind: 'label_match', strict: false, weight: 1 },
      { kind: 'format', style: 'globe', weight: 1 },
    ],
    combine: 'weighted_sum',
  },
} as const;

export type PresetName = keyof typeof presetJson;

export const presetNames = Object.keys(presetJson) as PresetName[];

export const presets: Readonly<Record<PresetName, RewardSpec>> = Object.fromEntries(
  presetNames.map((n) => [n, parseRewardSpec(presetJson[n])]),
) as Record<PresetName, RewardSpec>;

export function isPresetName(name: string): name is PresetName {
  return Object.hasOwn(presetJson, name);
}

/** A fresh copy of a preset (callers may edit it), or undefined. */
export function getPreset(name: string): RewardSpec | undefined {
  return isPresetName(name) ? structuredClone(presets[name]) : undefined;
}
