/**
 * Methods of the completions group (runs of model outputs: imports, live runs
 * against OpenAI-compatible servers, per-completion checks). Spread into the one
 * contract in contract.ts.
 *
 * An API key travels only in the params of `runs.startLive` / `runs.resume` /
 * `runs.apiKeys.set`: it is never written to the project file nor returned.
 */
import { z } from 'zod';
import { MAX_ID_LIST } from './limits.js';
import { filePath } from './paths.js';
import { Id, TaskId } from './ids.js';
import { method } from './method.js';

const nullableNumber = z.number().nullable();
/** 1 = yes, 0 = no, null = cannot tell (no truth, no prediction, unknown name). */
const tri = z.boolean().nullable();

export const RunKind = z.enum(['import', 'live']);
/** `interrupted`: marked running in the file but no task runs it (the app stopped). */
export const RunStatus = z.enum(['running', 'done', 'incomplete', 'cancelled', 'failed', 'interrupted']);

export const PromptTemplate = z
  .object({
    /** The preset it came from, if any (kept for the record; the text below is what is sent). */
    preset: z.string().max(64).nullable().optional(),
    system: z.string().max(20_000).nullable().optional(),
    user: z.string().min(1, 'the prompt is empty').max(20_000),
  })
  .strict();
export type PromptTemplate = z.infer<typeof PromptTemplate>;

export const Sampling = z
  .object({
    /** Samples per photo (a GRPO group). */
    n: z.number().int().min(1).max(64).default(1),
    temperature: z.number().min(0).max(2).default(1),
    topP: z.number().gt(0).max(1).default(1),
    maxTokens: z.number().int().min(1).max(32_768).default(512),
  })
  .strict();
export type Sampling = z.infer<typeof Sampling>;

export const RequestSettings = z
  .object({
    concurrency: z.number().int().min(1).max(64).default(4),
    /** Per HTTP request, ms. */
    timeoutMs: z.number().int().min(100).max(600_000).default(120_000),
    /** Retries after the first try, on 429, 5xx, timeouts, connection errors and unreadable bodies. */
    retries: z.number().int().min(0).max(10).default(3),
    /** First backoff, ms; doubles each retry (a Retry-After header wins). */
    backoffMs: z.number().int().min(0).max(60_000).default(1000),
    /** Longest side of the JPEG sent, px. */
    imageMaxSide: z.number().int().min(64).max(4096).default(768),
  })
  .strict();
export type RequestSettings = z.infer<typeof RequestSettings>;

export const Endpoint = z
  .object({
    baseUrl: z
      .string()
      .max(2048)
      .refine((u) => /^https?:\/\/[^\s]+$/i.test(u), 'the base URL must be http(s)://…'),
    model: z.string().min(1).max(500),
  })
  .strict();
export type Endpoint = z.infer<typeof Endpoint>;

export const Selection = z
  .object({
    /** These photos (in this order); else the dataset's photos present on disk, by id. */
    imageIds: z.array(Id).min(1).max(MAX_ID_LIST, `at most ${MAX_ID_LIST} ids in a list; choose a larger set by split and limit`).optional(),
    split: z.string().max(100).optional(),
    /** At most this many photos (after the split filter). */
    limit: z.number().int().positive().max(10_000_000).optional(),
  })
  .strict();
export type Selection = z.infer<typeof Selection>;

const apiKey = z.string().max(8192);

export const StartLiveParams = z
  .object({
    datasetId: Id,
    name: z.string().trim().min(1).max(200).optional(),
    selection: Selection.default({}),
    endpoint: Endpoint,
    template: PromptTemplate,
    sampling: Sampling.default({ n: 1, temperature: 1, topP: 1, maxTokens: 512 }),
    request: RequestSettings.default({ concurrency: 4, timeoutMs: 120_000, retries: 3, backoffMs: 1000, imageMaxSide: 768 }),
    /** Used for this call only; falls back to the key store's key for the base URL. */
    apiKey: apiKey.optional(),
    /** Also keep `apiKey` in the host's key store (Electron: safeStorage; server: memory). */
    rememberKey: z.boolean().optional(),
    taskId: TaskId.optional(),
  })
  .strict();
export type StartLiveParams = z.input<typeof StartLiveParams>;

