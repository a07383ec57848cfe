/**
 * Which CSV this is, from its header: the published benchmark layouts by their exact
 * columns, then any CSV with an id, a latitude and a longitude column. The layout
 * says which column feeds which field, so the reader does no name lookups per row.
 */
import path from 'node:path';
import type { DatasetFormat } from './types.js';

export interface CsvLayout {
  format: DatasetFormat;
  label: string;
  header: string[];
  id: number;
  lat: number;
  lon: number;
  split: number;
  /** Columns kept in meta_json: index and the JSON key text (`"name":`). */
  meta: { index: number; key: string }[];
  /** The dataset's own place columns (MP16-Pro), tried in order; null when none. */
  chain: { country: number[]; region: number[]; city: number[] } | null;
  warnings: string[];
}

const ID_NAMES = ['img_id', 'img_file', 'id', 'image_id', 'image', 'img', 'file', 'filename', 'file_name', 'path', 'photo'];
const LAT_NAMES = ['lat', 'latitude'];
const LON_NAMES = ['lon', 'lng', 'long', 'longitude'];
const MP16_COLUMNS = ['neighbourhood', 'city', 'county', 'state', 'region', 'country', 'continent'];

function find(header: string[], names: string[]): number {
  const lower = header.map((h) => h.trim().toLowerCase());
  for (const n of names) {
    const i = lower.indexOf(n);
    if (i !== -1) return i;
  }
  return -1;
}

/**
 * The layout for a header, or the reason none fits. `sample` (a few data rows) lets
 * the early IM2GPS3K copies be recognised: their header says LON,LAT over lat,lon values.
 */
export function csvLayout(header: string[], fileName: string, sample: string[][] = []): CsvLayout | { reason: string } {
  const has = (name: string): boolean => header.includes(name);
  const id = find(header, ID_NAMES);
  let lat = find(header, LAT_NAMES);
  let lon = find(header, LON_NAMES);
  const missing = [id === -1 ? 'an id (IMG_ID, IMG_FILE, id)' : '', lat === -1 ? 'a latitude (LAT, latitude)' : '', lon === -1 ? 'a longitude (LON, longitude)' : ''].filter(Boolean);
  if (missing.length > 0) return { reason: `not a dataset CSV: no column for ${missing.join(', ')} in header '${header.join(',')}'` };

  const warnings: string[] = [];
  const base = path.basename(fileName).toLowerCase();
  let format: DatasetFormat;
  let label: string;
  if (has('IMG_ID') && MP16_COLUMNS.every((c) => header.includes(c))) {
    format = 'mp16-pro';
    label = 'MP16-Pro CSV';
  } else if (has('IMG_ID') && has('AUTHOR') && has('S3_Label')) {
    format = 'im2gps3k';
    label = 'IM2GPS3K CSV';
  } else if (has('IMG_FILE') && has('LAT') && has('LON')) {
    format = 'geoclip';
    label = 'GeoCLIP CSV';
  } else if (has('IMG_ID') && has('LAT') && has('LON')) {
    // IMG_ID,LAT,LON is YFCC4K's layout, and also that of trimmed IM2GPS3K copies.
    format = base.includes('im2gps') ? 'im2gps3k' : 'yfcc4k';
    label = format === 'im2gps3k' ? 'IM2GPS3K CSV' : 'YFCC4K CSV';
  } else {
    format = 'csv';
    label = 'CSV with id, latitude, longitude';
  }

  // Early IM2GPS3K copies: header IMG_ID,AUTHOR,LON,LAT over lat,lon values. Swap
  // only when the values agree (the "LON" column never leaves ±90).
  if (format === 'im2gps3k' && lon < lat) {
    const fitsLat = sample.length > 0 && sample.every((r) => Math.abs(Number(r[lon])) <= 90);
    if (fitsLat) {
      [lat, lon] = [lon, lat];
      warnings.push('header lists LON before LAT, as in early IM2GPS3K copies whose values are lat,lon: read as lat,lon');
    }
  }

  const split = find(header, ['split']);
  let chain: CsvLayout['chain'] = null;
  const used = new Set([id, lat, lon, split]);
  if (format === 'mp16-pro') {
    const col = (n: string): number => header.indexOf(n);
    chain = { country: [col('country')], region: [col('state'), col('region')], city: [col('city'), col('county'), col('neighbourhood')] };
    for (const n of ['country', 'state', 'city']) used.add(col(n));
  }
  const meta = header
    .map((name, index) => ({ index, key: `${JSON.stringify(name)}:` }))
    .filter((m) => !used.has(m.index));
  return { format, label, header, id, lat, lon, split, meta, chain, warnings };
}
