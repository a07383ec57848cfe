/**
 * The one RPC contract. Every method the renderer (or any client) can call is
 * declared here once, with the schema of its params and of its result. The main
 * process validates params against these schemas before any service sees them;
 * the renderer's client is typed from the same declarations.
 *
 * Long work (`long: true`) takes an optional `taskId` chosen by the caller: progress
 * events carry it, and `task.cancel` with the same id aborts the work.
 */
import { z } from 'zod';
import {
  DatasetInfo,
  Facets,
  ImageDetail,
  ImageFilter,
  ImagePage,
  ImportParams,
  ImportSummary,
  SourcePreview,
  filePath,
} from './datasets-schemas.js';
import { auditMethods } from './audit-methods.js';
import { JobEvent, jobsMethods } from './jobs-methods.js';
import { externalMethods } from './external-methods.js';
import { completionsMethods } from './completions-methods.js';
import { evaluateMethods } from './evaluate-methods.js';
import { rewardMethods } from './reward-methods.js';
import { method } from './method.js';

export { MAX_ID_LIST, MAX_MESSAGE_BYTES } from './limits.js';

const projectPath = z
  .string()
  .min(1, 'a project path is required')
  .max(4096, 'the path is too long')
  .refine((p) => !p.includes('\0'), 'the path contains a NUL character');

export const TaskId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'a task id is 1-64 letters, digits, _ or -');

export const TableCount = z.object({ table: z.string(), rows: z.number().int().nonnegative() });

export const ProjectSummary = z.object({
  path: z.string(),
  name: z.string(),
  cacheDir: z.string(),
  schemaVersion: z.number().int(),
  appVersion: z.string(),
  createdAt: z.string(),
  createdBy: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  counts: z.object({
    datasets: z.number().int().nonnegative(),
    images: z.number().int().nonnegative(),
    labels: z.number().int().nonnegative(),
    reviews: z.number().int().nonnegative(),
    runs: z.number().int().nonnegative(),
    completions: z.number().int().nonnegative(),
    /** Shipped presets plus the specs saved in the project. */
    rewardSpecs: z.number().int().nonnegative(),
    /** How many of rewardSpecs are shipped presets. */
    rewardPresets: z.number().int().nonnegative(),
    jobs: z.number().int().nonnegative(),
  }),
  datasets: z.array(
    z.object({
      id: z.number().int(),
      name: z.string(),
      format: z.string(),
      images: z.number().int().nonnegative(),
      createdAt: z.string(),
    }),
  ),
});
export type ProjectSummary = z.infer<typeof ProjectSummary>;

export const RecentProject = z.object({
  path: z.string(),
  name: z.string(),
  openedAt: z.string(),
  exists: z.boolean(),
});
export type RecentProject = z.infer<typeof RecentProject>;

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  host: z.enum(['electron', 'server', 'cli']),
  schemaVersion: z.number().int(),
  platform: z.string(),
  versions: z.record(z.string(), z.string()),
  defaultProjectDir: z.string(),
  demoProjectPath: z.string().nullable(),
  attributions: z.array(z.object({ data: z.string(), source: z.string(), license: z.string() })),
});
export type AppInfo = z.infer<typeof AppInfo>;

export const CheckReport = z.object({
  ok: z.boolean(),
  integrity: z.array(z.string()),
  tables: z.array(TableCount),
});
export type CheckReport = z.infer<typeof CheckReport>;

const empty = z.object({}).strict();

