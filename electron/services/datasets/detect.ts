/**
 * What a source is, before anything is written: a folder of photos, a VLM-R1/Geo-R
 * JSON(L) file, or a dataset CSV (by its header). `detectSource` is what the import
 * dialog shows; `planSource` is the same decision in the form the importer runs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseCompletion } from '../../../shared/parse/completion.js';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import { csvLayout, type CsvLayout } from './csv-layout.js';
import { listFiles } from './photo-index.js';
import { ImportError } from './problems.js';
import { HEAD_BYTES, readCsvHead } from './read-csv.js';
import { isPhotoName, readGpsInside } from './read-exif-folder.js';
import { answerOf, jsonFormatOf, jsonItems } from './read-json.js';
import { describeFsError, kindOf, pseudoFilesystem, readHead } from './safe-files.js';
import type { DatasetFormat, DetectResult } from './types.js';

const PREVIEW_ROWS = 10;

export type SourcePlan = (
  | { kind: 'csv'; layout: CsvLayout }
  | { kind: 'json'; format: DatasetFormat }
  | { kind: 'folder' }
) & {
  detect: DetectResult;
  /** A guess from the file size and the first rows (null when unknown), for bulk-load choices. */
  expectedRows: number | null;
};

function bad(file: string, reason: string): RpcError {
  return new RpcError(ErrorCode.BadInput, `${file}: ${reason}`);
}

function firstByte(file: string): string {
  return readHead(file, 1024).toString('utf8').replace(/^\uFEFF/, '').trimStart().charAt(0);
}

function isJsonFile(file: string): boolean {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.json' || ext === '.jsonl' || ext === '.ndjson') return true;
  if (ext === '.csv' || ext === '.tsv' || ext === '.txt') return false;
  const c = firstByte(file);
  return c === '{' || c === '[';
}

export async function planSource(source: string, forced?: DatasetFormat): Promise<SourcePlan> {
  const file = path.resolve(source);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new RpcError(ErrorCode.NotFound, `${file}: no such file or folder`);
    throw bad(file, `cannot be read (${describeFsError(err)})`);
  }
  const pseudo = pseudoFilesystem(file);
  if (pseudo !== null) throw bad(file, `lies on the ${pseudo} pseudo-filesystem: neither photos nor a data file`);
  if (stat.isDirectory()) return { kind: 'folder', detect: await detectFolder(file), expectedRows: null };
  if (!stat.isFile()) throw bad(file, `${kindOf(stat)}, not a data file or a folder`);
  if (forced === 'exif-folder') throw bad(file, 'not a folder');
  if (isJsonFile(file)) return await planJson(file, forced);
  return await planCsv(file, forced);
}

export async function detectSource(source: string): Promise<DetectResult> {
  return (await planSource(source)).detect;
}

async function planCsv(file: string, forced?: DatasetFormat): Promise<SourcePlan> {
  let head: { header: string[]; rows: string[][] };
  try {
    head = await readCsvHead(file, PREVIEW_ROWS);
  } catch (err) {
    const line = (err as { lines?: unknown }).lines;
    if (typeof line === 'number') throw new ImportError([`${file}:${line}: CSV syntax error: ${(err as Error).message}`]);
    throw bad(file, `not a readable CSV (${(err as Error).message})`);
  }
  if (head.header.length === 0) throw bad(file, 'empty file');
  const layout = csvLayout(head.header, file, head.rows);
  if ('reason' in layout) throw bad(file, layout.reason);
  if (forced && forced !== layout.format) {
    if (forced === 'vlm-r1' || forced === 'geo-r') throw bad(file, `a CSV, not ${forced} JSON`);
    layout.format = forced;
  }
  const detect: DetectResult = {
    format: layout.format,
    label: layout.label,
    columns: head.header,
    previewRows: head.rows,
    warnings: [...layout.warnings],
  };
  // Bytes per row from the preview rows (joined back with commas: close enough for a guess).
  const sampleBytes = head.rows.reduce((sum, r) => sum + Buffer.byteLength(r.join(',')) + 1, 0);
  const expectedRows = head.rows.length > 0 ? Math.round(fs.statSync(file).size / (sampleBytes / head.rows.length)) : 0;
  return { kind: 'csv', layout, detect, expectedRows };
}

async function planJson(file: string, forced?: DatasetFormat): Promise<SourcePlan> {
  const columns = ['image', 'lat', 'lon', 'country', 'region', 'city'];
  const previewRows: string[][] = [];
  const warnings: string[] = [];
  let format: DatasetFormat | null = null;
  let seen = 0;
  for await (const item of jsonItems(file, HEAD_BYTES)) {
    if (++seen > PREVIEW_ROWS) break;
    if (item.error !== null) {
      warnings.push(`${file}:${item.line}: ${item.error}`);
      continue;
    }
    const f = jsonFormatOf(item.value);
    if (f === null) {
      warnings.push(`${file}:${item.line}: neither VLM-R1 (image, conversations) nor Geo-R (image, problem, solution)`);
      continue;
    }
    format ??= f;
    const row = item.value as Record<string, unknown>;
    const images = row.image ?? row.images;
    const image = typeof images === 'string' ? images : Array.isArray(images) ? String(images[0] ?? '') : '';
    const answer = answerOf(row);
    const p = answer === null ? null : parseCompletion(answer);
    previewRows.push([image, String(p?.lat ?? ''), String(p?.lon ?? ''), p?.country ?? '', p?.region ?? '', p?.city ?? '']);
  }
  if (format === null) {
    throw bad(file, seen === 0 ? 'no JSON rows' : `not VLM-R1/Geo-R data: rows need 'image' and 'conversations' or 'solution'${warnings[0] ? ` (${warnings[0]})` : ''}`);
  }
  if (forced === 'vlm-r1' || forced === 'geo-r') format = forced;
  else if (forced) throw bad(file, `JSON data, not ${forced}`);
  const label = format === 'vlm-r1' ? 'VLM-R1 conversations JSON' : 'Geo-R problem/solution JSON';
  return { kind: 'json', format, detect: { format, label, columns, previewRows, warnings }, expectedRows: null };
}

async function detectFolder(dir: string): Promise<DetectResult> {
  const files = await listFiles(dir);
  const photos = files.filter(isPhotoName);
  const previewRows: string[][] = [];
  const realDir = fs.realpathSync(dir);
  for (const rel of photos.slice(0, PREVIEW_ROWS)) {
    const r = await readGpsInside(realDir, path.join(dir, rel));
    previewRows.push('lat' in r ? [rel, String(r.lat), String(r.lon)] : [rel, '', '', 'error' in r ? `unreadable: ${r.error}` : 'no GPS']);
  }
  const warnings = photos.length === 0 ? [`${dir}: no photos (jpg, tif, png, heic, webp, avif) in this folder`] : [];
  return {
    format: 'exif-folder',
    label: `Folder of photos with EXIF GPS (${photos.length} photos)`,
    columns: ['file', 'lat', 'lon', 'note'],
    previewRows,
    warnings,
  };
}
