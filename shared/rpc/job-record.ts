/**
 * The experiment store's shapes: the provenance recorded when a job starts, the data
 * manifest of the rows it trained on, the runs table, run comparison, and the portable
 * run record file (one JSON file per job, versioned) that moves a job between projects.
 */
import { z } from 'zod';

const JobStatus = z.enum(['queued', 'preparing', 'running', 'done', 'failed', 'cancelled']);

/** One row a job trained on: [image id, split ('train' | 'val' | '' when unknown), country, region, city]. */
export const ManifestRow = z.tuple([z.number().int(), z.string(), z.string(), z.string(), z.string()]);
export type ManifestRow = z.infer<typeof ManifestRow>;

const SPLIT_CODE: Record<string, string> = { train: 't', val: 'v', '': '-' };
const SPLIT_OF: Record<string, string> = { t: 'train', v: 'val', '-': '' };

/**
 * The rows a job trained on, by column (millions of rows stay a few bytes each): image
 * ids, one split letter per row (t train, v val, - unknown), and each row's label as an
 * index into the distinct [country, region, city] chains.
 */
export const Manifest = z
  .object({
    imageIds: z.array(z.number().int()),
    split: z.string().regex(/^[tv-]*$/, 'one letter per row: t (train), v (val) or - (unknown)'),
    label: z.array(z.number().int().min(0)),
    labels: z.array(z.tuple([z.string(), z.string(), z.string()])),
  })
  .strict()
  .superRefine((m, ctx) => {
    const n = m.imageIds.length;
    if (m.split.length !== n) ctx.addIssue({ code: 'custom', path: ['split'], message: `${m.split.length} letters for ${n} image ids` });
    if (m.label.length !== n) ctx.addIssue({ code: 'custom', path: ['label'], message: `${m.label.length} labels for ${n} image ids` });
    const bad = m.label.findIndex((l) => l >= m.labels.length);
    if (bad >= 0) ctx.addIssue({ code: 'custom', path: ['label', bad], message: `label ${m.label[bad]} is not one of the ${m.labels.length} chains` });
  });
export type Manifest = z.infer<typeof Manifest>;

/** Builds a manifest row by row (a caller can pause between rows). */
export class ManifestBuilder {
  private readonly index = new Map<string, number>();
  private readonly labels: [string, string, string][] = [];
  private readonly label: number[] = [];
  private readonly ids: number[] = [];
  private split: string[] = [];

  add([id, sp, country, region, city]: ManifestRow): void {
    const key = `${country}\u0000${region}\u0000${city}`;
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.labels.push([country, region, city]) - 1;
      this.index.set(key, i);
    }
    this.ids.push(id);
    this.label.push(i);
    this.split.push(SPLIT_CODE[sp] ?? '-');
  }

  done(): Manifest {
    return { imageIds: this.ids, split: this.split.join(''), label: this.label, labels: this.labels };
  }
}

export function manifestOf(rows: readonly ManifestRow[]): Manifest {
  const b = new ManifestBuilder();
  for (const r of rows) b.add(r);
  return b.done();
}

export function manifestRows(m: Manifest, offset = 0, limit = Infinity): ManifestRow[] {
  const out: ManifestRow[] = [];
  const end = Math.min(m.imageIds.length, offset + limit);
  for (let i = offset; i < end; i++) {
    const [country, region, city] = m.labels[m.label[i]!]!;
    out.push([m.imageIds[i]!, SPLIT_OF[m.split[i]!] ?? '', country, region, city]);
  }
  return out;
}

export const DataProvenance = z.object({
  datasetId: z.number().int().nullable(),
  datasetName: z.string().nullable(),
  subsetId: z.number().int().nullable(),
  subsetName: z.string().nullable(),
  /** Rows in the manifest. */
  rows: z.number().int(),
  /** The newest label review of the dataset when the job started (null: none yet). */
  reviewPosition: z.number().int().nullable(),
  /** sha256 (hex) of the manifest rows, one tab-separated line each, in image id order. */
  hash: z.string(),
  /** What the rows are: the exact training inputs, or the reviewed labels of the export. */
  source: z.string(),
});
export type DataProvenance = z.infer<typeof DataProvenance>;