export const contract = {
  'app.info': method({
    summary: 'Name, versions, host kind and data attributions.',
    params: empty,
    result: AppInfo,
  }),
  'project.create': method({
    summary: 'Create a new project file (and its cache folder) and open it.',
    params: z.object({ path: projectPath }).strict(),
    result: ProjectSummary,
  }),
  'project.open': method({
    summary: 'Open an existing project file; refuses non-projects and newer versions untouched.',
    params: z.object({ path: projectPath }).strict(),
    result: ProjectSummary,
  }),
  'project.openDemo': method({
    summary: 'Open the bundled demo project (built on first use).',
    long: true,
    params: z.object({ taskId: TaskId.optional() }).strict(),
    result: ProjectSummary,
  }),
  'project.current': method({
    summary: 'The open project, or null.',
    params: empty,
    result: ProjectSummary.nullable(),
  }),
  'project.close': method({
    summary: 'Close the open project.',
    params: empty,
    result: z.object({ closed: z.boolean() }),
  }),
  'project.recent': method({
    summary: 'Recently opened projects, newest first.',
    params: empty,
    result: z.array(RecentProject),
  }),
  'project.forgetRecent': method({
    summary: 'Remove one path from the recent list.',
    params: z.object({ path: projectPath }).strict(),
    result: z.array(RecentProject),
  }),
  'project.check': method({
    summary: 'Integrity check and row counts of the open project, table by table.',
    long: true,
    params: z.object({ taskId: TaskId.optional() }).strict(),
    result: CheckReport,
  }),
  'datasets.list': method({
    summary: 'The datasets of the open project with photo and label counts.',
    params: empty,
    result: z.array(DatasetInfo),
  }),
  'datasets.preview': method({
    summary: 'Detect the format of a metadata file or photo folder and show its first rows.',
    params: z.object({ source: filePath }).strict(),
    result: SourcePreview,
  }),
  'datasets.import': method({
    summary: 'Import a metadata file or a photo folder, labeling every point; all or nothing.',
    long: true,
    params: ImportParams,
    result: ImportSummary,
  }),
  'datasets.delete': method({
    summary: 'Delete a dataset with its photos, labels and reviews from the project.',
    params: z.object({ id: z.number().int().positive() }).strict(),
    result: z.object({ deleted: z.boolean() }),
  }),
  'datasets.setImageRoot': method({
    summary: "Point a dataset at the folder holding its photos; recounts which are present.",
    long: true,
    params: z.object({ id: z.number().int().positive(), imagesDir: filePath, taskId: TaskId.optional() }).strict(),
    result: DatasetInfo,
  }),
  'images.query': method({
    summary: 'One page of photos matching the filters, with the total count.',
    params: z
      .object({
        filter: ImageFilter,
        offset: z.number().int().nonnegative().max(100_000_000),
        limit: z.number().int().positive().max(1000),
      })
      .strict(),
    result: ImagePage,
  }),
  'images.facets': method({
    summary: 'Countries, regions and flags with counts under the filters (for the filter menus).',
    params: z.object({ filter: ImageFilter }).strict(),
    result: Facets,
  }),
  'images.get': method({
    summary: "One photo's record: path, point, metadata and every label with its evidence.",
    params: z.object({ id: z.number().int().positive() }).strict(),
    result: ImageDetail,
  }),
  'task.cancel': method({
    summary: 'Cancel long work by its task id.',
    params: z.object({ taskId: TaskId }).strict(),
    result: z.object({ cancelled: z.boolean() }),
  }),
  ...completionsMethods,
  ...rewardMethods,
  ...evaluateMethods,
  ...auditMethods,
  ...jobsMethods,
  ...externalMethods,
} as const;

export type Contract = typeof contract;
export type MethodName = keyof Contract;
export type ParamsOf<M extends MethodName> = z.input<Contract[M]['params']>;
export type ValidParamsOf<M extends MethodName> = z.output<Contract[M]['params']>;
export type ResultOf<M extends MethodName> = z.output<Contract[M]['result']>;

export const methodNames = Object.keys(contract) as MethodName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(contract, name);
}

/** Events travel main → renderer on one channel. */
export const RpcEvent = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('progress'),
    taskId: z.string(),
    method: z.string(),
    done: z.number(),
    total: z.number().nullable(),
    message: z.string(),
  }),
  z.object({ type: z.literal('project.changed'), path: z.string().nullable() }),
  /** Writes (reviews) waiting for another process's write lock, and when they are all saved. */
  z.object({
    type: z.literal('writes.status'),
    waiting: z.boolean(),
    pending: z.number().int().nonnegative(),
    since: z.string().nullable(),
    message: z.string(),
  }),
  JobEvent,
]);
export type RpcEvent = z.infer<typeof RpcEvent>;
