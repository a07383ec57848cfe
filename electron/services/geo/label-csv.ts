/**
 * Labeling a CSV of points: header detection, row validation and the output columns.
 * Kept apart from the CLI so importers can use the same rules.
 */
import type { CorLabel } from './labeler.js';

export const ID_COLUMNS = ['id', 'IMG_ID', 'IMG_FILE'];
export const LAT_COLUMNS = ['lat', 'LAT', 'latitude'];
export const LON_COLUMNS = ['lon', 'LON', 'longitude'];

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

/** Splits one CSV line (RFC 4180 quoting, no line breaks inside fields). */
export function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"') {
        if (line[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"' && field.length === 0) quoted = true;
    else if (ch === ',') {
      out.push(field);
      field = '';
    } else field += ch;
  }
  out.push(field);
  return out;
}

export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export interface ColumnMap {
  id: number;
  lat: number;
  lon: number;
}

/** Finds the id/lat/lon columns (names matched without case); throws naming the missing one. */
export function findColumns(header: string[]): ColumnMap {
  const names = header.map((h) => h.trim().toLowerCase());
  const find = (candidates: string[], what: string): number => {
    const i = names.findIndex((n) => candidates.some((c) => c.toLowerCase() === n));
    if (i < 0) throw new Error(`missing column ${what} (one of ${candidates.join('|')})`);
    return i;
  };
  return { id: find(ID_COLUMNS, 'id'), lat: find(LAT_COLUMNS, 'lat'), lon: find(LON_COLUMNS, 'lon') };
}

/** Plain decimal numbers only: Number() would also take '', '0x10' or 'Infinity'. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export type RowResult = { ok: true; id: string; lat: number; lon: number } | { ok: false; reason: string };

/** Validates one data row. */
export function readRow(fields: string[], cols: ColumnMap): RowResult {
  const need = Math.max(cols.id, cols.lat, cols.lon);
  if (fields.length <= need) return { ok: false, reason: `missing column (${fields.length} fields, need ${need + 1})` };
  const id = fields[cols.id] ?? '';
  const latText = (fields[cols.lat] ?? '').trim();
  const lonText = (fields[cols.lon] ?? '').trim();
  const lat = DECIMAL.test(latText) ? Number(latText) : Number.NaN;
  const lon = DECIMAL.test(lonText) ? Number(lonText) : Number.NaN;
  if (!Number.isFinite(lat)) return { ok: false, reason: `lat is not a number: ${JSON.stringify(latText)}` };
  if (!Number.isFinite(lon)) return { ok: false, reason: `lon is not a number: ${JSON.stringify(lonText)}` };
  if (Math.abs(lat) > 90) return { ok: false, reason: `lat out of range: ${latText}` };
  if (Math.abs(lon) > 180) return { ok: false, reason: `lon out of range: ${lonText}` };
  return { ok: true, id, lat, lon };
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
