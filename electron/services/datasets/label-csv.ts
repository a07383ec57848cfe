/**
 * Labeling a CSV of points: the rows read exactly as `import` reads a dataset CSV
 * (csv-parse with the importer's options: quoted fields may hold commas, quotes and
 * line breaks; the importer's column names for id/lat/lon, its early-IM2GPS3K LON/LAT
 * check; its coordinate and image-id rules and messages), and the output columns.
 */
import fs from 'node:fs';
import { parse } from 'csv-parse';
import { csvLayout } from './csv-layout.js';
import { normaliseRelPath, parseDegrees } from './fields.js';
import { csvOptions, readCsvHead } from './read-csv.js';
import type { CorLabel } from '../geo/labeler.js';

export const OUTPUT_COLUMNS = [
  'id',
  'lat',
  'lon',
  'country_code',
  'country',
  'region_code',
  'region',
  'city',
  'city_lat',
  'city_lon',
  'city_km',
  'border_km',
  'flags',
] as const;

export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One data row: its first line in the file, and the point or why it is refused. */
export type LabelRow = { line: number; ok: true; id: string; lat: number; lon: number } | { line: number; ok: false; reason: string };

export interface LabelInput {
  /** The importer's name for the layout, e.g. "IM2GPS3K CSV". */
  layout: string;
  warnings: string[];
  rows: AsyncGenerator<LabelRow>;
}

/** Thrown for a file that cannot be read at all (no header, no id/lat/lon column, CSV syntax). */
export class LabelInputError extends Error {
  constructor(
    readonly line: number | null,
    message: string,
  ) {
    super(message);
    this.name = 'LabelInputError';
  }
}

/** Validates one record against the header, as the importer does. */
export function checkRecord(record: string[], width: number, header: string[], cols: { id: number; lat: number; lon: number }): { ok: true; id: string; lat: number; lon: number } | { ok: false; reason: string } {
  if (record.length !== width) {
    return { ok: false, reason: record.length < width ? `missing column '${header[record.length]}' (${record.length} of ${width} fields)` : `${record.length} fields, the header has ${width}` };
  }
  const lat = parseDegrees(record[cols.lat], 'lat');
  const lon = parseDegrees(record[cols.lon], 'lon');
  if (typeof lat === 'string') return { ok: false, reason: lat };
  if (typeof lon === 'string') return { ok: false, reason: lon };
  const rel = normaliseRelPath(record[cols.id] ?? '');
  if ('reason' in rel) return { ok: false, reason: rel.reason };
  return { ok: true, id: rel.path, lat, lon };
}

/** Opens a CSV of points; throws LabelInputError when it has no usable header. */
export async function openLabelInput(file: string): Promise<LabelInput> {
  let head: { header: string[]; rows: string[][] };
  try {
    head = await readCsvHead(file);
  } catch (err) {
    const line = (err as { lines?: unknown }).lines;
    throw new LabelInputError(typeof line === 'number' ? line : null, `CSV syntax error: ${(err as Error).message}`);
  }
  if (head.header.length === 0) throw new LabelInputError(null, 'empty file (no header)');
  const layout = csvLayout(head.header, file, head.rows);
  if ('reason' in layout) throw new LabelInputError(1, layout.reason);
  return { layout: layout.label, warnings: layout.warnings, rows: records(file, layout.header, layout) };
}

async function* records(file: string, header: string[], cols: { id: number; lat: number; lon: number }): AsyncGenerator<LabelRow> {
  const input = fs.createReadStream(file, { highWaterMark: 1024 * 1024 });
  const parser = input.pipe(parse(csvOptions));
  input.on('error', (err) => parser.destroy(err));
  const width = header.length;
  let line = 0;
  let first = true;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      line++;
      const start = line;
      // One line per record plus the line breaks inside its quoted fields.
      for (const f of record) if (f.includes('\n')) line += f.split('\n').length - 1;
      if (record.length === 1 && record[0] === '') continue; // an empty line
      if (first) {
        first = false; // the header, read by openLabelInput
        continue;
      }
      yield { line: start, ...checkRecord(record, width, header, cols) };
    }
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('CSV_')) {
      const at = (err as { lines?: unknown }).lines;
      // Nothing after a syntax error can be trusted, even with --skip-bad.
      throw new LabelInputError(typeof at === 'number' ? at : null, `CSV syntax error: ${(err as Error).message}`);
    }
    throw err;
  } finally {
    input.destroy();
  }
}

export function labelToCsv(id: string, label: CorLabel): string {
  return [
    id,
    label.lat,
    label.lon,
    label.countryCode,
    label.country,
    label.regionCode,
    label.region,
    label.city,
    label.cityLat,
    label.cityLon,
    label.cityKm,
    label.borderKm,
    label.flags.join(';'),
  ]
    .map(csvField)
    .join(',');
}
