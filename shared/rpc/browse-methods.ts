/**
 * Methods of the browse group (the Browse view; the methods are named `images.*`):
 * one page of photos under the filters, the filter menus' facets, and one photo's
 * record with every label. Spread into the one contract in contract.ts.
 */
import { z } from 'zod';
import { Id } from './ids.js';
import { method } from './method.js';

export const FlagName = z.enum(['ocean', 'near_border', 'far_city', 'region_mismatch', 'disputed']);
export type FlagName = z.infer<typeof FlagName>;

/** South, west, north, east in degrees. */
export const BBox = z
  .tuple([z.number().min(-90).max(90), z.number().min(-180).max(180), z.number().min(-90).max(90), z.number().min(-180).max(180)])
  .refine(([s, , n]) => s <= n, 'bbox south must not exceed north');

export const ImageFilter = z
  .object({
    datasetId: Id,
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

export const browseMethods = {
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
    params: z.object({ id: Id }).strict(),
    result: ImageDetail,
  }),
} as const;
