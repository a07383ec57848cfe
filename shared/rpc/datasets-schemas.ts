/**
 * Schemas of the dataset and image methods: import, listing, the photo browser's
 * filters and pages, one photo's detail. Kept apart from contract.ts so each group
 * of methods reads on its own.
 */
import { z } from 'zod';

const filePath = z
  .string()
  .min(1, 'a path is required')
  .max(4096, 'the path is too long')
  .refine((p) => !p.includes('\0'), 'the path contains a NUL character');

export const FlagName = z.enum(['ocean', 'near_border', 'far_city', 'region_mismatch', 'disputed']);
export type FlagName = z.infer<typeof FlagName>;

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
    taskId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
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

/** South, west, north, east in degrees. */
export const BBox = z
  .tuple([z.number().min(-90).max(90), z.number().min(-180).max(180), z.number().min(-90).max(90), z.number().min(-180).max(180)])
  .refine(([s, , n]) => s <= n, 'bbox south must not exceed north');

export const ImageFilter = z
  .object({
    datasetId: z.number().int().positive(),
    country: z.string().max(8).optional(),
    region: z.string().max(200).optional(),
    city: z.string().max(200).optional(),
    flags: z.array(FlagName).max(5).optional(),
    review: z.enum(['any', 'unreviewed', 'reviewed', 'accepted', 'rejected', 'edited']).optional(),
    photo: z.enum(['any', 'present', 'missing']).optional(),
    text: z.string().max(200).optional(),
    bbox: BBox.optional(),
  })
  .strict();
export type ImageFilter = z.infer<typeof ImageFilter>;

export const ImageRow = z.object({
  id: z.number().int(),
  relPath: z.string(),
  lat: z.number().nullable(),
  lon: z.number().nullable(),
  photo: z.number().int(),
  countryCode: z.string().nullable(),
  country: z.string().nullable(),
  region: z.string().nullable(),
  city: z.string().nullable(),
  flags: z.array(FlagName),
});
export type ImageRow = z.infer<typeof ImageRow>;

export const ImagePage = z.object({
  total: z.number().int().nonnegative(),
  /** True when `total` is a lower bound (counting stopped at a cap). */
  totalCapped: z.boolean(),
  offset: z.number().int().nonnegative(),
  rows: z.array(ImageRow),
  ms: z.number(),
});
export type ImagePage = z.infer<typeof ImagePage>;

export const CorLabelView = z.object({
  source: z.string(),
  countryCode: z.string().nullable(),
  country: z.string().nullable(),
  regionCode: z.string().nullable(),
  region: z.string().nullable(),
  city: z.string().nullable(),
  cityLat: z.number().nullable(),
  cityLon: z.number().nullable(),
  cityKm: z.number().nullable(),
  borderKm: z.number().nullable(),
  flags: z.array(FlagName),
});
export type CorLabelView = z.infer<typeof CorLabelView>;

export const ImageDetail = z.object({
  id: z.number().int(),
  datasetId: z.number().int(),
  datasetName: z.string(),
  relPath: z.string(),
  lat: z.number().nullable(),
  lon: z.number().nullable(),
  split: z.string().nullable(),
  photo: z.number().int(),
  meta: z.record(z.string(), z.unknown()),
  labels: z.array(CorLabelView),
});
export type ImageDetail = z.infer<typeof ImageDetail>;

export const Facets = z.object({
  countries: z.array(z.object({ code: z.string(), name: z.string(), count: z.number().int() })),
  regions: z.array(z.object({ code: z.string(), name: z.string(), count: z.number().int() })),
  flags: z.array(z.object({ flag: FlagName, count: z.number().int() })),
});
export type Facets = z.infer<typeof Facets>;

export { filePath };
