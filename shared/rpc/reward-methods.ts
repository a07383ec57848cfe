/**
 * Methods of the reward group (the Reward Lab): reward specs saved in the project
 * beside the built-in presets, and the columns of a run's stored completions that the
 * renderer re-scores on every edit of a spec. Spread into the one contract in contract.ts.
 *
 * Columns travel once per run as base64 of little-endian typed arrays (a JSON array of
 * a million numbers is several times larger and slower to parse).
 */
import { z } from 'zod';
import { rewardSpecSchema } from '../reward/spec.js';
import { Id, TaskId } from './ids.js';
import { method } from './method.js';

const specName = z
  .string()
  .trim()
  .min(1, 'a spec needs a name')
  .max(100, 'a spec name is at most 100 characters')
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  .refine((s) => !/[\u0000-\u001f]/.test(s), 'a spec name cannot hold control characters');

export const PresetSpec = z.object({
  name: z.string(),
  description: z.string(),
  spec: rewardSpecSchema,
});
export type PresetSpec = z.infer<typeof PresetSpec>;

export const SavedSpec = z.object({
  id: z.number().int(),
  name: z.string(),
  /** null when the stored JSON no longer validates (then `error` says why). */
  spec: rewardSpecSchema.nullable(),
  error: z.string().nullable(),
});
export type SavedSpec = z.infer<typeof SavedSpec>;

/** A typed array as base64 of its little-endian bytes. */
const b64 = z.string();

/** Distance bands of the statistics, km, upper bounds inclusive (`d ≤ t`); the last band is NaN km. */
export const REWARD_BANDS_KM = [25, 200, 750, 2500] as const;
export const REWARD_BAND_LABELS = ['≤ 25 km', '25–200 km', '200–750 km', '750–2500 km', '> 2500 km', 'no coordinate'] as const;

export const RunColumns = z.object({
  runId: z.number().int(),
  runName: z.string(),
  /** Completions (rows), ordered by photo then sample. */
  count: z.number().int().nonnegative(),
  /** GRPO groups: the samples of one photo. */
  groups: z.number().int().nonnegative(),
  minGroupSize: z.number().int().nonnegative(),
  maxGroupSize: z.number().int().nonnegative(),
  /** Float64: km to the truth, NaN where the completion gave no coordinate. */
  km: b64,
  /** Uint8 0/1: the workbench parser's (Geo-R) format. */
  formatOk: b64,
  /** Uint8 0/1: GLOBE's think/answer format on the raw text. */
  globeFormatOk: b64,
  /** Uint8 0/1: GLOBE name match of the parsed country / city with the photo's label. */
  countryMatch: b64,
  cityMatch: b64,
  /** Uint8 0/1: the same from GLOBE's released strict reading of the text. */
  countryMatchStrict: b64,
  cityMatchStrict: b64,
  /** Float64: km from the completion read as a Python literal `{'LOC': [lat, lon]}` (Geo-R's released loc_reward), NaN where it reads none. */
  locKm: b64,
  /** Uint8 0/1: VLM-R1's bounding-box format (Geo-R's released format_reward_rec). */
  bboxFormatOk: b64,
  /** Int32, groups + 1 entries: group k is rows offsets[k] .. offsets[k+1]. */
  offsets: b64,
  /** Uint8: index into REWARD_BAND_LABELS per completion. */
  band: b64,
  /** Int32: index into `countries` per completion (the photo's true country), -1 when unlabeled. */
  country: b64,
  /** The photos' countries, most completions first. */
  countries: z.array(z.string()),
  durationMs: z.number(),
});
export type RunColumns = z.infer<typeof RunColumns>;

const empty = z.object({}).strict();

const PythonSourcesResult = z.object({
  scorer: z.string(),
  batch: z.string(),
  targets: z.object({ 'vlm-r1': z.string(), trl: z.string(), swift: z.string(), module: z.string() }),
  vlmr1Wrapper: z.string(),
});

export const rewardMethods = {
  'reward.specs.list': method({
    summary: 'The built-in reward presets (read-only) and the reward specs saved in the project.',
    params: empty,
    result: z.object({ presets: z.array(PresetSpec), saved: z.array(SavedSpec) }),
  }),
  'reward.specs.save': method({
    summary: 'Save a reward spec under a name (a new one, or over the saved spec `id`); the spec is validated.',
    params: z.object({ id: Id.optional(), name: specName, spec: z.unknown() }).strict(),
    result: SavedSpec,
  }),
  'reward.specs.rename': method({
    summary: 'Rename a saved reward spec.',
    params: z.object({ id: Id, name: specName }).strict(),
    result: SavedSpec,
  }),
  'reward.specs.delete': method({
    summary: 'Delete a saved reward spec.',
    params: z.object({ id: Id }).strict(),
    result: z.object({ deleted: z.boolean() }),
  }),
  'reward.runColumns': method({
    summary: "A run's completions as columns for re-scoring: km, format and label-match flags, GRPO groups, bands, countries.",
    long: true,
    params: z.object({ runId: Id, taskId: TaskId.optional() }).strict(),
    result: RunColumns,
  }),
  'reward.pythonSources': method({
    summary: "The Python the Reward Lab's plug-in export is made of (resources/trainer/): the scorer, the batch helpers, each target's template and the VLM-R1 wrapper.",
    params: empty,
    result: PythonSourcesResult,
  }),
} as const;