export const LiveRunSummary = z.object({
  runId: z.number().int(),
  status: RunStatus,
  /** Photos selected for the run. */
  photos: z.number().int().nonnegative(),
  /** Photos holding all n samples at the end of this call. */
  photosDone: z.number().int().nonnegative(),
  /** Of those, finished before this call (resume skips them). */
  photosAlreadyDone: z.number().int().nonnegative(),
  /** No readable photo file under the dataset's image folder: skipped, not sent text-only. */
  photosMissing: z.number().int().nonnegative(),
  /** Requests that failed after their retries (resume tries them again). */
  photosFailed: z.number().int().nonnegative(),
  /** Completions stored by this call. */
  completions: z.number().int().nonnegative(),
  /** First failures, one line each (never containing the key). */
  errors: z.array(z.string()),
  durationMs: z.number(),
});
export type LiveRunSummary = z.infer<typeof LiveRunSummary>;

export const ImportRunParams = z
  .object({
    datasetId: Id,
    source: filePath,
    format: z.enum(['auto', 'jsonl', 'csv']).default('auto'),
    name: z.string().trim().min(1).max(200).optional(),
    model: z.string().trim().min(1).max(500).optional(),
    taskId: TaskId.optional(),
  })
  .strict();

export const ImportRunSummary = z.object({
  runId: z.number().int(),
  format: z.enum(['jsonl', 'csv']),
  rows: z.number().int().nonnegative(),
  completions: z.number().int().nonnegative(),
  photos: z.number().int().nonnegative(),
  /** Rows whose id matched no photo of the dataset (or more than one): not imported. */
  unmatched: z.object({ count: z.number().int().nonnegative(), examples: z.array(z.string()) }),
  durationMs: z.number(),
});
export type ImportRunSummary = z.infer<typeof ImportRunSummary>;

export const RunInfo = z.object({
  id: z.number().int(),
  kind: RunKind,
  name: z.string(),
  model: z.string().nullable(),
  datasetId: z.number().int().nullable(),
  datasetName: z.string().nullable(),
  status: RunStatus,
  createdAt: z.string(),
  endedAt: z.string().nullable(),
  photos: z.number().int().nonnegative(),
  completions: z.number().int().nonnegative(),
});
export type RunInfo = z.infer<typeof RunInfo>;

const rate = z.number().min(0).max(1).nullable();

export const RunAccuracy = z.object({
  completions: z.number().int().nonnegative(),
  /** Share of completions with the level right, over those with a truth label at that level. */
  country: rate,
  region: rate,
  city: rate,
  formatOk: rate,
  /** Share with a parsed coordinate. */
  withCoordinates: rate,
  medianKm: nullableNumber,
  /** d ≤ t over all completions; a completion without coordinates is a miss. */
  accuracyAtKm: z.array(z.object({ km: z.number(), rate })),
  consistency: z.object({
    /** The predicted point lies in the predicted country / region (over those that can be told). */
    coordInCountry: rate,
    coordInRegion: rate,
    /** Median distance from the predicted city (gazetteer) to the predicted point, km. */
    medianCityCoordKm: nullableNumber,
    /** Share flagged inconsistent (see completions.query's `inconsistent`). */
    inconsistent: rate,
  }),
});
export type RunAccuracy = z.infer<typeof RunAccuracy>;

export const RunDetail = RunInfo.extend({
  prompt: PromptTemplate.nullable(),
  params: z.record(z.string(), z.unknown()),
  stats: z.record(z.string(), z.unknown()),
  accuracy: RunAccuracy,
});
export type RunDetail = z.infer<typeof RunDetail>;

export const CompletionRow = z.object({
  id: z.number().int(),
  imageId: z.number().int(),
  relPath: z.string(),
  /** The photo file as the store knows it: 1 present, 0 missing, 2 unreadable. */
  photo: z.number().int(),
  sample: z.number().int(),
  text: z.string().nullable(),
  reasoning: z.string().nullable(),
  country: z.string().nullable(),
  region: z.string().nullable(),
  city: z.string().nullable(),
  lat: nullableNumber,
  lon: nullableNumber,
  formatOk: z.boolean(),
  km: nullableNumber,
  countryOk: tri,
  regionOk: tri,
  cityOk: tri,
  coordInCountry: tri,
  coordInRegion: tri,
  cityCoordKm: nullableNumber,
  /** Where the predicted point falls (reverse geocoded), for the consistency view. */
  coordCountry: z.string().nullable(),
  coordRegion: z.string().nullable(),
  error: z.string().nullable(),
  latencyMs: nullableNumber,
  truthLat: nullableNumber,
  truthLon: nullableNumber,
});
export type CompletionRow = z.infer<typeof CompletionRow>;