export const JobProvenance = z.object({
  recordedAt: z.string(),
  data: DataProvenance.nullable(),
  /** Why there is no data record (e.g. a run on data the workbench did not export). */
  dataNote: z.string().nullable(),
  spec: z.unknown(),
  specName: z.string().nullable(),
  /** sha256 (hex) of the spec as canonical JSON (keys sorted); null without a spec. */
  specHash: z.string().nullable(),
  workbench: z.object({ version: z.string(), commit: z.string().nullable() }),
  /** Where the trainer ran ("this machine", an SSH target's label). */
  where: z.string(),
  /** python, torch, cuda, transformers, trl, ms-swift, llamafactory... as the run's environment reports them. */
  trainer: z.record(z.string(), z.string().nullable()),
  /** Why the trainer side's versions are missing or partial. */
  trainerNote: z.string().nullable(),
  devices: z.array(z.string()),
  seed: z.number().int().nullable(),
  command: z.string().nullable(),
});
export type JobProvenance = z.infer<typeof JobProvenance>;

export const MetricRecord = z.object({
  step: z.number().int(),
  name: z.string(),
  value: z.number().nullable(),
  wallMs: z.number().int().nullable(),
});
export type MetricRecord = z.infer<typeof MetricRecord>;

export const RECORD_FORMAT = 'georeason-job-record';
export const RECORD_VERSION = 1;

/** A job as one portable file (jobs.export / jobs.import, `georeason jobs export`). */
export const JobRecordFile = z
  .object({
    format: z.literal(RECORD_FORMAT),
    version: z.literal(RECORD_VERSION),
    exportedAt: z.string(),
    source: z.object({ project: z.string(), jobId: z.number().int() }).strict(),
    job: z
      .object({
        recipe: z.string().min(1).max(200),
        name: z.string().max(500),
        status: JobStatus,
        createdAt: z.string().nullable(),
        startedAt: z.string().nullable(),
        endedAt: z.string().nullable(),
        exitCode: z.number().int().nullable(),
        device: z.string().nullable(),
        step: z.number().int().nullable(),
        total: z.number().int().nullable(),
        message: z.string().nullable(),
        specName: z.string().nullable(),
      })
      .strict(),
    /** The job's request as it was stored (settings, reward spec, data choice). */
    params: z.record(z.string(), z.unknown()),
    provenance: JobProvenance.nullable(),
    /** The rows trained on (image ids and labels after review). */
    manifest: Manifest.nullable(),
    metrics: z.array(MetricRecord),
  })
  .strict();
export type JobRecordFile = z.infer<typeof JobRecordFile>;

/** One line of the runs table: the job, where it came from, its final metrics and key settings. */
export const RunRow = z.object({
  id: z.number().int(),
  name: z.string(),
  recipe: z.string(),
  status: JobStatus,
  datasetName: z.string().nullable(),
  createdAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  step: z.number().int().nullable(),
  total: z.number().int().nullable(),
  /** Imported from a run record (read-only). */
  imported: z.boolean(),
  /** Each metric's value at its last logged step. */
  final: z.record(z.string(), z.number().nullable()),
  /** Flattened settings (config.lr, external.recipe...) as text. */
  settings: z.record(z.string(), z.string()),
  dataHash: z.string().nullable(),
});
export type RunRow = z.infer<typeof RunRow>;

export const RunComparison = z.object({
  ids: z.array(z.number().int()),
  names: z.array(z.string()),
  /** Only the settings and provenance fields whose values differ between the jobs. */
  differences: z.array(z.object({ key: z.string(), values: z.array(z.string().nullable()) })),
  /** Fields compared in all (same and different). */
  compared: z.number().int(),
});
export type RunComparison = z.infer<typeof RunComparison>;
