/**
 * Methods of the audit group: the review queue (ordered by risk), review actions
 * with full history (append-only label_reviews), gazetteer autocomplete for edits,
 * audit statistics, Geo-R hard-sample selection into named subsets, and export of
 * training data (LLaMA-Factory SFT, VLM-R1 and ms-swift GRPO). Spread into the one
 * contract in contract.ts.
 */
import { z } from 'zod';
import { filePath } from './paths.js';
import { FlagName } from './browse-methods.js';
import { Id, TaskId } from './ids.js';
import { method } from './method.js';

const placeName = z.string().trim().max(200);

/** The review verdicts stored in label_reviews.verdict ('undo' entries restore an earlier state). */
export const ReviewVerdict = z.enum(['accepted', 'rejected', 'edited']);
export type ReviewVerdict = z.infer<typeof ReviewVerdict>;
export const HistoryVerdict = z.enum(['accepted', 'rejected', 'edited', 'undo']);

/** Where an image's label stands: its latest review's state, else 'unreviewed' (the gazetteer's label). */
export const LabelStatus = z.enum(['unreviewed', 'accepted', 'rejected', 'edited']);
export type LabelStatus = z.infer<typeof LabelStatus>;

/** A Chain-of-Region label as a review sees it. `cityFree`: typed by a person, not a gazetteer place. */
export const Chain = z
  .object({
    countryCode: z.string().max(8).nullable(),
    country: placeName.nullable(),
    regionCode: z.string().max(16).nullable(),
    region: placeName.nullable(),
    city: placeName.nullable(),
    cityFree: z.boolean(),
  })
  .strict();
export type Chain = z.infer<typeof Chain>;

/** What label_reviews.before_json / after_json hold: the chain (flat keys) and the status. */
export const LabelState = Chain.extend({ status: LabelStatus });
export type LabelState = z.infer<typeof LabelState>;

export const ReviewEntry = z.object({
  id: z.number().int(),
  imageId: z.number().int(),
  verdict: z.string(),
  before: LabelState.nullable(),
  after: LabelState.nullable(),
  note: z.string().nullable(),
  at: z.string(),
  /** For 'undo' entries: the review it undid. */
  undoes: z.number().int().nullable(),
});
export type ReviewEntry = z.infer<typeof ReviewEntry>;

export const SourceLabel = z.object({
  countryCode: z.string().nullable(),
  country: z.string().nullable(),
  regionCode: z.string().nullable(),
  region: z.string().nullable(),
  city: z.string().nullable(),
});
export type SourceLabel = z.infer<typeof SourceLabel>;

export const RiskReason = z.enum([
  'ocean',
  'near_border',
  'far_city',
  'region_mismatch',
  'disputed',
  'country_disagrees',
  'region_disagrees',
  'city_disagrees',
]);
export type RiskReason = z.infer<typeof RiskReason>;

export const QueueItem = z.object({
  imageId: z.number().int(),
  relPath: z.string(),
  photo: z.number().int(),
  lat: z.number().nullable(),
  lon: z.number().nullable(),
  risk: z.number(),
  reasons: z.array(RiskReason),
  flags: z.array(FlagName),
  cityKm: z.number().nullable(),
  borderKm: z.number().nullable(),
  cityLat: z.number().nullable(),
  cityLon: z.number().nullable(),
  gazetteer: SourceLabel.nullable(),
  /** The dataset's own place columns (MP16-Pro), when it has them. */
  dataset: SourceLabel.nullable(),
  current: LabelState,
  reviews: z.number().int().nonnegative(),
});
export type QueueItem = z.infer<typeof QueueItem>;

export const QueueScope = z.enum(['unreviewed', 'all', 'reviewed']);

export const QueueParams = z
  .object({
    datasetId: Id,
    scope: QueueScope.default('unreviewed'),
    flag: FlagName.optional(),
    country: z.string().max(8).optional(),
    /** Where to continue in the risk order: 0 for the start, else the previous page's nextCursor (opaque). */
    cursor: z.number().int().nonnegative().default(0),
    limit: z.number().int().positive().max(200).default(50),
  })
  .strict();