export const CompletionFilter = z
  .object({
    formatFailed: z.boolean().optional(),
    wrongCountry: z.boolean().optional(),
    wrongRegion: z.boolean().optional(),
    wrongCity: z.boolean().optional(),
    /** Point outside the predicted country or region, or over 50 km from the predicted city. */
    inconsistent: z.boolean().optional(),
    noCoordinates: z.boolean().optional(),
    /** Distance band to the truth, km (inclusive). */
    kmMin: z.number().min(0).optional(),
    kmMax: z.number().min(0).optional(),
    imageId: Id.optional(),
  })
  .strict();
export type CompletionFilter = z.infer<typeof CompletionFilter>;

export const TruthLabel = z.object({
  source: z.string(),
  countryCode: z.string().nullable(),
  country: z.string().nullable(),
  region: z.string().nullable(),
  city: z.string().nullable(),
});
export type TruthLabel = z.infer<typeof TruthLabel>;

export const PromptPreset = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  system: z.string().nullable(),
  user: z.string(),
  sampling: Sampling,
});
export type PromptPreset = z.infer<typeof PromptPreset>;

const empty = z.object({}).strict();

export const completionsMethods = {
  'runs.list': method({
    summary: 'Runs of the open project (imports and live runs), newest first.',
    params: z.object({ datasetId: Id.optional() }).strict(),
    result: z.array(RunInfo),
  }),
  'runs.get': method({
    summary: 'One run with its settings and per-level accuracy, distance and consistency summary.',
    params: z.object({ id: Id }).strict(),
    result: RunDetail,
  }),
  'runs.delete': method({
    summary: 'Delete a run and its completions (refused while it runs).',
    params: z.object({ id: Id }).strict(),
    result: z.object({ deleted: z.boolean() }),
  }),
  'runs.importFile': method({
    summary: 'Import completions (JSONL) or coordinate predictions (CSV) into a new run; all or nothing.',
    long: true,
    params: ImportRunParams,
    result: ImportRunSummary,
  }),
  'runs.startLive': method({
    summary: 'Run a model on an OpenAI-compatible chat endpoint over photos of a dataset, checking every completion.',
    long: true,
    params: StartLiveParams,
    result: LiveRunSummary,
  }),
  'runs.resume': method({
    summary: 'Continue a live run: photos holding all n samples are skipped.',
    long: true,
    params: z.object({ runId: Id, apiKey: apiKey.optional(), taskId: TaskId.optional() }).strict(),
    result: LiveRunSummary,
  }),
  'runs.promptPresets': method({
    summary: 'Prompt templates to start from (Geo-R Chain-of-Region, GLOBE).',
    params: empty,
    result: z.array(PromptPreset),
  }),
  'runs.apiKeys.list': method({
    summary: 'Base URLs that have an API key in the key store (the keys themselves never leave it).',
    params: empty,
    result: z.array(z.string()),
  }),
  'runs.apiKeys.set': method({
    summary: 'Keep an API key for a base URL in the key store.',
    params: z.object({ baseUrl: Endpoint.shape.baseUrl, apiKey: apiKey.min(1) }).strict(),
    result: z.object({ stored: z.boolean() }),
  }),
  'runs.apiKeys.delete': method({
    summary: 'Forget the API key of a base URL.',
    params: z.object({ baseUrl: Endpoint.shape.baseUrl }).strict(),
    result: z.object({ deleted: z.boolean() }),
  }),
  'completions.query': method({
    summary: 'One page of the completions of a run, with their checks, under the filters.',
    params: z
      .object({
        runId: Id,
        filter: CompletionFilter.default({}),
        offset: z.number().int().nonnegative().max(100_000_000).default(0),
        limit: z.number().int().positive().max(500).default(50),
      })
      .strict(),
    result: z.object({
      total: z.number().int().nonnegative(),
      offset: z.number().int().nonnegative(),
      rows: z.array(CompletionRow),
    }),
  }),
  'completions.forImage': method({
    summary: 'All samples of one photo in a run, with the true point and the current label.',
    params: z.object({ runId: Id, imageId: Id }).strict(),
    result: z.object({
      imageId: z.number().int(),
      relPath: z.string(),
      lat: nullableNumber,
      lon: nullableNumber,
      truth: TruthLabel.nullable(),
      completions: z.array(CompletionRow),
    }),
  }),
} as const;
