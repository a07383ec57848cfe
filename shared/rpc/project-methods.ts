/**
 * Methods of the project group: create, open (the demo too), close and check the
 * project file, and the recent-projects list. Spread into the one contract in
 * contract.ts.
 */
import { z } from 'zod';
import { TaskId } from './ids.js';
import { method } from './method.js';

const projectPath = z
  .string()
  .min(1, 'a project path is required')
  .max(4096, 'the path is too long')
  .refine((p) => !p.includes('\0'), 'the path contains a NUL character');

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

export const CheckReport = z.object({
  ok: z.boolean(),
  integrity: z.array(z.string()),
  tables: z.array(TableCount),
});
export type CheckReport = z.infer<typeof CheckReport>;

const empty = z.object({}).strict();

export const projectMethods = {
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
} as const;