export const QueuePage = z.object({
  items: z.array(QueueItem),
  /** Where the next page starts; null at the end. */
  nextCursor: z.number().int().nullable(),
  /** Photos in the risk order under the flag/country filter (all review states). */
  ordered: z.number().int(),
  ms: z.number(),
});
export type QueuePage = z.infer<typeof QueuePage>;

const EditChain = z
  .object({
    countryCode: z.string().trim().min(2, 'choose a country').max(8),
    regionCode: z.string().trim().max(16).nullable(),
    /** A region name typed freely (no code) is kept as given. */
    region: placeName.nullable(),
    city: placeName.nullable(),
  })
  .strict();
export type EditChain = z.infer<typeof EditChain>;

export const ReviewParams = z
  .object({
    imageId: Id,
    verdict: ReviewVerdict,
    /** Required for 'edited'. */
    edit: EditChain.optional(),
    note: z.string().trim().max(2000).optional(),
  })
  .strict()
  .refine((p) => p.verdict !== 'edited' || p.edit !== undefined, { message: "an 'edited' review needs the new label (edit)" });

/** `item`: the photo as the queue shows it now (its city's point follows an edit). */
export const ReviewResult = z.object({ review: ReviewEntry, current: LabelState, item: QueueItem });

export const PlaceOption = z.object({
  code: z.string(),
  name: z.string(),
  /** Cities: population, lat, lon; regions/countries: null. */
  population: z.number().nullable(),
  lat: z.number().nullable(),
  lon: z.number().nullable(),
});
export type PlaceOption = z.infer<typeof PlaceOption>;

export const AuditStats = z.object({
  images: z.number().int(),
  reviewed: z.number().int(),
  byStatus: z.object({ accepted: z.number().int(), rejected: z.number().int(), edited: z.number().int(), unreviewed: z.number().int() }),
  /** Per flag: reviewed items with the flag, and the share of them edited or rejected. */
  flags: z.array(
    z.object({ flag: z.string(), labels: z.number().int(), reviewed: z.number().int(), wrong: z.number().int(), errorRate: z.number().nullable() }),
  ),
  /** Gazetteer vs the dataset's own place columns, per level, over photos that have both. */
  agreement: z.object({
    compared: z.number().int(),
    country: z.number().nullable(),
    region: z.number().nullable(),
    city: z.number().nullable(),
  }),
  countries: z.array(
    z.object({
      countryCode: z.string(),
      country: z.string(),
      images: z.number().int(),
      reviewed: z.number().int(),
      wrong: z.number().int(),
      agreeCountry: z.number().nullable(),
      agreeCity: z.number().nullable(),
    }),
  ),
});
export type AuditStats = z.infer<typeof AuditStats>;

export const HotspotSource = z.union([
  z.object({ runId: Id }).strict(),
  z.object({ file: filePath }).strict(),
]);
export type HotspotSource = z.infer<typeof HotspotSource>;

export const HardParams = z
  .object({
    datasetId: Id,
    source: HotspotSource,
    /** A photo is a hotspot when at least half its predictions lie within this many km of the truth. */
    hotspotKm: z.number().positive().max(20_000).default(25),
    /** Every sample within this many km of a hotspot is dropped. */
    radiusKm: z.number().nonnegative().max(20_000).default(200),
    taskId: TaskId.optional(),
  })
  .strict();

export const HardPreview = z.object({
  samples: z.number().int(),
  hotspots: z.number().int(),
  kept: z.number().int(),
  dropped: z.number().int(),
  predicted: z.number().int(),
  ms: z.number(),
  /** Points for the map (lat, lon pairs), thinned to at most `pointLimit` each. */
  keptPoints: z.array(z.number()),
  droppedPoints: z.array(z.number()),
  hotspotPoints: z.array(z.number()),
});
export type HardPreview = z.infer<typeof HardPreview>;

export const SubsetInfo = z.object({
  id: z.number().int(),
  datasetId: z.number().int(),
  name: z.string(),
  kind: z.string(),
  members: z.number().int(),
  params: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});
export type SubsetInfo = z.infer<typeof SubsetInfo>;

export const ExportFormat = z.enum(['llamafactory', 'vlm-r1', 'swift']);
export type ExportFormat = z.infer<typeof ExportFormat>;

