/**
 * Reward specs are data: one JSON shape shared by the TypeScript scorer and the Python
 * trainer, so the curve a person tunes is the curve training uses. Unknown keys are rejected so a typo ("knots" for "knots_km") fails loudly
 * instead of silently falling back to a default.
 */
import { z } from 'zod';

const weight = z.number().finite().optional();

const curveShape = {
  knots_km: z.array(z.number().finite()).min(2, 'needs at least 2 knots'),
  values: z.array(z.number().finite()),
  /** Decimals, as Python's round (the Geo-R code rounds to 4). */
  round: z.number().int().min(0).max(12).optional(),
  weight,
};

function checkCurve(c: { knots_km: number[]; values: number[] }, ctx: z.RefinementCtx): void {
  if (c.knots_km.length > 0 && c.knots_km[0] !== 0) {
    ctx.addIssue({ code: 'custom', path: ['knots_km', 0], message: 'the first knot must be 0' });
  }
  for (let i = 1; i < c.knots_km.length; i++) {
    if (!((c.knots_km[i] ?? NaN) > (c.knots_km[i - 1] ?? NaN))) {
      ctx.addIssue({ code: 'custom', path: ['knots_km', i], message: 'knots must be strictly increasing' });
      break;
    }
  }
  if (c.values.length !== c.knots_km.length) {
    ctx.addIssue({
      code: 'custom',
      path: ['values'],
      message: `must have one value per knot (${c.knots_km.length}), got ${c.values.length}`,
    });
  }
}

export const distanceComponentSchema = z.strictObject({ kind: z.literal('distance'), ...curveShape }).superRefine(checkCurve);

/**
 * Geo-R's released accuracy (`loc_reward`): the whole completion read as a Python
 * literal (`ast.literal_eval`), its key `LOC` as [lat, lon], the released haversine and
 * the curve below, evaluated as `distance_to_reward` writes it
 * (`v0 - ((d - k0) / (k1 - k0)) * (v0 - v1)`). Anything Python rejects scores 0.
 */
export const locDictComponentSchema = z.strictObject({ kind: z.literal('loc_dict'), ...curveShape }).superRefine(checkCurve);

export const formatComponentSchema = z.strictObject({
  kind: z.literal('format'),
  /**
   * `geo-r` (default): exactly one valid `(lat, lon)` pair in parentheses in the answer.
   * `globe`: GLOBE's `^<think>.*?</think>\s*<answer>.*?</answer>$`.
   * `vlm-r1-bbox`: VLM-R1's `format_reward_rec` (a `{… [x1, y1, x2, y2] …}` answer), as Geo-R released it.
   */
  style: z.enum(['geo-r', 'globe', 'vlm-r1-bbox']).optional(),
  weight,
});

export const labelMatchComponentSchema = z.strictObject({
  kind: z.literal('label_match'),
  /**
   * true: GLOBE as released (first `<answer>` block, case-sensitive `country:`/`city:`,
   * Python's string semantics);
   * false (default): the workbench parser's country/city (last answer, any label form).
   */
  strict: z.boolean().optional(),
  weight,
});

export const rewardComponentSchema = z.discriminatedUnion('kind', [
  distanceComponentSchema,
  locDictComponentSchema,
  formatComponentSchema,
  labelMatchComponentSchema,
]);

export const rewardSpecSchema = z.strictObject({
  name: z.string().min(1).optional(),
  description: z.string().optional(),
  components: z.array(rewardComponentSchema).min(1, 'needs at least one component'),
  /** `product` ignores weights; `weighted_sum` is Σ weight·value (weight defaults to 1). */
  combine: z.enum(['product', 'weighted_sum']).default('product'),
});

export type DistanceComponent = z.infer<typeof distanceComponentSchema>;
export type LocDictComponent = z.infer<typeof locDictComponentSchema>;
export type FormatComponent = z.infer<typeof formatComponentSchema>;
export type LabelMatchComponent = z.infer<typeof labelMatchComponentSchema>;
export type RewardComponent = z.infer<typeof rewardComponentSchema>;
export type RewardSpec = z.output<typeof rewardSpecSchema>;
export type RewardSpecInput = z.input<typeof rewardSpecSchema>;

function issuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out === '' ? '(spec)' : out;
}

/** Validates a reward spec; throws an Error naming every bad field. */
export function parseRewardSpec(json: unknown): RewardSpec {
  const r = rewardSpecSchema.safeParse(json);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => `${issuePath(i.path)}: ${i.message}`);
  throw new Error(`invalid reward spec: ${lines.join('; ')}`);
}

/** Short names for the components, as they appear in `components` of a score. */
export function componentName(c: RewardComponent, index: number, all: readonly RewardComponent[]): string {
  const same = all.filter((o) => o.kind === c.kind).length;
  return same > 1 ? `${c.kind}_${index}` : c.kind;
}
