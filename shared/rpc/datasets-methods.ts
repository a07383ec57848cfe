/**
 * Methods of the datasets group: list, preview a source, import (all or nothing),
 * delete, and point a dataset at its photo folder. Spread into the one contract in
 * contract.ts.
 */
import { z } from 'zod';
import { Id, TaskId } from './ids.js';
import { method } from './method.js';
import { filePath } from './paths.js';

export const DatasetInfo = z.object({
  id: z.number().int(),
  name: z.string(),
  format: z.string(),
  source: z.string().nullable(),
  rootDir: z.string().nullable(),
  images: z.number().int().nonnegative(),
  photosPresent: z.number().int().nonnegative(),
  labeled: z.number().int().nonnegative(),
  createdAt: z.string(),
});
export type DatasetInfo = z.infer<typeof DatasetInfo>;

export const SourcePreview = z.object({
  format: z.string(),
  label: z.string(),
  columns: z.array(z.string()),
  rows: z.array(z.array(z.string())),
  warnings: z.array(z.string()),
});
export type SourcePreview = z.infer<typeof SourcePreview>;

export const ImportParams = z
  .object({
    source: filePath,
    imagesDir: filePath.optional(),
    name: z.string().trim().min(1).max(200).optional(),
    label: z.boolean().optional(),
    skipBad: z.boolean().optional(),
    taskId: TaskId.optional(),
  })
  .strict();

export const ImportSummary = z.object({
  datasetId: z.number().int(),
  name: z.string(),
  format: z.string(),
  rows: z.number().int(),
  labeled: z.number().int(),
  photosPresent: z.number().int(),
  photosMissing: z.number().int(),
  /** Malformed rows skipped with skipBad. */
  skippedBad: z.number().int(),
  /** Folder imports: photos without GPS in their EXIF, and files that could not be read. */
  skippedNoGps: z.number().int(),
  unreadable: z.number().int(),
  durationMs: z.number(),
  warnings: z.array(z.string()),
});
export type ImportSummary = z.infer<typeof ImportSummary>;

export const datasetsMethods = {
  'datasets.list': method({
    summary: 'The datasets of the open project with photo and label counts.',
    params: z.object({}).strict(),
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
    params: z.object({ id: Id }).strict(),
    result: z.object({ deleted: z.boolean() }),
  }),
  'datasets.setImageRoot': method({
    summary: "Point a dataset at the folder holding its photos; recounts which are present.",
    long: true,
    params: z.object({ id: Id, imagesDir: filePath, taskId: TaskId.optional() }).strict(),
    result: DatasetInfo,
  }),
} as const;