export const ExportParams = z
  .object({
    datasetId: Id,
    format: ExportFormat,
    outDir: filePath,
    subset: z.string().trim().min(1).max(200).optional(),
    valFraction: z.number().min(0).max(0.9).default(0.05),
    seed: z.number().int().default(42),
    /** Image paths are written relative to this folder (default: the dataset's image folder). */
    imageRoot: filePath.optional(),
    onlyPresent: z.boolean().default(false),
    /** The answer template ({country} {country_code} {region} {city} {lat} {lon}); default Geo-R's four levels. */
    template: z.string().min(1).max(5000).optional(),
    /** The user prompt (an <image> token is put in front); default Geo-R's prompt. */
    prompt: z.string().min(1).max(20_000).optional(),
    /** Base name of the files and of the dataset_info.json entries. */
    name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'a name is 1-64 letters, digits, _ . or -').optional(),
    taskId: TaskId.optional(),
  })
  .strict();

export const ExportSummary = z.object({
  format: ExportFormat,
  outDir: z.string(),
  files: z.array(z.string()),
  train: z.number().int(),
  val: z.number().int(),
  skippedRejected: z.number().int(),
  skippedNoLabel: z.number().int(),
  skippedMissingPhoto: z.number().int(),
  /** Exported rows whose photo is not present locally (only without onlyPresent). */
  missingPhotoWarnings: z.number().int(),
  fromReview: z.number().int(),
  fromGazetteer: z.number().int(),
  warnings: z.array(z.string()),
  durationMs: z.number(),
});
export type ExportSummary = z.infer<typeof ExportSummary>;

export const auditMethods = {
  'audit.queue': method({
    summary: 'A page of the review queue: photos ordered by label risk (flags, source disagreement, distance to the city).',
    params: QueueParams,
    result: QueuePage,
  }),
  'audit.review': method({
    summary: 'Accept, reject or edit the label of a photo; appended to label_reviews in one transaction.',
    params: ReviewParams,
    result: ReviewResult,
  }),
  'audit.undo': method({
    summary: "Undo a photo's latest review (appends an 'undo' entry restoring the state before it).",
    params: z.object({ imageId: Id, note: z.string().trim().max(2000).optional() }).strict(),
    result: ReviewResult,
  }),
  'audit.history': method({
    summary: "A photo's review history, oldest first, and its current label.",
    params: z.object({ imageId: Id }).strict(),
    result: z.object({ current: LabelState, entries: z.array(ReviewEntry) }),
  }),
  'audit.places': method({
    summary: 'Gazetteer autocomplete down the chain: countries, the regions of a country, the cities of a region.',
    params: z
      .object({
        level: z.enum(['country', 'region', 'city']),
        countryCode: z.string().max(8).optional(),
        regionCode: z.string().max(16).optional(),
        query: z.string().max(200).default(''),
        limit: z.number().int().positive().max(100).default(20),
      })
      .strict(),
    result: z.array(PlaceOption),
  }),
  'audit.stats': method({
    summary: 'Reviewed share, error rate per flag, gazetteer vs dataset agreement per level, per country.',
    params: z.object({ datasetId: Id }).strict(),
    result: AuditStats,
  }),
  'audit.hard.preview': method({
    summary: 'Geo-R hard-sample selection: hotspots from a run or prediction file; kept and dropped samples.',
    long: true,
    params: HardParams.extend({ pointLimit: z.number().int().positive().max(200_000).default(20_000) }),
    result: HardPreview,
  }),
  'audit.hard.save': method({
    summary: 'Run the hard-sample selection and save the kept samples as a named subset.',
    long: true,
    params: HardParams.extend({ name: z.string().trim().min(1, 'a subset needs a name').max(200) }),
    result: SubsetInfo,
  }),
  'audit.subsets.list': method({
    summary: 'Named subsets of a dataset (or of every dataset).',
    params: z.object({ datasetId: Id.optional() }).strict(),
    result: z.array(SubsetInfo),
  }),
  'audit.subsets.delete': method({
    summary: 'Delete a named subset (its photos stay).',
    params: z.object({ id: Id }).strict(),
    result: z.object({ deleted: z.boolean() }),
  }),
  'audit.export': method({
    summary: 'Export training data from reviewed labels: LLaMA-Factory SFT, VLM-R1 or ms-swift GRPO, with a seeded split.',
    long: true,
    params: ExportParams,
    result: ExportSummary,
  }),
} as const;
